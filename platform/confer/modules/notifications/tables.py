"""In-app notifications, preferences, the devices and browsers to push to, deliveries and reminders."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Notification(Table, tablename="notification"):
    id = UUID(primary_key=True)
    recipient = UUID(index=True)
    kind = Varchar(length=40)
    title = Varchar(length=200)
    body = Text()
    data = JSONB()
    event_key = Varchar(length=120)
    """What caused it (``<event id>``, ``reminder:<id>``): unique per recipient, so a replay adds nothing."""
    listed = Boolean(default=True)
    """False when the person turned this kind off in the app: it exists only to be mailed or pushed."""
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)


class Preference(Table, tablename="notification_preference"):
    """An exception to the default (every kind on every channel): one row per person, kind and channel."""

    person = UUID()
    kind = Varchar(length=40)
    channel = Varchar(length=10)
    enabled = Boolean()


class Device(Table, tablename="push_device"):
    """A phone app's push token: APNs (iOS) or FCM (Android)."""

    id = UUID(primary_key=True)
    owner = UUID(index=True)
    platform = Varchar(length=10)
    token = Varchar(length=4096, unique=True)
    created_at = Timestamptz()


class WebPushSubscription(Table, tablename="web_push_subscription"):
    """A browser's Push API subscription (endpoint and keys), stored as the browser gave it."""

    id = UUID(primary_key=True)
    owner = UUID(index=True)
    endpoint = Varchar(length=2048, unique=True)
    subscription = Text()
    """The subscription JSON (``endpoint``, ``keys.p256dh``, ``keys.auth``)."""
    created_at = Timestamptz()


class Delivery(Table, tablename="notification_delivery"):
    """One notification to one person on one channel and target: the dedupe key makes it happen once."""

    id = UUID(primary_key=True)
    dedupe_key = Varchar(length=300, unique=True)
    recipient = UUID()
    channel = Varchar(length=10)
    """``email``, ``apns``, ``fcm`` or ``webpush``."""
    target = UUID(null=True, default=None)
    """The device or subscription pushed to (none for email)."""
    notification = UUID()
    status = Varchar(length=10, index=True)
    """``pending`` -> ``sending`` -> ``sent``; or ``dropped`` (the target is gone, the person opted out)."""
    attempts = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)


class Reminder(Table, tablename="booking_reminder"):
    """A reminder due before a confirmed booking; rewritten when the booking moves, dropped when it ends."""

    id = UUID(primary_key=True)
    booking = UUID()
    hours_before = Integer()
    starts_at = Timestamptz()
    due_at = Timestamptz(index=True)
    sent_at = Timestamptz(null=True, default=None)
