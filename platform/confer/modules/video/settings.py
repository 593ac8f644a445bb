"""The video module's settings section, read from ``CONFER_VIDEO_*``. Video is off until the Janus secrets are set."""

from __future__ import annotations

from typing import Annotated

import msgspec

Secret = Annotated[str, msgspec.Meta(min_length=16)]


class VideoSettings(msgspec.Struct, frozen=True, kw_only=True):
    janus_token_secret: Secret | None = None
    """The media nodes' ``token_auth_secret``: Confer signs short-lived Janus tokens with it."""
    videoroom_admin_key: Secret | None = None
    """The nodes' VideoRoom ``admin_key``: only the control plane can create rooms."""
    events_secret: Secret | None = None
    """Password Janus's HTTP event handler sends (basic auth, user ``janus``) to the internal events endpoint."""
    turn_secret: Secret | None = None
    """coturn's ``static-auth-secret``; TURN credentials are derived from it per user and expire."""
    turn_urls: list[str] = []
    stun_urls: list[str] = []
    region: str | None = None
    """Preferred media region for new rooms (nodes report theirs); any region when none fits."""
    join_early_minutes: Annotated[int, msgspec.Meta(ge=0, le=60)] = 10
    join_late_minutes: Annotated[int, msgspec.Meta(ge=0, le=120)] = 15
    prepare_minutes: Annotated[int, msgspec.Meta(ge=1, le=60)] = 5
    """Rooms are created on their node this long before the session starts."""
    destroy_grace_minutes: Annotated[int, msgspec.Meta(ge=0, le=24 * 60)] = 10
    floor_limit: Annotated[int, msgspec.Meta(ge=0, le=16)] = 3
    """How many attendees of a class may hold the floor (publish) at once, besides the host."""
    node_ttl_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 6.0

    @property
    def enabled(self) -> bool:
        return bool(self.janus_token_secret and self.videoroom_admin_key)
