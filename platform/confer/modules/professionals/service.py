"""Professionals: their public profile and their offerings (DESIGN §2: the module's public surface)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from confer.core.auth import Principal
from confer.core.errors import Conflict, InvalidInput, NotFound
from confer.core.runtime import Runtime
from confer.core.timezones import checked_zone
from confer.modules.professionals.schemas import OfferingCreate, OfferingOut, ProfileIn, ProfileOut
from confer.modules.professionals.tables import Offering, ProfessionalProfile
from confer.modules.professionals.taxonomy import SPECIALTIES

PROFILE_COLUMNS = (
    "id, display_name, headline, bio, specialties, languages, timezone, country, photo_url, published, created_at"
)


class ProfileRequired(Conflict):
    type = "profile-required"
    title = "Create your professional profile first"


async def save_profile(runtime: Runtime, principal: Principal, data: ProfileIn) -> ProfileOut:
    """Create or replace the caller's profile (professionals only)."""
    principal.require_role("professional", "admin")
    checked_zone("timezone", data.timezone)
    unknown = sorted(set(data.specialties) - SPECIALTIES)
    if unknown:
        raise InvalidInput(
            "specialties", f"unknown: {', '.join(unknown)}; choose from {', '.join(sorted(SPECIALTIES))}"
        )
    now = runtime.clock.now()
    await ProfessionalProfile.raw(
        "INSERT INTO professional_profile (id, account, display_name, headline, bio, specialties, languages, timezone,"
        " country, photo_url, published, created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {},"
        " {}, {}) ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, headline = EXCLUDED.headline,"
        " bio = EXCLUDED.bio, specialties = EXCLUDED.specialties, languages = EXCLUDED.languages,"
        " timezone = EXCLUDED.timezone, country = EXCLUDED.country, photo_url = EXCLUDED.photo_url,"
        " published = EXCLUDED.published, updated_at = EXCLUDED.updated_at",
        principal.user_id,
        principal.user_id,
        data.display_name.strip(),
        data.headline,
        data.bio,
        sorted(set(data.specialties)),
        list(dict.fromkeys(data.languages)),
        data.timezone,
        data.country,
        data.photo_url,
        data.published,
        now,
        now,
    )
    return await _profile(principal.user_id, published_only=False)


async def my_profile(principal: Principal) -> ProfileOut | None:
    """The caller's profile as they see it, unpublished parts included; None before they create one."""
    principal.require_role("professional", "admin")
    try:
        return await _profile(principal.user_id, published_only=False)
    except NotFound:
        return None


async def public_profile(professional_id: UUID) -> ProfileOut:
    """A published profile with its published offerings; anything else is 'not found'."""
    return await _profile(professional_id, published_only=True)


async def create_offering(runtime: Runtime, principal: Principal, data: OfferingCreate) -> OfferingOut:
    principal.require_role("professional", "admin")
    if not await ProfessionalProfile.exists().where(ProfessionalProfile.id == principal.user_id):
        raise ProfileRequired()
    _check_offering(runtime, data)
    values = {field: getattr(data, field) for field in data.__struct_fields__}
    offering = Offering(id=uuid4(), professional=principal.user_id, created_at=runtime.clock.now(), **values)
    await Offering.insert(offering).run()
    return await offering_by_id(offering.id)


async def replace_offering(
    runtime: Runtime, principal: Principal, offering_id: UUID, data: OfferingCreate
) -> OfferingOut:
    """New terms for one of the caller's offerings; someone else's is 'not found', like one that does not exist."""
    principal.require_role("professional", "admin")
    current = (
        await Offering.select(Offering.kind)
        .where((Offering.id == offering_id) & (Offering.professional == principal.user_id))
        .first()
    )
    if current is None:
        raise NotFound("no such offering")
    if current["kind"] != data.kind:
        raise InvalidInput("kind", "an offering keeps its kind; create a new one instead")
    _check_offering(runtime, data)
    values = {getattr(Offering, field): getattr(data, field) for field in data.__struct_fields__}
    await Offering.update(values).where(Offering.id == offering_id)
    return await offering_by_id(offering_id)


def _check_offering(runtime: Runtime, data: OfferingCreate) -> None:
    if data.kind == "class" and data.capacity is None:
        raise InvalidInput("capacity", "a class needs a capacity")
    if data.kind == "consultation" and data.capacity is not None:
        raise InvalidInput("capacity", "a consultation is one-to-one; leave capacity out")
    if data.price_minor > 0 and data.published:
        _check_payable(runtime, data.currency)


def payments_enabled(runtime: Runtime) -> bool:
    """Whether clients can pay here: the payments module is enabled and has its Stripe keys. (Read from its settings
    section by name: this module does not require that one.)"""
    return bool(getattr(runtime.module_settings.get("payments"), "enabled", False))


def _check_payable(runtime: Runtime, currency: str) -> None:
    """A paid offering is published only where clients can pay for it, in a currency payments take."""
    if not payments_enabled(runtime):
        raise InvalidInput(
            "price_minor",
            "payments are not configured on this server (CONFER_PAYMENTS_*): publish it free, or unpublished for now",
        )
    accepted: list[str] = getattr(runtime.module_settings["payments"], "currencies", [])
    if currency not in accepted:
        raise InvalidInput("currency", f"payments here take {', '.join(accepted)}")


async def my_offerings(principal: Principal) -> list[OfferingOut]:
    rows = (
        await Offering.select(*_OFFERING_COLUMNS)
        .where(Offering.professional == principal.user_id)
        .order_by(Offering.created_at)
    )
    return [_offering_out(row) for row in rows]


async def offering_by_id(offering_id: UUID) -> OfferingOut:
    row = await Offering.select(*_OFFERING_COLUMNS).where(Offering.id == offering_id).first()
    if row is None:
        raise NotFound("no such offering")
    return _offering_out(row)


async def bookable_offering(offering_id: UUID) -> tuple[OfferingOut, str]:
    """A published offering of a published professional, with the professional's zone; else 'not found'."""
    row = (
        await Offering.select(*_OFFERING_COLUMNS, Offering.professional.timezone.as_alias("zone"))
        .where(
            (Offering.id == offering_id)
            & (Offering.published == True)  # noqa: E712 - Piccolo builds SQL from this
            & (Offering.professional.published == True)  # noqa: E712
        )
        .first()
    )
    if row is None:
        raise NotFound("no such offering")
    zone = row.pop("zone")
    return _offering_out(row), zone


_OFFERING_COLUMNS = (
    Offering.id,
    Offering.professional,
    Offering.kind,
    Offering.title,
    Offering.description,
    Offering.duration_minutes,
    Offering.slot_step_minutes,
    Offering.price_minor,
    Offering.currency,
    Offering.buffer_before_minutes,
    Offering.buffer_after_minutes,
    Offering.min_notice_minutes,
    Offering.horizon_days,
    Offering.max_per_day,
    Offering.cancellation_free_hours,
    Offering.late_cancellation_refund_percent,
    Offering.requires_approval,
    Offering.capacity,
    Offering.published,
)


def _offering_out(row: dict[str, Any]) -> OfferingOut:
    row["professional_id"] = row.pop("professional")
    return OfferingOut(**row)


async def _profile(professional_id: UUID, *, published_only: bool) -> ProfileOut:
    condition = " AND published" if published_only else ""
    rows = await ProfessionalProfile.raw(
        f"SELECT {PROFILE_COLUMNS} FROM professional_profile WHERE id = {{}}{condition}",  # noqa: S608 - constants
        professional_id,
    )
    if not rows:
        raise NotFound("no such professional")
    query = Offering.select(*_OFFERING_COLUMNS).where(Offering.professional == professional_id)
    if published_only:
        query = query.where(Offering.published == True)  # noqa: E712
    offerings = [_offering_out(row) for row in await query.order_by(Offering.created_at)]
    return ProfileOut(**rows[0], offerings=offerings)
