"""Demo classes: six demo professionals teach a weekly group class for eight weeks, and the demo client has a seat
in the first session of each (idempotent)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from confer.core.auth import Principal
from confer.core.errors import ConferError
from confer.core.runtime import Runtime
from confer.modules.classes import service
from confer.modules.classes.schemas import SessionsCreate
from confer.modules.classes.tables import ClassSession
from confer.modules.professionals import service as professionals
from confer.modules.professionals.schemas import OfferingCreate

DEMO_CLIENT = "client@demo.confer.dev"
TEACHERS = [f"pro{n:02d}@demo.confer.dev" for n in range(6, 12)]


async def seed_demo(runtime: Runtime) -> list[str]:
    teachers = await ClassSession.raw(
        "SELECT a.id, p.timezone, p.display_name FROM account a JOIN professional_profile p ON p.id = a.id "
        "WHERE a.email = ANY({}::varchar[]) AND NOT EXISTS (SELECT 1 FROM offering o WHERE o.professional = a.id "
        "AND o.kind = 'class')",
        TEACHERS,
    )
    client = await ClassSession.raw("SELECT id FROM account WHERE email = {}", DEMO_CLIENT)
    for teacher in teachers:
        await _open_class(runtime, teacher["id"], teacher["timezone"], client[0]["id"] if client else None)
    classes = await ClassSession.count().where(ClassSession.status == "scheduled")
    return [f"classes       {classes} scheduled group sessions (pro06..pro11@demo.confer.dev teach)"]


async def _open_class(runtime: Runtime, teacher_id: UUID, zone: str, client_id: UUID | None) -> None:
    teacher = Principal(user_id=teacher_id, session_id=uuid4(), role="professional")
    offering = await professionals.create_offering(
        runtime,
        teacher,
        OfferingCreate(
            kind="class",
            title="Weekly group session",
            duration_minutes=60,
            price_minor=1500 if professionals.payments_enabled(runtime) else 0,
            currency="EUR",
            capacity=12,
            description="A small group, the same evening each week.",
        ),
    )
    local = runtime.clock.now().astimezone(ZoneInfo(zone)).date()
    next_monday = local + timedelta(days=7 - local.weekday())
    first = datetime.combine(next_monday, time(19), tzinfo=ZoneInfo(zone))
    try:
        sessions = await service.schedule_sessions(
            runtime, teacher, offering.id, SessionsCreate(first_starts_at=first, rrule="FREQ=WEEKLY;COUNT=8")
        )
    except ConferError:  # the evening is taken by a demo booking: the demo does without this class
        return
    if client_id is not None and sessions:
        await service.enrol(runtime, Principal(user_id=client_id, session_id=uuid4(), role="client"), sessions[0].id)
