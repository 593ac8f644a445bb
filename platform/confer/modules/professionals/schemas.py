"""The professionals API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Minutes = Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 60)]
Language = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$", examples=["fr"])]


class ProfileIn(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["Europe/Paris"])]
    country: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$", examples=["FR"])]
    headline: Annotated[str, msgspec.Meta(max_length=200)] = ""
    bio: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    specialties: Annotated[list[str], msgspec.Meta(max_length=10)] = []
    languages: Annotated[list[Language], msgspec.Meta(min_length=1, max_length=10)] = msgspec.field(
        default_factory=lambda: ["en"]
    )
    photo_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s]+$", max_length=2048)] | None = None
    published: bool = False


class OfferingCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["consultation", "class"]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=480)]
    price_minor: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    slot_step_minutes: Annotated[int, msgspec.Meta(ge=5, le=480)] = 15
    buffer_before_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] = 0
    buffer_after_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] = 0
    min_notice_minutes: Minutes = 0
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 60
    max_per_day: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    cancellation_free_hours: Annotated[int, msgspec.Meta(ge=0, le=720)] = 24
    late_cancellation_refund_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    requires_approval: bool = False
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)] | None = None
    published: bool = True


class OfferingOut(msgspec.Struct):
    id: UUID
    professional_id: UUID
    kind: str
    title: str
    description: str
    duration_minutes: int
    slot_step_minutes: int
    price_minor: int
    currency: str
    buffer_before_minutes: int
    buffer_after_minutes: int
    min_notice_minutes: int
    horizon_days: int
    max_per_day: int | None
    cancellation_free_hours: int
    late_cancellation_refund_percent: int
    requires_approval: bool
    capacity: int | None
    published: bool


class ProfileOut(msgspec.Struct):
    id: UUID
    display_name: str
    headline: str
    bio: str
    specialties: list[str]
    languages: list[str]
    timezone: str
    country: str
    photo_url: str | None
    published: bool
    created_at: datetime
    offerings: list[OfferingOut] = []
