"""An account's local time: its day and its windows of hours, in its own time zone."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo


def in_quiet_hours(now: datetime, window: tuple[time, time], zone: str) -> bool:
    local = now.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    start, end = window
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # the window spans midnight


def start_of_day(now: datetime, zone: str) -> datetime:
    """Local midnight in the account's zone, for "per day" limits."""
    local = now.astimezone(ZoneInfo(zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
