"""Professionals' public profiles and what they offer."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Array,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from confer.modules.accounts.tables import Account


class ProfessionalProfile(Table, tablename="professional_profile"):
    account = ForeignKey(Account, on_delete=OnDelete.cascade, unique=True)
    id = UUID(primary_key=True)
    """The same value as ``account``: a professional has one profile, and its id is theirs."""
    display_name = Varchar(length=120)
    headline = Varchar(length=200, default="")
    bio = Text(default="")
    specialties = Array(base_column=Varchar(length=40))
    languages = Array(base_column=Varchar(length=8))
    timezone = Varchar(length=64)
    country = Varchar(length=2)
    photo_url = Varchar(length=2048, null=True, default=None)
    published = Boolean(default=False, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Offering(Table, tablename="offering"):
    id = UUID(primary_key=True)
    professional = ForeignKey(ProfessionalProfile, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20)
    title = Varchar(length=120)
    description = Text(default="")
    duration_minutes = SmallInt()
    slot_step_minutes = SmallInt()
    price_minor = Integer()
    currency = Varchar(length=3)
    buffer_before_minutes = SmallInt(default=0)
    buffer_after_minutes = SmallInt(default=0)
    min_notice_minutes = Integer(default=0)
    horizon_days = SmallInt(default=60)
    max_per_day = SmallInt(null=True, default=None)
    cancellation_free_hours = SmallInt(default=24)
    late_cancellation_refund_percent = SmallInt(default=0)
    requires_approval = Boolean(default=False)
    capacity = SmallInt(null=True, default=None)
    published = Boolean(default=True)
    created_at = Timestamptz()
