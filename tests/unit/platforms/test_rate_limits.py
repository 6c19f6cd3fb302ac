"""Reading rate-limit headers in every form servers send them: pure functions, no server, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.platforms.rate_limits import (
    DEFAULT_WINDOW,
    RateLimit,
    parse_reset,
    parse_retry_after,
    policy_window,
    read_rate_limit,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


# -- X-RateLimit-Reset / RateLimit-Reset -------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-12-07T12:03:00.175404Z", NOW + timedelta(minutes=3, microseconds=175404)),  # Mastodon
    ("2026-12-07T12:03:00Z", NOW + timedelta(minutes=3)),
    ("2026-12-07T13:03:00+01:00", NOW + timedelta(minutes=3)),  # an offset other than UTC
    ("2026-12-07T12:03:00", NOW + timedelta(minutes=3)),  # no zone: UTC
    (str(int((NOW + timedelta(minutes=3)).timestamp())), NOW + timedelta(minutes=3)),  # GoToSocial, Bluesky
    (f"{int((NOW + timedelta(minutes=3)).timestamp())}.5", NOW + timedelta(minutes=3, seconds=0.5)),
    ("90", NOW + timedelta(seconds=90)),  # seconds from now (the IETF draft)
    ("0", NOW),
    (http_date(NOW + timedelta(minutes=3)), NOW + timedelta(minutes=3)),
    (" 2026-12-07T12:03:00Z ", NOW + timedelta(minutes=3)),
])
def test_a_reset_is_read_in_each_form_servers_send(value: str, expected: datetime) -> None:
    assert parse_reset(value, NOW) == expected


@pytest.mark.parametrize("value", [
    None, "", "soon", "-30", "nan", "inf", "1765108980000000",  # a Unix time in microseconds
    "2026-13-45T99:00:00Z",
])
def test_a_reset_that_is_no_time_is_not_read(value: str | None) -> None:
    assert parse_reset(value, NOW) is None


def test_a_reset_stated_on_the_server_s_clock_is_moved_onto_ours_by_its_date_header() -> None:
    server_now = NOW + timedelta(hours=1)  # the server's clock runs an hour ahead
    reset = server_now + timedelta(minutes=3)
    assert parse_reset(reset.isoformat(), NOW, server_now) == NOW + timedelta(minutes=3)
    assert parse_reset(str(int(reset.timestamp())), NOW, server_now) == NOW + timedelta(minutes=3)
    assert parse_reset("90", NOW, server_now) == NOW + timedelta(seconds=90)  # already relative


# -- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2", NOW + timedelta(seconds=2)),
    ("120", NOW + timedelta(minutes=2)),
    ("1.5", NOW + timedelta(seconds=1.5)),
    (http_date(NOW + timedelta(minutes=2)), NOW + timedelta(minutes=2)),
    ("Mon, 07 Dec 2026 12:02:00 GMT", NOW + timedelta(minutes=2)),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(value: str, expected: datetime) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize("value", [None, "", "-1", "later", "nan"])
def test_a_retry_after_that_is_no_delay_is_not_read(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_a_retry_after_date_is_moved_onto_our_clock_and_seconds_are_not() -> None:
    server_now = NOW - timedelta(minutes=30)  # the server's clock runs half an hour behind
    assert parse_retry_after(http_date(server_now + timedelta(minutes=2)), NOW, server_now) == NOW + timedelta(minutes=2)
    assert parse_retry_after("2", NOW, server_now) == NOW + timedelta(seconds=2)


# -- the window ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("3000;w=300", timedelta(seconds=300)),  # the PDS
    ("30;w=300, 300;w=86400", timedelta(days=1)),  # createSession: the longest one named
    ('"default";q=100;w=60', timedelta(seconds=60)),  # the IETF draft's structured form
    ("100;w=172800", None),  # two days: not believed
    ("100", None), ("", None), (None, None), ("w=0", None),
])
def test_the_window_comes_from_ratelimit_policy(value: str | None, expected: timedelta | None) -> None:
    assert policy_window(value) == expected


# -- a 429: the earliest sound time, never beyond the window ---------------------------------


def test_a_429_waits_for_the_earliest_sound_time_gotosocial_style() -> None:
    reset = str(int((NOW + timedelta(minutes=4)).timestamp()))
    rate = read_rate_limit({"X-RateLimit-Reset": reset, "Retry-After": "2"}, NOW)
    assert rate.refused_until() == NOW + timedelta(seconds=2)


def test_a_429_waits_for_the_reset_when_it_comes_before_retry_after() -> None:
    rate = read_rate_limit({"x-ratelimit-reset": "2026-12-07T12:00:30Z", "retry-after": "120"}, NOW)
    assert rate.refused_until() == NOW + timedelta(seconds=30)


def test_a_429_without_usable_headers_waits_one_window() -> None:
    assert read_rate_limit({}, NOW).refused_until() == NOW + DEFAULT_WINDOW
    assert read_rate_limit({"X-RateLimit-Reset": "soon", "Retry-After": "later"}, NOW).refused_until() == (
        NOW + DEFAULT_WINDOW)


def test_no_stated_time_makes_a_client_wait_longer_than_the_window() -> None:
    in_an_hour = str(int((NOW + timedelta(hours=1)).timestamp()))
    assert read_rate_limit({"X-RateLimit-Reset": in_an_hour}, NOW).refused_until() == NOW + DEFAULT_WINDOW
    assert read_rate_limit({"Retry-After": "86400"}, NOW).refused_until() == NOW + DEFAULT_WINDOW


def test_a_window_the_server_names_bounds_the_wait_instead() -> None:
    in_half_an_hour = str(int((NOW + timedelta(minutes=30)).timestamp()))
    headers = {"RateLimit-Reset": in_half_an_hour, "RateLimit-Policy": "5000;w=3600"}
    assert read_rate_limit(headers, NOW).refused_until() == NOW + timedelta(minutes=30)
    headers["RateLimit-Policy"] = "3000;w=300"
    assert read_rate_limit(headers, NOW).refused_until() == NOW + timedelta(minutes=5)


def test_a_time_far_in_the_past_is_unsound_and_the_other_header_decides() -> None:
    rate = read_rate_limit({"X-RateLimit-Reset": "2025-08-01T13:55:00Z", "Retry-After": "20"}, NOW)
    assert rate.reset_at is None
    assert rate.refused_until() == NOW + timedelta(seconds=20)


def test_a_time_just_past_means_now() -> None:
    rate = read_rate_limit({"X-RateLimit-Reset": "2026-12-07T11:59:58Z"}, NOW)
    assert rate.reset_at == NOW and rate.refused_until() == NOW


def test_both_header_families_are_read_whatever_their_case() -> None:
    mastodon = read_rate_limit({"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "12"}, NOW)
    bluesky = read_rate_limit({"ratelimit-limit": "3000", "RATELIMIT-REMAINING": "12"}, NOW)
    assert (mastodon.limit, mastodon.remaining) == (300, 12)
    assert (bluesky.limit, bluesky.remaining) == (3000, 12)


def test_a_header_repeated_on_the_way_counts_its_smallest_value() -> None:
    assert read_rate_limit({"X-RateLimit-Remaining": "20, 19"}, NOW).remaining == 19
    assert read_rate_limit({"X-RateLimit-Remaining": "many"}, NOW).remaining is None


def test_the_date_header_moves_both_headers_onto_our_clock() -> None:
    server_now = NOW + timedelta(hours=2)
    headers = {"Date": http_date(server_now), "Retry-After": http_date(server_now + timedelta(seconds=40)),
               "X-RateLimit-Reset": (server_now + timedelta(minutes=1)).isoformat()}
    rate = read_rate_limit(headers, NOW)
    assert (rate.retry_at, rate.reset_at) == (NOW + timedelta(seconds=40), NOW + timedelta(minutes=1))


# -- pacing on what remains --------------------------------------------------------------------


def rate(**fields: object) -> RateLimit:
    return RateLimit(read_at=NOW, **fields)  # type: ignore[arg-type]


def test_pacing_holds_until_the_reset_once_the_window_is_nearly_spent() -> None:
    reset = NOW + timedelta(minutes=4)
    assert rate(limit=300, remaining=20, reset_at=reset).paced_until(0.1) == reset
    assert rate(limit=300, remaining=30, reset_at=reset).paced_until(0.1) == reset
    assert rate(limit=300, remaining=31, reset_at=reset).paced_until(0.1) is None
    assert rate(limit=300, remaining=299, reset_at=reset).paced_until(0.1) is None


def test_pacing_without_a_limit_keeps_the_last_call() -> None:
    reset = NOW + timedelta(minutes=1)
    assert rate(remaining=0, reset_at=reset).paced_until(0.1) == reset
    assert rate(remaining=1, reset_at=reset).paced_until(0.1) == reset
    assert rate(remaining=2, reset_at=reset).paced_until(0.1) is None


def test_nothing_left_and_no_reset_holds_one_window() -> None:
    assert rate(limit=300, remaining=0).paced_until(0.1) == NOW + DEFAULT_WINDOW
    assert rate(limit=300, remaining=5).paced_until(0.1) is None  # low, but no time to wait for


def test_without_a_remaining_count_there_is_nothing_to_pace_on() -> None:
    assert rate(limit=300, reset_at=NOW + timedelta(minutes=4)).paced_until(0.1) is None
