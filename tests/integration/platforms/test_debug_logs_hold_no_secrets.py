"""A full pass on each platform with `--debug`: every line printed is searched for the secrets.

Each pass is `rapport --debug run --once` (log in, mark where "new" starts), again (poll,
draft), `queue approve`, then `run --once` (send), through the real adapters: Mastodon.py against
a loopback server replaying recorded answers, atproto against respx. Once in each pass the server
answers with the credentials it was sent pasted into its error message, as a careless proxy
does, so a secret does reach a log line. The control runs the same pass with the redaction
switched off and finds the secret printed: the search can fail.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from mastodon_replay import NotificationTimeline, notification, own_reply, recorded, replied_status, serve
from test_bluesky import OUR_DID, SERVICE, jwt, many_mentions, notification_page
from werkzeug import Request, Response

import bot.log
from tests.cli import Rapport

MASTODON_PLACEHOLDER = "__MASTODON_PY_TEST_ACCESS_TOKEN"  # no token shape: only its value gives it away
APP_PASSWORD = "k3vx-9mzq-aw2r-p7hd"


@dataclass
class Pass:
    """What a pass printed, and the secrets it held."""

    printed: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    def run(self, rapport: Rapport, *args: str) -> Any:
        result = rapport("--debug", *args)
        self.printed.append(result.output)  # stdout and stderr, as a terminal shows them
        return result

    def leaked(self, caplog: pytest.LogCaptureFixture) -> list[str]:
        text = "\n".join([*self.printed, caplog.text])
        return [secret for secret in self.secrets if secret in text]


@pytest.fixture
def without_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the same logging configuration with its redacting processor made a no-op."""
    monkeypatch.setattr(bot.log, "redact_event", lambda _logger, _method, event: event)


def _approve_the_draft(rapport: Rapport, run: Pass) -> None:
    [draft] = rapport.json("queue", "list")
    assert run.run(rapport, "queue", "approve", draft["id"]).exit_code == 0


# -- Mastodon ---------------------------------------------------------------------------------


def _echo_credentials(request: Request) -> Response:
    """A 422 whose message carries the token the client sent."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return Response(f'{{"error": "Validation failed: credentials {token} not accepted here"}}',
                    status=422, content_type="application/json")


def _serve_mastodon_pass(httpserver: Any) -> NotificationTimeline:
    base = httpserver.url_for("/")
    # The private-note lookup of the mention's author (its account came whole with the notification).
    httpserver.expect_oneshot_request("/api/v1/accounts/relationships").respond_with_handler(_echo_credentials)
    timeline = NotificationTimeline([notification(1)], base).install(httpserver)
    answered = str(117020576916218297 + 2)  # the status of notification(2)
    serve(httpserver, recorded("test_status_reply", "GET", "/verify_credentials"))
    serve(httpserver, recorded("test_fetch_next_previous", "GET", "/statuses?limit=5"),
          path="/api/v1/accounts/117020565693913441/statuses", body=[])
    serve(httpserver, recorded("test_status_reply", "POST", "/api/v1/statuses"), method="GET",
          path=f"/api/v1/statuses/{answered}", body=dict(replied_status(), id=answered))
    serve(httpserver, recorded("test_status_reply", "POST", "/api/v1/statuses", nth=1), body=own_reply())
    return timeline


def _mastodon_pass(tmp_path: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch, token: str) -> Pass:
    monkeypatch.setenv("RAPPORT_TEST_MASTODON_TOKEN", token)
    rapport = Rapport.with_account(tmp_path, f"""
name = "main"
platform = "mastodon"
base_url = "{httpserver.url_for('/').rstrip('/')}"
handle = "mastodonpy_test@localhost:3000"
token_env = "RAPPORT_TEST_MASTODON_TOKEN"
backfill_days = 0
""", extra="[drafting]\nmax_age_days = 0")
    timeline = _serve_mastodon_pass(httpserver)
    run = Pass(secrets=[token])
    assert run.run(rapport, "run", "--once").exit_code == 0  # where "new" starts
    timeline.items += [notification(2), notification(3, kind="favourite")]
    assert "1 drafts" in run.run(rapport, "run", "--once").output  # the profile lookup got the echo
    _approve_the_draft(rapport, run)
    assert run.run(rapport, "run", "--once").exit_code == 0

    seen = {request.headers.get("Authorization") for request, _ in httpserver.log}
    assert seen == {f"Bearer {token}"}  # every request carried the secret
    assert [r.method for r, _ in httpserver.log if r.path == "/api/v1/statuses"] == ["POST"]  # sent
    return run


@pytest.mark.parametrize("token", [MASTODON_PLACEHOLDER, secrets.token_urlsafe(32)],
                         ids=["shapeless-token", "mastodon-shaped-token"])
def test_a_full_mastodon_pass_with_debug_logs_prints_no_token(
    tmp_path, httpserver, monkeypatch, caplog, token
) -> None:
    caplog.set_level(logging.DEBUG)
    run = _mastodon_pass(tmp_path, httpserver, monkeypatch, token)
    assert "profile.lookup_failed" in run.printed[1]  # the echo did reach a log line
    assert run.leaked(caplog) == []


@pytest.mark.usefixtures("without_redaction")
def test_control_without_redaction_the_mastodon_pass_prints_the_token(
    tmp_path, httpserver, monkeypatch, caplog
) -> None:
    run = _mastodon_pass(tmp_path, httpserver, monkeypatch, MASTODON_PLACEHOLDER)
    assert run.leaked(caplog) == [MASTODON_PLACEHOLDER]


# -- Bluesky ----------------------------------------------------------------------------------


def _session() -> dict[str, Any]:
    exp = int((datetime.now(UTC) + timedelta(hours=2)).timestamp())  # the SDK checks the real clock
    return {"accessJwt": jwt(exp, "access"), "refreshJwt": jwt(exp + 86400, "refresh"),
            "handle": "rapport.test", "did": OUR_DID}


def _echoing_first(answer: Callable[[httpx.Request], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    """The first call answers 400 with the request's Authorization header in the message."""
    calls: list[int] = []

    def respond(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(400, json={"error": "InvalidRequest",
                                             "message": f"rejected {request.headers.get('authorization')}"})
        return answer(request)
    return respond


def _route_bluesky_pass(
    router: respx.MockRouter, session: dict[str, Any], page: list[dict[str, Any]], mention: dict[str, Any]
) -> dict[str, Any]:
    """`page` is what listNotifications answers (the test adds to it); `mention` is the one answered."""
    def xrpc(nsid: str, method: str = "GET", **kwargs: Any) -> respx.Route:
        return router.request(method, f"{SERVICE}/xrpc/{nsid}").mock(**kwargs)

    listing = _echoing_first(lambda _: httpx.Response(200, json=notification_page(page)))
    parent = {key: mention[key] for key in ("uri", "cid", "author", "record", "indexedAt")}
    return {
        "login": xrpc("com.atproto.server.createSession", "POST", return_value=httpx.Response(200, json=session)),
        "list": xrpc("app.bsky.notification.listNotifications", side_effect=listing),
        "seen": xrpc("app.bsky.notification.updateSeen", "POST", return_value=httpx.Response(200, json={})),
        "profiles": xrpc("app.bsky.actor.getProfiles", return_value=httpx.Response(200, json={"profiles": []})),
        "earlier": xrpc("com.atproto.repo.getRecord", return_value=httpx.Response(
            400, json={"error": "RecordNotFound", "message": "Could not locate record"})),
        "posts": xrpc("app.bsky.feed.getPosts", return_value=httpx.Response(200, json={"posts": [parent]})),
        "create": xrpc("com.atproto.repo.createRecord", "POST", return_value=httpx.Response(
            200, json={"uri": f"at://{OUR_DID}/app.bsky.feed.post/3lnewpost22", "cid": "bafyreinewpost"})),
    }


def _bluesky_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pass:
    monkeypatch.setenv("RAPPORT_TEST_BLUESKY_PASSWORD", APP_PASSWORD)
    rapport = Rapport.with_account(tmp_path, f"""
name = "main"
platform = "bluesky"
handle = "rapport.test"
service = "{SERVICE}"
password_env = "RAPPORT_TEST_BLUESKY_PASSWORD"
backfill_days = 0
""", extra="[drafting]\nmax_age_days = 0")
    session, (newest, older) = _session(), many_mentions(2)
    page = [older]
    run = Pass(secrets=[APP_PASSWORD, session["accessJwt"], session["refreshJwt"]])
    with respx.mock(assert_all_called=False) as router:
        routes = _route_bluesky_pass(router, session, page, newest)
        assert run.run(rapport, "run", "--once").exit_code == 1  # logged in; the echoing answer fails the poll
        assert run.run(rapport, "run", "--once").exit_code == 0  # where "new" starts
        page.insert(0, newest)
        assert "1 drafts" in run.run(rapport, "run", "--once").output
        _approve_the_draft(rapport, run)
        assert run.run(rapport, "run", "--once").exit_code == 0

    assert APP_PASSWORD in routes["login"].calls.last.request.content.decode()
    assert {call.request.headers["authorization"] for call in routes["list"].calls} == {
        f"Bearer {session['accessJwt']}"}
    assert routes["create"].call_count == 1  # sent
    return run


def test_a_full_bluesky_pass_with_debug_logs_prints_no_password_or_session_token(
    tmp_path, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    run = _bluesky_pass(tmp_path, monkeypatch)
    assert "poll.failed" in run.printed[0]  # the echo did reach a log line
    assert run.leaked(caplog) == []


@pytest.mark.usefixtures("without_redaction")
def test_control_without_redaction_the_bluesky_pass_prints_the_session_token(
    tmp_path, monkeypatch, caplog
) -> None:
    run = _bluesky_pass(tmp_path, monkeypatch)
    assert run.secrets[1] in run.leaked(caplog)  # the access token the server echoed
