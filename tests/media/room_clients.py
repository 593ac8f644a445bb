"""Clients that enter rooms the way the web and mobile apps do: with nothing but the join API's answer."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from confer.core.media.janus_auth import signed_token
from confer.core.runtime import Runtime
from confer.modules.video.settings import VideoSettings
from tests.media import peers
from tests.media.peers import Participant, Publisher, Subscriber, participant


def signed_for(runtime: Runtime) -> str:
    """A Janus token as Confer signs them, for tests that talk to a node without a join answer."""
    secret = runtime.section("video", VideoSettings).janus_token_secret
    assert secret is not None
    return signed_token(secret, runtime.clock.now() + timedelta(hours=1))


async def publisher_from(answer: dict[str, Any], *, publisher_id: int | None = None) -> Publisher:
    return await peers.publisher(
        answer["server_url"],
        answer["room_id"],
        token=answer["token"],
        janus_token=answer["janus_token"],
        display=answer["display_name"],
        publisher_id=answer["feed_id"] if publisher_id is None else publisher_id,
        ticket=answer["ticket"],
    )


async def participant_from(answer: dict[str, Any]) -> Participant:
    """In the room without publishing (a class attendee): sees who publishes, and may subscribe."""
    return await participant(
        answer["server_url"],
        answer["room_id"],
        token=answer["token"],
        janus_token=answer["janus_token"],
        display=answer["display_name"],
        publisher_id=answer["feed_id"],
        ticket=answer["ticket"],
    )


async def subscriber_from(answer: dict[str, Any], feed: Publisher, me: Publisher | Participant) -> Subscriber:
    return await peers.subscriber(
        answer["server_url"],
        answer["room_id"],
        feed.publisher_id,
        token=None,
        janus_token=answer["janus_token"],
        private_id=me.private_id,
        ticket=answer["ticket"],
    )


@dataclass
class PublishingAttempt:
    """Someone publishing without the right to: joined, with the publish still under way in the background."""

    seat: Participant
    task: asyncio.Task[None]

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(BaseException):
            await self.task
        await self.seat.close()


async def publishing_attempt(answer: dict[str, Any], *, publisher_id: int) -> PublishingAttempt:
    seat = await participant(
        answer["server_url"],
        answer["room_id"],
        token=answer["token"],
        janus_token=answer["janus_token"],
        display=answer["display_name"],
        publisher_id=publisher_id,
        ticket=answer["ticket"],
    )
    return PublishingAttempt(seat, asyncio.create_task(seat.start_publishing()))
