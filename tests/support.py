"""What many tests need: a real SMTP server's mailbox, and short-hands for registering and signing in."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, ClassVar

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from litestar import Litestar

PASSWORD = "a long and unusual passphrase"
VERIFYING_AT_ONCE = asyncio.Semaphore(2)
"""Registrations confirmed at once: a crowd of new accounts (200 in the booking race) waits its turn rather than
flooding the in-process worker's mail jobs and the shared pool (measured: 2 at a time is the quickest here)."""
PROBLEM_JSON = "application/problem+json"


class Mailbox:
    """Messages received by the test SMTP server, in arrival order."""

    session: ClassVar[Mailbox | None] = None
    """The mailbox of this test session's SMTP server: ``register`` confirms new addresses with the links mailed
    there. A test serving an app that mails elsewhere sets it to None (monkeypatch) and turns verification off."""

    def __init__(self) -> None:
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd
        message = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        with self._lock:
            self._messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self._messages if m["To"] == address]

    async def wait_for(self, address: str, subject: str, *, timeout: float = 20.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.to(address):
                if subject.lower() in str(message["Subject"]).lower():
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError(f"no mail to {address} about {subject!r} within {timeout} s")

    async def link_token(self, address: str, subject: str) -> str:
        """The ``token`` query parameter of the link in the newest matching mail."""
        message = await self.wait_for(address, subject)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        match = re.search(r"token=([A-Za-z0-9_\-]+)", body.get_content())
        assert match, "the mail has no link with a token"
        return match.group(1)


@contextlib.asynccontextmanager
async def serving(app: Litestar, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on ``port`` (any free one by default) of ``host`` (loopback, or an address of a
    test's own network namespace link), in this event loop; yield its base URL."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False)
    server = uvicorn.Server(config)  # as `confer serve`: forwarding headers are read by the app, never by uvicorn
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task


def start_smtp_server() -> tuple[Mailbox, Controller]:
    mailbox = Mailbox()
    mailbox.port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    Mailbox.session = mailbox
    return mailbox, controller


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def register(
    client: httpx.AsyncClient,
    email: str,
    *,
    password: str = PASSWORD,
    name: str = "Test Person",
    role: str = "client",
    timezone: str = "Europe/Paris",
    verified: bool = True,
) -> dict[str, Any]:
    """Register an account; ``verified`` also confirms its address the way a person does, with the mailed link
    (booking, paying, enrolling and publishing need a confirmed address)."""
    confirm = verified and Mailbox.session is not None
    async with VERIFYING_AT_ONCE if confirm else contextlib.nullcontext():
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": password, "name": name, "role": role, "timezone": timezone},
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        if confirm:
            body = await verify_email(client, body["email"])
    return body


async def verify_email(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    """Open the verification link mailed to ``email`` (through the session's real SMTP server)."""
    assert Mailbox.session is not None, "no test SMTP server receives this app's mail"
    token = await Mailbox.session.link_token(email, "confirm your e-mail")
    response = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, *, user_agent: str = "pytest"
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers={"User-Agent": user_agent}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(tokens: dict[str, Any] | str) -> dict[str, str]:
    token = tokens if isinstance(tokens, str) else tokens["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def signed_in(client: httpx.AsyncClient, email: str, **kwargs: Any) -> dict[str, Any]:
    await register(client, email, **kwargs)
    return await login(client, email)


def assert_problem(response: httpx.Response, status: int, problem_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if problem_type:
        assert body["type"].endswith("/" + problem_type), body
    assert "Traceback" not in response.text
    return body
