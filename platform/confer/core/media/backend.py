"""What the control plane asks of a media server, whatever the SFU: the Janus backend implements it today, and a
mediasoup backend (a worker per node) could tomorrow without the video module changing."""

from __future__ import annotations

from typing import Protocol

import msgspec

from confer.core.media.registry import MediaNode


class RoomSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A room as the control plane wants it on its node."""

    room_id: int
    secret: str
    """Random, kept server-side: every change to the room needs it."""
    description: str
    publishers: int
    """Upper bound of simultaneous publishers; Confer enforces who may publish, this is the backstop."""
    allowed: list[str] = []
    """Tokens of the participants who may join; nobody else can."""


class Participant(msgspec.Struct, frozen=True):
    id: int
    display: str | None
    publisher: bool


class MediaBackendError(Exception):
    """The media server refused or could not be reached; the message is safe to log (it holds no secret)."""


class RoomMissing(MediaBackendError):
    """The node does not have the room (it restarted, or the room was never made there)."""


class MediaBackend(Protocol):
    async def ensure_room(self, node: MediaNode, spec: RoomSpec) -> bool:
        """Create the room unless it exists (then add ``spec.allowed`` to its allowed list); True if created."""
        ...

    async def room_exists(self, node: MediaNode, room_id: int) -> bool: ...

    async def destroy_room(self, node: MediaNode, room_id: int, secret: str) -> None:
        """Destroy the room (everyone in it is dropped); a room already gone is not an error."""
        ...

    async def allow(self, node: MediaNode, room_id: int, secret: str, tokens: list[str]) -> None: ...

    async def disallow(self, node: MediaNode, room_id: int, secret: str, tokens: list[str]) -> None: ...

    async def participants(self, node: MediaNode, room_id: int) -> list[Participant]: ...

    async def kick(self, node: MediaNode, room_id: int, secret: str, participant_id: int) -> None: ...

    async def moderate(self, node: MediaNode, room_id: int, secret: str, participant_id: int, *, muted: bool) -> None:
        """Mute or unmute a participant's audio and video."""
        ...

    async def close(self) -> None: ...
