"""The push channels an operator configured, each built from its settings: the one place that knows them all."""

from __future__ import annotations

from confer.modules.notifications.push import PushSender
from confer.modules.notifications.push.apns import ApnsSender
from confer.modules.notifications.push.fcm import FcmSender
from confer.modules.notifications.push.settings import (
    APNS_REQUIRED,
    FCM_REQUIRED,
    WEBPUSH_REQUIRED,
    PushSettings,
    partly_set,
)
from confer.modules.notifications.push.webpush import WebPushSender
from confer.settings import SettingsError


def senders(settings: PushSettings) -> dict[str, PushSender]:
    """The configured channels, keyed ``apns``, ``fcm``, ``webpush``; SettingsError lists every problem found."""
    problems = [
        *partly_set(settings, APNS_REQUIRED),
        *partly_set(settings, FCM_REQUIRED),
        *partly_set(settings, WEBPUSH_REQUIRED),
    ]
    configured: dict[str, PushSender] = {}
    channels: list[tuple[str, bool, type[ApnsSender] | type[FcmSender] | type[WebPushSender]]] = [
        ("apns", settings.apns_enabled, ApnsSender),
        ("fcm", settings.fcm_enabled, FcmSender),
        ("webpush", settings.webpush_enabled, WebPushSender),
    ]
    for name, enabled, sender in channels:
        if not enabled:
            continue
        try:
            configured[name] = sender(settings)
        except SettingsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SettingsError(problems)
    return configured
