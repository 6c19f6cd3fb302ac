"""BlueskyClient against each form of `RateLimit-*` and `Retry-After` headers, through respx.

The PDS sends `RateLimit-Reset` as a Unix time, `RateLimit-Policy: <limit>;w=<seconds>`, and with
a 429 `Retry-After` in seconds (xrpc-server's rate-limiter-http.ts); the IETF draft sends the
reset as seconds from now. A 429 waits for the earliest sound time, never beyond the window the
policy names (5 minutes when it names none). Helpers and fixtures are `test_bluesky.py`'s."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest

from bot.errors import RateLimitedError
from tests.integration.platforms.test_bluesky import (  # noqa: F401  (fixtures pytest finds by name)
    NOW,
    _restore,
    bsky_clock,
    make_client,
    notification_page,
    session_path,
    xrpc,
)

LIST = "app.bsky.notification.listNotifications"
REFUSED = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}


def unix(moment) -> str:  # noqa: ANN001
    return str(int(moment.timestamp()))


def refused_then_served(respx_mock, headers: dict[str, str]):  # noqa: ANN001, ANN201
    return xrpc(respx_mock, LIST, side_effect=[
        httpx.Response(429, json=REFUSED, headers=headers),
        httpx.Response(200, json=notification_page([])),
    ])


@pytest.mark.parametrize(("headers", "slept"), [
    ({"ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": unix(NOW + timedelta(minutes=4)),
      "ratelimit-policy": "3000;w=300", "retry-after": "3"}, 4.0),  # the PDS's own 429
    ({"retry-after": format_datetime(NOW + timedelta(seconds=30), usegmt=True)}, 31.0),
    ({"ratelimit-remaining": "0", "ratelimit-reset": "20"}, 21.0),  # seconds from now
], ids=["pds: Unix reset and Retry-After", "Retry-After as an HTTP date", "reset as seconds from now"])
def test_a_short_wait_in_any_form_is_waited_out_then_the_call_succeeds(
    respx_mock, make_client, session_path, sleeps, headers, slept
):
    _restore(session_path)
    route = refused_then_served(respx_mock, headers)

    make_client().fetch_new(None)

    assert route.call_count == 2 and sleeps == [slept]  # one second more than asked


def test_a_429_without_headers_waits_one_window(respx_mock, make_client, session_path, sleeps):
    _restore(session_path)
    xrpc(respx_mock, LIST, status_code=429, json=REFUSED)
    client = make_client()

    with pytest.raises(RateLimitedError) as caught:
        client.fetch_new(None)

    assert caught.value.reset_at == NOW + timedelta(minutes=5) == client.backoff_until()
    assert sleeps == []


def test_a_reset_beyond_the_policy_window_waits_the_window(respx_mock, make_client, session_path, sleeps):
    _restore(session_path)
    xrpc(respx_mock, LIST, status_code=429, json=REFUSED, headers={
        "ratelimit-remaining": "0", "ratelimit-reset": unix(NOW + timedelta(hours=3)), "ratelimit-policy": "3000;w=300"})
    client = make_client()

    with pytest.raises(RateLimitedError) as caught:
        client.fetch_new(None)

    assert caught.value.reset_at == NOW + timedelta(minutes=5) == client.backoff_until()


def test_a_daily_limit_the_policy_names_is_waited_for_in_full(respx_mock, make_client, session_path, sleeps):
    _restore(session_path)
    reset = NOW + timedelta(hours=3)
    xrpc(respx_mock, LIST, status_code=429, json=REFUSED, headers={
        "ratelimit-remaining": "0", "ratelimit-reset": unix(reset), "ratelimit-policy": "300;w=86400"})
    client = make_client()

    with pytest.raises(RateLimitedError) as caught:
        client.fetch_new(None)

    assert caught.value.reset_at == reset == client.backoff_until()


@pytest.mark.parametrize("reset", [unix(NOW + timedelta(minutes=4)), "240"], ids=["Unix time", "seconds from now"])
def test_a_window_nearly_spent_holds_polling_until_its_reset(respx_mock, make_client, session_path, reset):
    _restore(session_path)
    xrpc(respx_mock, LIST, json=notification_page([]),
         headers={"ratelimit-limit": "3000", "ratelimit-remaining": "12", "ratelimit-reset": reset})
    client = make_client()

    client.fetch_new(None)

    assert client.backoff_until() == NOW + timedelta(minutes=4)
