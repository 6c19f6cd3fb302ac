"""MastodonClient against each form of rate-limit headers that Mastodon-compatible servers send,
through Mastodon.py and `requests` to a real server on 127.0.0.1 (mastodon_fake.py).

Mastodon sends `X-RateLimit-Reset` as ISO 8601, GoToSocial as a Unix time with `Retry-After`;
`Retry-After` is standard HTTP (seconds or a date). A 429 waits for the earliest sound time, never
more than the 5-minute window; a window nearly spent holds polling until its reset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from mastodon_fake import MASTODON

from bot.errors import RateLimitedError

WINDOW = timedelta(minutes=5)
CLOSE = timedelta(seconds=2)  # the server's Date header and Unix times are whole seconds


@pytest.fixture
def server(fake_mastodon: Any) -> Any:
    server = fake_mastodon(MASTODON)
    for n in range(1, 4):
        server.mention(n)
    return server


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def unix(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


# Each: the 429's headers, built from our clock's now, and how long after now it says to wait.
REFUSALS: dict[str, tuple[Callable[[datetime], dict[str, str]], timedelta]] = {
    "mastodon: reset as ISO 8601": (
        lambda now: {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                     "X-RateLimit-Reset": iso(now + timedelta(minutes=3))}, timedelta(minutes=3)),
    "gotosocial: reset as a Unix time, and Retry-After": (
        lambda now: {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                     "X-RateLimit-Reset": unix(now + timedelta(minutes=4)), "Retry-After": "2"},
        timedelta(seconds=2)),
    "reset as a Unix time before Retry-After": (
        lambda now: {"X-RateLimit-Reset": unix(now + timedelta(seconds=40)), "Retry-After": "120"},
        timedelta(seconds=40)),
    "Retry-After in seconds alone": (lambda now: {"Retry-After": "30"}, timedelta(seconds=30)),
    "Retry-After as an HTTP date alone": (
        lambda now: {"Retry-After": http_date(now + timedelta(seconds=90))}, timedelta(seconds=90)),
    "reset as seconds from now": (lambda now: {"X-RateLimit-Reset": "45"}, timedelta(seconds=45)),
    "a reset beyond the window": (
        lambda now: {"X-RateLimit-Reset": iso(now + timedelta(hours=1))}, WINDOW),
    "no headers at all": (lambda now: {}, WINDOW),
    "an unreadable reset": (lambda now: {"X-RateLimit-Reset": "soon"}, WINDOW),
}


@pytest.mark.parametrize("form", REFUSALS)
def test_a_429_waits_for_the_earliest_sound_time_in_each_form(server, client, clock, form):
    headers, wait = REFUSALS[form]
    server.rate_headers = headers(clock.now)
    server.refuse_next = 1

    with pytest.raises(RateLimitedError) as raised:
        client.fetch_new("0")

    assert abs(raised.value.reset_at - (clock.now + wait)) < CLOSE
    assert abs(client.backoff_until() - (clock.now + wait)) < CLOSE


def test_after_the_wait_polling_resumes_and_holds_nothing(server, client, clock):
    server.rate_headers = {"Retry-After": "2", "X-RateLimit-Reset": unix(clock.now + timedelta(minutes=4))}
    server.refuse_next = 1
    with pytest.raises(RateLimitedError):
        client.fetch_new("0")
    server.rate_headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299",
                           "X-RateLimit-Reset": unix(clock.now + timedelta(minutes=4))}
    clock.now += timedelta(seconds=3)

    assert [i.id for i in client.fetch_new("0").interactions] == ["1", "2", "3"]
    assert client.backoff_until() is None


def test_a_reset_on_a_server_clock_an_hour_ahead_of_ours_is_waited_for_on_ours(server, client, clock):
    """The server's Date header says where its clock stands: its reset is three minutes after that."""
    clock.now = datetime.now(UTC) - timedelta(hours=1)
    server.rate_headers = {"X-RateLimit-Reset": iso(datetime.now(UTC) + timedelta(minutes=3))}
    server.refuse_next = 1

    with pytest.raises(RateLimitedError) as raised:
        client.fetch_new("0")

    assert abs(raised.value.reset_at - (clock.now + timedelta(minutes=3))) < CLOSE


@pytest.mark.parametrize("reset", ["soon", "1796644980.5", "2026-12-07 noon"])
def test_an_answer_whose_reset_cannot_be_read_is_still_an_answer(server, client, reset):
    """Mastodon.py raises a rate-limit error for such a reset, even on a 200."""
    server.rate_headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "250", "X-RateLimit-Reset": reset}

    assert [i.id for i in client.fetch_new("0").interactions] == ["1", "2", "3"]
    assert client.backoff_until() is None


@pytest.mark.parametrize(("form", "reset"), [
    ("ISO 8601", lambda now: iso(now + timedelta(minutes=4))),
    ("Unix time", lambda now: unix(now + timedelta(minutes=4))),
    ("seconds from now", lambda now: "240"),
])
def test_a_window_nearly_spent_holds_polling_until_its_reset(server, client, clock, form, reset):
    server.rate_headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "20",
                           "X-RateLimit-Reset": reset(clock.now)}
    client.fetch_new("0")
    assert abs(client.backoff_until() - (clock.now + timedelta(minutes=4))) < CLOSE

    server.rate_headers["X-RateLimit-Remaining"] = "299"
    client.fetch_new("0")
    assert client.backoff_until() is None


def test_nothing_left_holds_polling_even_when_the_server_names_no_limit(server, client, clock):
    server.rate_headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "60"}
    client.fetch_new("0")
    assert abs(client.backoff_until() - (clock.now + timedelta(seconds=60))) < CLOSE
