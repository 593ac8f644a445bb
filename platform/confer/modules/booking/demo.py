"""Demo bookings: the demo client has an upcoming consultation with each of five demo professionals (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from confer.core.auth import Principal
from confer.core.errors import ConferError
from confer.core.runtime import Runtime
from confer.modules.booking import service
from confer.modules.booking.schemas import BookingCreate
from confer.modules.booking.tables import Booking

DEMO_CLIENT = "client@demo.confer.dev"
DEMO_PROFESSIONALS = [f"pro{n:02d}@demo.confer.dev" for n in range(1, 6)]


async def seed_demo(runtime: Runtime) -> list[str]:
    rows = await Booking.raw("SELECT id FROM account WHERE email = {}", DEMO_CLIENT)
    if not rows:
        return []
    client = Principal(user_id=rows[0]["id"], session_id=uuid4(), role="client")
    if not await Booking.exists().where(Booking.client == client.user_id):
        offerings = await Booking.raw(
            "SELECT DISTINCT ON (o.professional) o.id, o.professional FROM offering o JOIN account a ON "
            "a.id = o.professional WHERE a.email = ANY({}::varchar[]) AND o.kind = 'consultation' AND o.published "
            "ORDER BY o.professional, o.created_at",
            DEMO_PROFESSIONALS,
        )
        for offering in offerings:
            await _book_first_free(runtime, client, offering["id"], offering["professional"])
    count = await Booking.count().where(Booking.client == client.user_id)
    return [f"bookings      {count} upcoming for {DEMO_CLIENT}"]


async def _book_first_free(runtime: Runtime, client: Principal, offering_id: UUID, professional_id: UUID) -> None:
    first_day = runtime.clock.now().date() + timedelta(days=1)
    found = await service.slots(runtime, professional_id, offering_id, first_day, first_day + timedelta(days=13), "UTC")
    if found.slots:
        request = BookingCreate(offering_id=offering_id, starts_at=found.slots[0].starts_at)
        try:
            await service.book(runtime, client, request, idempotency_key=None)
        except ConferError:  # taken meanwhile: the demo does without this one
            return
