"""A professional's availability: weekly rules and date overrides in wall-clock time (their profile's zone), and
time off as instants."""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Integer, OnDelete, SmallInt, Time, Timestamptz, Varchar
from piccolo.table import Table

from confer.modules.professionals.tables import ProfessionalProfile


class AvailabilityRule(Table, tablename="availability_rule"):
    id = UUID(primary_key=True)
    professional = ForeignKey(ProfessionalProfile, on_delete=OnDelete.cascade, index=True)
    weekday = SmallInt()
    start = Time()
    end = Time(null=True, default=None)
    """None: until midnight."""


class DateOverride(Table, tablename="date_override"):
    """Other hours on one date; a row with no start closes the date."""

    id = UUID(primary_key=True)
    professional = ForeignKey(ProfessionalProfile, on_delete=OnDelete.cascade, index=True)
    day = Date()
    start = Time(null=True, default=None)
    end = Time(null=True, default=None)


class TimeOff(Table, tablename="time_off"):
    id = UUID(primary_key=True)
    professional = ForeignKey(ProfessionalProfile, on_delete=OnDelete.cascade, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    note = Varchar(length=200, default="")


class ExternalCalendar(Table, tablename="external_calendar"):
    """An ICS URL whose events block the professional's time (Google, Apple, Outlook export links)."""

    id = UUID(primary_key=True)
    professional = ForeignKey(ProfessionalProfile, on_delete=OnDelete.cascade, unique=True)
    url = Varchar(length=2048)
    status = Varchar(length=20, default="queued")
    """queued, importing, ok, failed (tried again by the 15-minute job) or refused (not until linked again)."""
    last_fetched_at = Timestamptz(null=True, default=None)
    """When the busy times were last replaced by a successful import."""
    last_error = Varchar(length=300, null=True, default=None)
    events = Integer(default=0)
    """Events in the calendar at the last successful import."""


class ImportedBusy(Table, tablename="imported_busy"):
    """Busy times read from the external calendar at the last successful fetch."""

    id = UUID(primary_key=True)
    professional = ForeignKey(ProfessionalProfile, on_delete=OnDelete.cascade, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
