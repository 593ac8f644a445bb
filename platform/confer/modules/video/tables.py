"""Video rooms, the passes that let people into them, and who attended.

A room is Confer's record of a Janus VideoRoom: Janus keeps rooms only in memory, so this row is the truth the
reconcile job restores them from (DESIGN §8).
"""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, ForeignKey, Integer, OnDelete, SmallInt, Timestamptz, Varchar
from piccolo.table import Table


class Room(Table, tablename="video_room"):
    id = UUID(primary_key=True)
    kind = Varchar(length=10)
    """``booking`` (one-to-one) or ``class`` (a class session)."""
    subject = UUID(unique=True)
    """The booking or class session the room is for."""
    janus_room = BigInt(unique=True)
    secret = Varchar(length=64)
    """Random, never sent to a client or logged: every change to the Janus room needs it."""
    host = UUID()
    description = Varchar(length=200)
    node = Varchar(length=63, null=True, default=None, index=True)
    expected = SmallInt()
    """Participants the schedule expects: the capacity reserved on the node."""
    publishers = SmallInt()
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    state = Varchar(length=10, index=True)
    """``scheduled`` (no node yet) -> ``open`` (on a node) -> ``ended`` (everyone out) -> ``destroyed``."""
    placements = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RoomPass(Table, tablename="video_pass"):
    """One person's right to be in one room: their token on the room's ``allowed`` list while the pass is live."""

    id = UUID(primary_key=True)
    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    user = UUID(index=True)
    role = Varchar(length=10)
    token = Varchar(length=64, unique=True)
    ticket = Varchar(length=64, unique=True)
    """The ``opaque_id`` the client gives its Janus handles, so Janus's events say whose handle it is."""
    feed = BigInt()
    """The publisher id the client joins with, so the host's controls can name them."""
    may_publish = Boolean(default=False)
    removed = Boolean(default=False)
    """The host removed them: no new pass for this room."""
    hand_raised_at = Timestamptz(null=True, default=None)
    """A class attendee asked for the floor (cleared when given it or when they lower their hand)."""
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Attendance(Table, tablename="video_attendance"):
    """One stay in a room: from the handle's first event in the room to its detach (or the room's end)."""

    id = UUID(primary_key=True)
    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    user = UUID(index=True)
    handle = BigInt()
    joined_at = Timestamptz()
    left_at = Timestamptz(null=True, default=None)
