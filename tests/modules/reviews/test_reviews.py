"""Reviews through the running app: who may review, reply, edit and hide; aggregates exact after every change and
under concurrent reviews, and read back through search."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.core.tables import OutboxEvent
from confer.modules.accounts import service as accounts
from tests.modules.booking.test_booking import Practice, book, free_slots, open_practice
from tests.support import PASSWORD, assert_problem, bearer, login, register, signed_in

PRO = "pro@example.org"
ADMIN = "admin@example.org"


class Visit:
    """A client and their booking with the practice."""

    def __init__(self, email: str, booking: dict[str, Any]) -> None:
        self.email = email
        self.booking = booking
        self.headers: dict[str, str] = {}

    @property
    def review_url(self) -> str:
        return f"/api/v1/bookings/{self.booking['id']}/review"


async def visits(client: httpx.AsyncClient, count: int, *, days: int = 3) -> tuple[Practice, list[Visit]]:
    """A practice and ``count`` clients, each with a confirmed booking of their own slot."""
    practice = await open_practice(client, PRO)
    slots = await free_slots(client, practice, days=days)
    assert len(slots) >= count
    emails = [f"client{n}@example.org" for n in range(count)]
    tokens = await asyncio.gather(
        *(signed_in(client, email, name=f"Client{n} Person") for n, email in enumerate(emails))
    )
    booked = await asyncio.gather(
        *(book(client, bearer(t), practice, slot) for t, slot in zip(tokens, slots, strict=False))
    )
    return practice, [Visit(email, booking) for email, booking in zip(emails, booked, strict=True)]


async def after(client: httpx.AsyncClient, clock: OffsetClock, instant: datetime, *emails: str) -> list[dict[str, str]]:
    """Move the app's clock to ``instant`` and sign the people in again (their tokens have expired by then)."""
    clock.advance(instant - clock.now())
    return [bearer(t) for t in await asyncio.gather(*(login(client, email) for email in emails))]


async def complete(client: httpx.AsyncClient, clock: OffsetClock, practice: Practice, done: list[Visit]) -> None:
    """Move past the end of every booking, sign everyone in again, and have the professional complete ``done``."""
    latest = max(datetime.fromisoformat(v.booking["ends_at"]) for v in done)
    [pro, *clients] = await after(client, clock, latest + timedelta(minutes=1), PRO, *(v.email for v in done))
    practice.tokens = {"access_token": pro["Authorization"].removeprefix("Bearer ")}
    for visit, headers in zip(done, clients, strict=True):
        visit.headers = headers
    answers = await asyncio.gather(
        *(client.post(f"/api/v1/bookings/{v.booking['id']}/complete", headers=pro) for v in done)
    )
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]


async def an_admin(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    await accounts.create_admin(runtime, ADMIN, "Ada Admin", PASSWORD)
    return bearer(await login(client, ADMIN))


async def summary(client: httpx.AsyncClient, practice: Practice) -> dict[str, Any]:
    page = await client.get(f"/api/v1/professionals/{practice.id}/reviews")
    assert page.status_code == 200, page.text
    result: dict[str, Any] = page.json()["summary"]
    return result


async def search_card(
    client: httpx.AsyncClient, practice: Practice, min_rating: float | None = None
) -> dict[str, Any] | None:
    params: dict[str, Any] = {"sort": "rating"} if min_rating is None else {"sort": "rating", "min_rating": min_rating}
    found = await client.get("/api/v1/professionals", params=params)
    assert found.status_code == 200, found.text
    cards = [c for c in found.json()["items"] if c["id"] == practice.id]
    return cards[0] if cards else None


def bayesian(ratings: list[int], prior: int = 4, weight: int = 5) -> float:
    return rounded(Decimal(weight * prior + sum(ratings)) / (weight + len(ratings)), 4)


def average(ratings: list[int]) -> float:
    return rounded(Decimal(sum(ratings)) / len(ratings), 2)


def rounded(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


async def test_only_the_client_of_a_completed_booking_reviews_it_once(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, [patient, waiting] = await visits(client, 2)
    stranger_email = "stranger@example.org"
    await register(client, stranger_email)
    await complete(client, clock, practice, [patient])
    waiting.headers, stranger = [bearer(await login(client, e)) for e in (waiting.email, stranger_email)]
    pro = bearer(practice.tokens)
    good = {"rating": 5, "text": "Very <b>helpful</b>\u0007 session.\n"}

    assert_problem(
        await client.post(waiting.review_url, headers=waiting.headers, json=good), 409, "booking-not-completed"
    )
    assert_problem(await client.post(patient.review_url, headers=pro, json=good), 403)
    assert_problem(await client.post(patient.review_url, headers=stranger, json=good), 404)
    assert_problem(await client.post(patient.review_url, json=good), 401)
    for bad in (
        {"rating": 0},
        {"rating": 6},
        {"rating": 4.5},
        {"rating": True},
        {"text": "no stars"},
        {"rating": 4, "text": "x" * 2001},
        {"rating": 4, "unknown": 1},
    ):
        assert_problem(await client.post(patient.review_url, headers=patient.headers, json=bad), 422)
    assert_problem(await client.get(patient.review_url, headers=patient.headers), 404)

    created = await client.post(patient.review_url, headers=patient.headers, json=good)
    assert created.status_code == 201, created.text
    review = created.json()
    assert (review["rating"], review["text"], review["hidden"], review["reply"]) == (
        5,
        "Very <b>helpful</b> session.",
        False,
        None,
    )
    assert review["professional_id"] == practice.id
    assert_problem(await client.post(patient.review_url, headers=patient.headers, json=good), 409, "already-reviewed")

    for party in (patient.headers, pro):
        seen = await client.get(patient.review_url, headers=party)
        assert seen.status_code == 200, seen.text
        assert seen.json()["id"] == review["id"]
    assert_problem(await client.get(patient.review_url, headers=stranger), 404)


async def test_two_concurrent_first_reviews_of_one_booking_make_one_review(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, [patient] = await visits(client, 1)
    await complete(client, clock, practice, [patient])
    answers = await asyncio.gather(
        *(client.post(patient.review_url, headers=patient.headers, json={"rating": 4}) for _ in range(6))
    )
    assert sorted(Counter(a.status_code for a in answers).items()) == [(201, 1), (409, 5)]
    assert (await summary(client, practice))["count"] == 1


async def test_the_professional_replies_once_and_nobody_else_does(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, [patient] = await visits(client, 1)
    await register(client, "stranger@example.org")
    await complete(client, clock, practice, [patient])
    stranger = bearer(await login(client, "stranger@example.org"))
    review = (await client.post(patient.review_url, headers=patient.headers, json={"rating": 2, "text": "Late"})).json()
    reply = f"/api/v1/reviews/{review['id']}/reply"
    pro = bearer(practice.tokens)

    assert_problem(await client.post(reply, headers=patient.headers, json={"text": "me too"}), 403)
    assert_problem(await client.post(reply, headers=stranger, json={"text": "hi"}), 404)
    assert_problem(await client.post(reply, headers=pro, json={"text": " \u0001 "}), 422)
    assert_problem(await client.post(reply, headers=pro, json={"text": "x" * 2001}), 422)
    answered = await client.post(reply, headers=pro, json={"text": "Sorry, the train was late."})
    assert answered.status_code == 200, answered.text
    assert answered.json()["reply"]["text"] == "Sorry, the train was late."
    assert_problem(await client.post(reply, headers=pro, json={"text": "Again"}), 409, "already-replied")
    listed = (await client.get(f"/api/v1/professionals/{practice.id}/reviews")).json()["items"]
    assert [(r["author_name"], r["reply"]["text"]) for r in listed] == [("Client0", "Sorry, the train was late.")]


async def test_the_author_edits_within_fourteen_days_and_the_aggregate_follows(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, [patient] = await visits(client, 1)
    await complete(client, clock, practice, [patient])
    pro = bearer(practice.tokens)
    review = (await client.post(patient.review_url, headers=patient.headers, json={"rating": 2, "text": "Meh"})).json()
    edit = f"/api/v1/reviews/{review['id']}"

    assert_problem(await client.patch(edit, headers=pro, json={"rating": 5}), 403)
    await register(client, "stranger@example.org")
    stranger = bearer(await login(client, "stranger@example.org"))
    assert_problem(await client.patch(edit, headers=stranger, json={"rating": 5}), 404)
    assert_problem(await client.patch(edit, headers=patient.headers, json={}), 422)
    assert_problem(await client.patch(edit, headers=patient.headers, json={"rating": 9}), 422)
    asked_at = clock.now()
    changed = await client.patch(edit, headers=patient.headers, json={"rating": 4})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["rating"], changed.json()["text"]) == (4, "Meh")
    assert asked_at <= datetime.fromisoformat(changed.json()["edited_at"]) <= clock.now()  # by the app's clock
    assert await summary(client, practice) == {
        "count": 1,
        "average": 4.0,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0},
        "bayesian_average": bayesian([4]),
    }

    later = datetime.fromisoformat(review["created_at"]) + timedelta(days=14, minutes=1)
    [patient.headers] = await after(client, clock, later, patient.email)
    assert_problem(
        await client.patch(edit, headers=patient.headers, json={"text": "too late"}), 409, "review-edit-window-closed"
    )
    assert (await client.get(patient.review_url, headers=patient.headers)).json()["text"] == "Meh"


async def test_aggregates_follow_reviews_edits_hiding_and_reach_search(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    practice, people = await visits(client, 4)
    await complete(client, clock, practice, people)
    admin = await an_admin(client, runtime)
    assert await summary(client, practice) == {
        "count": 0,
        "average": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
        "bayesian_average": 4.0,
    }
    unrated = await search_card(client, practice)
    assert unrated is not None
    assert (unrated["rating_avg"], unrated["rating_count"]) == (None, 0)
    assert await search_card(client, practice, 0) is None  # search's min_rating leaves out the unrated

    reviews = []
    for visit, rating in zip(people, (5, 4, 4, 1), strict=True):
        made = await client.post(visit.review_url, headers=visit.headers, json={"rating": rating, "text": "ok"})
        assert made.status_code == 201, made.text
        reviews.append(made.json())
    assert await summary(client, practice) == {
        "count": 4,
        "average": 3.5,
        "distribution": {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1},
        "bayesian_average": bayesian([5, 4, 4, 1]),
    }
    card = await search_card(client, practice, 3.5)
    assert card is not None
    assert (card["rating_avg"], card["rating_count"]) == (3.5, 4)
    assert await search_card(client, practice, 3.51) is None

    hide = f"/api/v1/reviews/{reviews[3]['id']}/hide"
    unhide = f"/api/v1/reviews/{reviews[3]['id']}/unhide"
    for not_admin in (people[3].headers, bearer(practice.tokens)):
        assert_problem(await client.post(hide, headers=not_admin), 403)
    hidden = await client.post(hide, headers=admin)
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["hidden"] is True
    assert (await client.post(hide, headers=admin)).status_code == 200  # hiding twice takes it out once
    assert await summary(client, practice) == {
        "count": 3,
        "average": 4.33,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
        "bayesian_average": bayesian([5, 4, 4]),
    }
    listed = (await client.get(f"/api/v1/professionals/{practice.id}/reviews")).json()["items"]
    assert [r["id"] for r in listed] == [r["id"] for r in reversed(reviews[:3])]  # newest first, the hidden one out
    card = await search_card(client, practice, 4.25)
    assert card is not None
    assert (card["rating_avg"], card["rating_count"]) == (4.33, 3)
    assert await search_card(client, practice, 4.5) is None
    still = await client.get(people[3].review_url, headers=people[3].headers)
    assert still.json()["hidden"] is True  # its author still sees it

    # The author edits a hidden review: it stays out of the numbers.
    edited = await client.patch(f"/api/v1/reviews/{reviews[3]['id']}", headers=people[3].headers, json={"rating": 3})
    assert edited.status_code == 200, edited.text
    assert (await summary(client, practice))["count"] == 3

    assert_problem(await client.post(unhide, headers=people[3].headers), 403)
    shown = await client.post(unhide, headers=admin)
    assert shown.status_code == 200, shown.text
    assert shown.json()["hidden"] is False
    assert (await client.post(unhide, headers=admin)).status_code == 200
    assert await summary(client, practice) == {
        "count": 4,
        "average": 4.0,
        "distribution": {"1": 0, "2": 0, "3": 1, "4": 2, "5": 1},
        "bayesian_average": bayesian([5, 4, 4, 3]),
    }
    card = await search_card(client, practice, 4)
    assert card is not None
    assert (card["rating_avg"], card["rating_count"]) == (4.0, 4)
    published = await OutboxEvent.select(OutboxEvent.topic).where(OutboxEvent.topic.like("reviews.%"))
    assert Counter(row["topic"] for row in published) == {
        "reviews.created": 4,
        "reviews.hidden": 1,
        "reviews.edited": 1,
        "reviews.unhidden": 1,
    }
    assert_problem(await client.post("/api/v1/reviews/00000000-0000-4000-8000-000000000000/hide", headers=admin), 404)


async def test_many_clients_reviewing_one_professional_at_once_are_all_counted(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, people = await visits(client, 40)
    await complete(client, clock, practice, people)
    ratings = [1 + n % 5 for n in range(len(people))]
    ratings[:2] = [5, 3]  # 125 stars in 40 reviews: an average of 3.125, rounded half up as PostgreSQL does
    answers = await asyncio.gather(
        *(
            client.post(visit.review_url, headers=visit.headers, json={"rating": rating, "text": f"review {n}"})
            for n, (visit, rating) in enumerate(zip(people, ratings, strict=True))
        )
    )
    assert [a.status_code for a in answers] == [201] * len(people), [a.text for a in answers if a.status_code != 201]
    counted = await summary(client, practice)
    assert counted["count"] == len(ratings)
    assert counted["distribution"] == {str(n): ratings.count(n) for n in range(1, 6)}
    assert counted["average"] == average(ratings) == 3.13
    assert counted["bayesian_average"] == bayesian(ratings)
    card = await search_card(client, practice)
    assert card is not None
    assert (card["rating_count"], card["rating_avg"]) == (len(ratings), average(ratings))

    # The public list pages through every one of them, newest first.
    seen: list[str] = []
    cursor = None
    while True:
        page = await client.get(
            f"/api/v1/professionals/{practice.id}/reviews", params={"cursor": cursor} if cursor else {}
        )
        assert page.status_code == 200, page.text
        seen += [r["created_at"] for r in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(ratings)
    assert seen == sorted(seen, reverse=True)
    bad = await client.get(f"/api/v1/professionals/{practice.id}/reviews", params={"cursor": "nonsense"})
    assert_problem(bad, 422)


@pytest.mark.parametrize("who", ["unknown", "unpublished"])
async def test_the_reviews_of_someone_who_is_not_a_published_professional_are_not_found(
    client: httpx.AsyncClient, who: str
) -> None:
    if who == "unknown":
        target = "00000000-0000-4000-8000-000000000000"
    else:
        practice = await open_practice(client, PRO)
        hidden = await client.put(
            "/api/v1/me/professional",
            headers=bearer(practice.tokens),
            json={"display_name": "Dr Example", "timezone": "Europe/Paris", "country": "FR", "published": False},
        )
        assert hidden.status_code == 200, hidden.text
        target = practice.id
    assert_problem(await client.get(f"/api/v1/professionals/{target}/reviews"), 404)
