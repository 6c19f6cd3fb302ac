"""What a server's rate-limit headers say, in every form servers send them. Pure: no SDK, no clock.

Forms read (header names are case-insensitive; `RateLimit-*` and `X-RateLimit-*` alike):
- `*-Reset`: an ISO 8601 time (Mastodon), a Unix timestamp (GoToSocial, Bluesky), a number of
  seconds from now (the IETF draft), or an HTTP date. A number below 10**9 (before 2001 as a Unix
  time) can only be a number of seconds.
- `Retry-After` (RFC 9110): a number of seconds, or an HTTP date.
- `*-Limit` and `*-Remaining`: whole numbers; `RateLimit-Policy: 3000;w=300` names the window.

A time the server states on its own clock is moved onto ours through its `Date` header, when it
sends one: what counts is how far ahead of the server's own "now" it lies.

A value is sound when it parses and lies no more than one window in the past (further back it is
a broken clock or a misread value). Sound times are kept between now and now + the window: no
server-stated time makes a client wait longer than the window, whatever a misread turned it into.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

DEFAULT_WINDOW = timedelta(minutes=5)  # Mastodon's, and Bluesky's for most calls
_LONGEST_WINDOW = timedelta(days=1)  # a policy naming more is not believed
_UNIX_TIME_FROM = 10**9  # 2001-09-09 as a Unix time; smaller numbers are seconds from now
_POLICY_WINDOW = re.compile(r"(?:^|;)\s*w\s*=\s*(\d+)")


@dataclass(frozen=True)
class RateLimit:
    """One response's rate-limit headers, read at `read_at` (our clock)."""

    read_at: datetime
    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None  # when the window resets
    retry_at: datetime | None = None  # when Retry-After says to try again
    window: timedelta = DEFAULT_WINDOW

    def refused_until(self) -> datetime:
        """After a 429: the earliest sound time the headers give, else one window from now."""
        stated = [moment for moment in (self.retry_at, self.reset_at) if moment is not None]
        return min(stated, default=self.read_at + self.window)

    def paced_until(self, margin: float) -> datetime | None:
        """When to call again once no more than `margin` of the window's calls (and at least the
        last one) are left, else None: those are kept for what cannot wait (a reply being sent)."""
        if self.remaining is None:
            return None
        if self.remaining > max(1.0, (self.limit or 0) * margin):
            return None
        if self.reset_at is not None:
            return self.reset_at
        return self.read_at + self.window if self.remaining <= 0 else None


def read_rate_limit(
    headers: Mapping[str, str], now: datetime, *, window: timedelta = DEFAULT_WINDOW
) -> RateLimit:
    """The rate limit `headers` describe, as seen at `now` (timezone-aware, our clock)."""
    named = {str(key).lower(): str(value) for key, value in headers.items()}

    def header(name: str) -> str | None:
        return named.get(f"ratelimit-{name}", named.get(f"x-ratelimit-{name}"))

    window = policy_window(header("policy")) or window
    server_now = _http_date(named.get("date"))
    return RateLimit(
        read_at=now,
        limit=_count(header("limit")),
        remaining=_count(header("remaining")),
        reset_at=_sound(parse_reset(header("reset"), now, server_now), now, window),
        retry_at=_sound(parse_retry_after(named.get("retry-after"), now, server_now), now, window),
        window=window,
    )


def parse_reset(value: str | None, now: datetime, server_now: datetime | None = None) -> datetime | None:
    """A `*-Reset` header on our clock: ISO 8601, Unix time, seconds from now or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    number = _number(text)
    if number is not None:
        if number < _UNIX_TIME_FROM:
            return now + timedelta(seconds=number)
        try:
            moment = datetime.fromtimestamp(number, UTC)
        except (OverflowError, OSError, ValueError):  # milliseconds, or worse
            return None
        return _on_our_clock(moment, now, server_now)
    moment = _iso_time(text) or _http_date(text)
    return _on_our_clock(moment, now, server_now) if moment is not None else None


def parse_retry_after(value: str | None, now: datetime, server_now: datetime | None = None) -> datetime | None:
    """`Retry-After` on our clock: a number of seconds, or an HTTP date."""
    if value is None or not value.strip():
        return None
    number = _number(value.strip())
    if number is not None:
        return now + timedelta(seconds=number)
    moment = _http_date(value)
    return _on_our_clock(moment, now, server_now) if moment is not None else None


def policy_window(value: str | None) -> timedelta | None:
    """The longest window `RateLimit-Policy` names (`3000;w=300`, `"d";q=100;w=60`), if believable."""
    windows = [int(found) for part in (value or "").split(",") for found in _POLICY_WINDOW.findall(part)]
    longest = timedelta(seconds=max(windows, default=0))
    return longest if timedelta(0) < longest <= _LONGEST_WINDOW else None


def _sound(moment: datetime | None, now: datetime, window: timedelta) -> datetime | None:
    if moment is None or moment < now - window:
        return None
    return min(max(moment, now), now + window)


def _on_our_clock(moment: datetime, now: datetime, server_now: datetime | None) -> datetime:
    return moment if server_now is None else now + (moment - server_now)


def _number(text: str) -> float | None:
    """A finite, non-negative number of seconds, or None for anything else."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _count(value: str | None) -> int | None:
    """A whole number; of a header repeated on the way (`20, 20`), the smallest."""
    try:
        return min(int(part) for part in value.split(",")) if value is not None else None
    except ValueError:
        return None


def _iso_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
