"""Demo professionals for ``confer dev`` / ``confer seed-demo``: 60 published practices across 12 time zones.

Each is a verified account (role professional, ``pro01@demo.confer.dev`` ... ``pro60@demo.confer.dev``, password
``DEMO_PASSWORD``) with a profile, one to three consultations and weekly hours in their own zone. Idempotent: a
professional whose account already exists is left as it is. The password is hashed once for all of them.
Classes and bookings are not part of the demo yet.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import NamedTuple
from uuid import UUID, uuid4

from confer.core.runtime import Runtime
from confer.modules.accounts.demo import DEMO_PASSWORD
from confer.modules.accounts.service import passwords
from confer.modules.professionals.service import payments_enabled
from confer.modules.professionals.tables import ProfessionalProfile

DEMO_COUNT = 60


class Place(NamedTuple):
    zone: str
    country: str
    currency: str
    languages: tuple[str, ...]
    price_factor: float
    """Prices are written in EUR-like amounts and scaled to the currency's minor units."""


PLACES = (
    Place("Asia/Kolkata", "IN", "INR", ("en", "hi"), 90.0),
    Place("Asia/Kathmandu", "NP", "NPR", ("ne", "en"), 140.0),
    Place("America/New_York", "US", "USD", ("en", "es"), 1.1),
    Place("Europe/London", "GB", "GBP", ("en",), 0.85),
    Place("Australia/Sydney", "AU", "AUD", ("en",), 1.6),
    Place("Europe/Paris", "FR", "EUR", ("fr", "en"), 1.0),
    Place("Europe/Berlin", "DE", "EUR", ("de", "en"), 1.0),
    Place("America/Los_Angeles", "US", "USD", ("en", "es"), 1.1),
    Place("America/Sao_Paulo", "BR", "BRL", ("pt", "es"), 5.5),
    Place("Asia/Tokyo", "JP", "JPY", ("ja", "en"), 1.6),
    Place("Africa/Lagos", "NG", "NGN", ("en", "yo"), 900.0),
    Place("America/St_Johns", "CA", "CAD", ("en", "fr"), 1.5),
)

FIRST_NAMES = (
    "Priya",
    "Aarav",
    "Sita",
    "Bikash",
    "Emma",
    "Noah",
    "Olivia",
    "Harry",
    "Chloe",
    "Jack",
    "Camille",
    "Louis",
    "Lena",
    "Felix",
    "Mia",
    "Ethan",
    "Ana",
    "Thiago",
    "Yui",
    "Haruto",
    "Chiamaka",
    "Tunde",
    "Sophie",
    "Liam",
    "Ishaan",
    "Ananya",
    "Pemba",
    "Asha",
    "Grace",
    "Daniel",
)
LAST_NAMES = (
    "Sharma",
    "Iyer",
    "Shrestha",
    "Gurung",
    "Johnson",
    "Miller",
    "Walker",
    "Evans",
    "Taylor",
    "Brown",
    "Martin",
    "Bernard",
    "Schmidt",
    "Weber",
    "Garcia",
    "Nguyen",
    "Souza",
    "Oliveira",
    "Sato",
    "Suzuki",
    "Okafor",
    "Adeyemi",
    "Tremblay",
    "Roy",
    "Kapoor",
    "Reddy",
    "Sherpa",
    "Thapa",
    "Wilson",
    "Clark",
)


class Practice(NamedTuple):
    specialties: tuple[str, ...]
    title: str
    headline: str
    bio: str
    offerings: tuple[tuple[str, int, int], ...]
    """(title, minutes, price in EUR-like whole units)"""


PRACTICES = (
    Practice(
        ("psychology", "psychotherapy"),
        "Clinical psychologist",
        "Evidence-based therapy for anxiety, stress and low mood",
        "I work with adults facing anxiety, burnout, grief and life transitions, using CBT and ACT.",
        (("Initial consultation", 50, 80), ("Therapy session", 50, 70), ("Short check-in", 25, 40)),
    ),
    Practice(
        ("coaching", "career"),
        "Career coach",
        "Find work that fits: career changes, interviews and negotiation",
        "Former recruiter helping professionals change careers, prepare interviews and negotiate offers.",
        (("Career strategy session", 60, 90), ("Interview practice", 45, 60)),
    ),
    Practice(
        ("nutrition",),
        "Registered dietitian",
        "Sustainable nutrition plans for energy, weight and gut health",
        "Personalised meal plans for diabetes, IBS, sports nutrition and healthy weight, without fad diets.",
        (("Nutrition assessment", 60, 75), ("Follow-up", 30, 40)),
    ),
    Practice(
        ("yoga", "meditation"),
        "Yoga teacher",
        "Private yoga and mindfulness for beginners and back pain",
        "Hatha and restorative yoga with breathing and meditation practice; gentle sessions for stiff backs.",
        (("Private yoga session", 60, 45), ("Guided meditation", 30, 20)),
    ),
    Practice(
        ("language-tutoring",),
        "Language tutor",
        "Conversation lessons and exam preparation (IELTS, DELF)",
        "Patient native-speaker tutor: conversation practice, grammar and exam preparation for all levels.",
        (("Conversation lesson", 45, 30), ("Exam preparation", 60, 45), ("Trial lesson", 25, 10)),
    ),
    Practice(
        ("programming", "mathematics"),
        "Software engineer and tutor",
        "Python, algorithms and maths tutoring for students and career changers",
        "Senior engineer teaching Python, data structures, calculus and statistics; code reviews and mentoring.",
        (("Tutoring session", 60, 55), ("Code review", 30, 35)),
    ),
    Practice(
        ("law",),
        "Immigration lawyer",
        "Visas, residence permits and citizenship applications",
        "Licensed attorney advising on work visas, family reunification, residence permits and appeals.",
        (("Legal consultation", 45, 120), ("Document review", 30, 80)),
    ),
    Practice(
        ("finance", "tax"),
        "Financial planner",
        "Budgeting, retirement planning and tax questions for freelancers",
        "Certified planner helping freelancers and families with budgets, pensions, investing basics and taxes.",
        (("Financial check-up", 60, 100), ("Tax question", 30, 50)),
    ),
    Practice(
        ("fitness", "physiotherapy"),
        "Physiotherapist",
        "Injury rehabilitation and strength programmes online",
        "Sports physiotherapist: knee, shoulder and back rehabilitation with home exercise programmes.",
        (("Assessment", 45, 60), ("Rehab follow-up", 30, 40)),
    ),
    Practice(
        ("parenting", "relationships"),
        "Family therapist",
        "Parenting support and couples counselling",
        "Helping parents with sleep, tantrums and teenagers, and couples with communication and conflict.",
        (("Parenting consultation", 50, 70), ("Couples session", 60, 95)),
    ),
    Practice(
        ("music",),
        "Piano teacher",
        "Piano lessons for adults and children, classical and jazz",
        "Conservatory-trained pianist teaching technique, reading, improvisation and exam pieces.",
        (("Piano lesson", 45, 35), ("Trial lesson", 20, 0)),
    ),
    Practice(
        ("business", "marketing"),
        "Startup advisor",
        "Go-to-market, pricing and fundraising advice for founders",
        "Two-time founder advising early-stage startups on positioning, pricing, marketing and pitch decks.",
        (("Founder session", 60, 150), ("Pitch deck review", 30, 70)),
    ),
)

# (weekdays, start, end) patterns of weekly hours, in the professional's own zone.
HOURS = (
    ((1, 2, 3, 4, 5), time(9), time(17)),
    ((1, 2, 3, 4, 5), time(8, 30), time(12, 30)),
    ((1, 3, 5, 6), time(14), time(20)),
    ((2, 4, 6, 7), time(10), time(16)),
    ((1, 2, 3, 4, 5, 6), time(7), time(11)),
    ((1, 2, 3, 4), time(18), None),
)


class DemoProfessional(NamedTuple):
    email: str
    name: str
    place: Place
    practice: Practice
    hours: tuple[tuple[int, ...], time, time | None]


def demo_professionals() -> list[DemoProfessional]:
    """The 60 demo professionals, always the same ones in the same order."""
    found = []
    for index in range(DEMO_COUNT):
        last = LAST_NAMES[(index * 7 + index // len(FIRST_NAMES)) % len(LAST_NAMES)]
        name = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {last}"
        found.append(
            DemoProfessional(
                email=f"pro{index + 1:02d}@demo.confer.dev",
                name=name,
                place=PLACES[index % len(PLACES)],
                practice=PRACTICES[(index * 5 + index // len(PLACES)) % len(PRACTICES)],
                hours=HOURS[index % len(HOURS)],
            )
        )
    return found


async def seed_demo(runtime: Runtime) -> list[str]:
    """Add the demo professionals that do not exist yet, then compute everyone's next free slot."""
    wanted = demo_professionals()
    existing = {
        row["email"]
        for row in await ProfessionalProfile.raw(
            "SELECT email FROM account WHERE email = ANY({}::varchar[])", [p.email for p in wanted]
        )
    }
    missing = [p for p in wanted if p.email not in existing]
    if missing:
        password_hash = await passwords(runtime).hash(DEMO_PASSWORD)
        present = await ProfessionalProfile.raw("SELECT to_regclass('availability_rule') IS NOT NULL AS calendar")
        async with runtime.engine.transaction():
            for index, professional in enumerate(missing):
                await _create(runtime, professional, password_hash, variant=index, hours=present[0]["calendar"])
    ids = [
        row["id"]
        for row in await ProfessionalProfile.raw(
            "SELECT p.id FROM professional_profile p JOIN account a ON a.id = p.account"
            " WHERE a.email = ANY({}::varchar[])",
            [p.email for p in wanted],
        )
    ]
    zones = len({p.place.zone for p in wanted})
    return [
        f"professionals {len(ids)} demo practices in {zones} time zones: pro01..pro{DEMO_COUNT:02d}@demo.confer.dev"
        f"  password: {DEMO_PASSWORD}"
    ]


async def _create(
    runtime: Runtime, professional: DemoProfessional, password_hash: str, *, variant: int, hours: bool
) -> None:
    """One professional; their weekly hours only if the calendar module's table is there."""
    now = runtime.clock.now() - timedelta(days=1)
    account_id = uuid4()
    place, practice = professional.place, professional.practice
    paid = payments_enabled(runtime)
    await ProfessionalProfile.raw(
        "INSERT INTO account (id, email, password_hash, name, role, timezone, locale, email_verified_at, created_at,"
        " updated_at) VALUES ({}, {}, {}, {}, 'professional', {}, {}, {}, {}, {})",
        account_id,
        professional.email,
        password_hash,
        professional.name,
        place.zone,
        place.languages[0],
        now,
        now,
        now,
    )
    await ProfessionalProfile.raw(
        "INSERT INTO professional_profile (id, account, display_name, headline, bio, specialties, languages, timezone,"
        " country, published, created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, true, {}, {})",
        account_id,
        account_id,
        professional.name,
        f"{practice.title} · {practice.headline}",
        practice.bio,
        list(practice.specialties),
        list(place.languages),
        place.zone,
        place.country,
        now,
        now,
    )
    for number, (title, minutes, price) in enumerate(practice.offerings[: 1 + variant % 3]):
        # without payments configured, paid offerings cannot be published: the demo's are free then
        price_minor = _price_minor(price, place) if paid else 0
        await _offering(account_id, title, minutes, price_minor, place.currency, number, now)
    weekdays, start, end = professional.hours
    for weekday in weekdays if hours else ():
        await ProfessionalProfile.raw(
            'INSERT INTO availability_rule (id, professional, weekday, start, "end") VALUES ({}, {}, {}, {}, {})',
            uuid4(),
            account_id,
            weekday,
            start,
            end,
        )


async def _offering(
    professional_id: UUID, title: str, minutes: int, price_minor: int, currency: str, number: int, now: datetime
) -> None:
    await ProfessionalProfile.raw(
        "INSERT INTO offering (id, professional, kind, title, description, duration_minutes, slot_step_minutes,"
        " price_minor, currency, buffer_before_minutes, buffer_after_minutes, min_notice_minutes, horizon_days,"
        " cancellation_free_hours, late_cancellation_refund_percent, requires_approval, published, created_at)"
        " VALUES ({}, {}, 'consultation', {}, '', {}, {}, {}, {}, 0, {}, {}, 60, 24, 50, false, true, {})",
        uuid4(),
        professional_id,
        title,
        minutes,
        15 if minutes < 30 else 30,
        price_minor,
        currency,
        10 if number == 0 else 0,
        120 + 60 * number,
        now,
    )


def _price_minor(price: int, place: Place) -> int:
    """A round price in the place's currency (JPY has no minor unit; the others have cents)."""
    local = price * place.price_factor
    if place.currency == "JPY":
        return int(round(local, -2))
    return round(local) * 100
