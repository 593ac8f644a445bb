"""The video API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from confer.core.media.turn import IceServer

Role = Literal["host", "guest", "attendee"]


class JoinAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a client needs to enter its room, valid until ``expires_at``.

    With Janus: open a session on ``server_url`` with ``janus_token``; give every handle ``opaque_id = ticket``; join
    the room as a participant (``ptype: publisher``, ``id: feed_id``, ``token``), publish only when ``may_publish``,
    and subscribe to others' feeds presenting the participant's ``private_id``."""

    server_url: str
    """The media node's WebSocket URL (Janus client API)."""
    janus_token: str
    """Signed Janus token for creating the session on that node; expires with the pass."""
    room_id: int
    token: str
    """This person's token on the room's ``allowed`` list: send it as ``token`` in the VideoRoom ``join``."""
    ticket: str
    """Set as the ``opaque_id`` of every Janus handle, so attendance is recorded."""
    feed_id: int
    """The publisher id to join with."""
    display_name: str
    role: Role
    may_publish: bool
    """False for class attendees until the host gives them the floor."""
    ice_servers: list[IceServer]
    starts_at: datetime
    ends_at: datetime
    expires_at: datetime


class FloorChange(msgspec.Struct, frozen=True):
    user_id: UUID


class AttendanceOut(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    display_name: str
    role: Role
    joined_at: datetime
    left_at: datetime | None
    seconds: int
    """Time in the room (up to now for someone still there)."""


class AttendanceList(msgspec.Struct, frozen=True):
    items: list[AttendanceOut]


class MuteChange(msgspec.Struct, frozen=True):
    user_id: UUID
    muted: bool = True


class ParticipantOut(msgspec.Struct, frozen=True, kw_only=True):
    """Someone with a live pass to the room, and the feed id they publish under (how tiles are named)."""

    user_id: UUID
    display_name: str
    role: Role
    feed_id: int
    may_publish: bool
    hand_raised: bool


class ParticipantList(msgspec.Struct, frozen=True):
    items: list[ParticipantOut]


class HandChange(msgspec.Struct, frozen=True):
    raised: bool = True
