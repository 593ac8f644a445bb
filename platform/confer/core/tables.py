"""The core's tables: the transactional outbox and the record of handled events."""

from __future__ import annotations

from piccolo.columns import JSONB, BigSerial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEvent(Table, tablename="outbox_event"):
    """A domain event written in the same transaction as the change that caused it (DESIGN §7)."""

    id = BigSerial(primary_key=True)
    topic = Varchar(length=100, index=True)
    payload = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())
    relayed_at = Timestamptz(null=True, default=None)


class HandledEvent(Table, tablename="handled_event"):
    """Dedupe keys of event deliveries whose handler finished: a redelivery of one of them does nothing."""

    key = Varchar(length=300, primary_key=True)
    handled_at = Timestamptz(default=TimestamptzNow())
