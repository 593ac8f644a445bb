"""Outgoing mail: an SMTP backend (aiosmtplib) for real deployments and a console backend for ``confer dev``."""

from __future__ import annotations

import sys
from email.message import EmailMessage
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

import aiosmtplib
import msgspec
import structlog

from confer.settings import Settings

log = structlog.get_logger("confer.mail")


class Attachment(msgspec.Struct, frozen=True):
    filename: str
    content_type: str
    """``maintype/subtype`` plus parameters, e.g. ``text/calendar; method=REQUEST``."""
    data: bytes


class Mail(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = []
    message_id: str | None = None
    """A stable ``Message-ID`` for a mail that may be sent again after a crash, so the same mail is recognised."""


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def _message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    if mail.message_id:
        message["Message-ID"] = mail.message_id
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        kind, _, parameters = attachment.content_type.partition(";")
        maintype, _, subtype = kind.strip().partition("/")
        params = dict(p.strip().split("=", 1) for p in parameters.split(";") if "=" in p)
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename, params=params
        )
    return message


class SmtpMailer:
    """Sends through an SMTP relay given as ``smtp://user:password@host:port`` (``smtps://`` for implicit TLS)."""

    def __init__(self, url: str, sender: str, *, timeout: float = 15.0) -> None:
        parts = urlsplit(url)
        self._hostname = parts.hostname or "localhost"
        self._implicit_tls = parts.scheme == "smtps"
        self._port = parts.port or (465 if self._implicit_tls else 25)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender
        self._timeout = timeout

    async def send(self, mail: Mail) -> None:
        await aiosmtplib.send(
            _message(self._sender, mail),
            hostname=self._hostname,
            port=self._port,
            username=self._username,
            password=self._password,
            use_tls=self._implicit_tls,
            start_tls=None,  # upgrade when the server offers STARTTLS
            timeout=self._timeout,
        )
        log.info("mail_sent", subject=mail.subject)


class ConsoleMailer:
    """Writes each mail to the console, so a developer can follow verification and reset links."""

    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        self._sender = sender
        self._stream = stream or sys.stdout

    async def send(self, mail: Mail) -> None:
        self._stream.write(
            f"\n----- mail -----\nFrom: {self._sender}\nTo: {mail.to}\nSubject: {mail.subject}\n\n{mail.text}"
            "----- end of mail -----\n"
        )
        self._stream.flush()


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, settings.mail_from)
    if settings.env == "production":
        log.warning("mail_to_console", reason="CONFER_SMTP_URL is not set: mail is printed, not sent")
    return ConsoleMailer(settings.mail_from)
