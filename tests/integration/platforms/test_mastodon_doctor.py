"""`rapport doctor` makes one short live call per Mastodon account, on every dialect: FAIL for a
token the server refuses, for a server it cannot reach or that does not answer in time, and the
private-mention warning only where the server has a notification policy that holds them back."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mastodon_fake import DIALECTS, TOKEN

from tests.cli import Rapport


@pytest.fixture(params=DIALECTS, ids=lambda dialect: dialect.name)
def server(request: pytest.FixtureRequest, fake_mastodon: Any) -> Any:
    return fake_mastodon(request.param)


def rapport(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_url: str, token: str = TOKEN,
            extra: str = "") -> Rapport:
    monkeypatch.setenv("RAPPORT_TEST_MASTODON_TOKEN", token)
    return Rapport.with_account(tmp_path, f"""
name = "main"
platform = "mastodon"
base_url = "{base_url}"
handle = "mastodonpy_test@localhost:3000"
token_env = "RAPPORT_TEST_MASTODON_TOKEN"
{extra}
""")


def line(result: Any, start: str) -> str:
    assert "Traceback" not in result.output
    [found] = [text for text in result.stdout.splitlines() if text.startswith(start)]
    return found


def test_doctor_says_ok_for_a_token_the_server_accepts(server, tmp_path, monkeypatch):
    result = rapport(tmp_path, monkeypatch, server.base_url)("doctor")
    assert result.exit_code == 0, result.output
    accepted = line(result, "ok   account main credentials: ")
    assert accepted.endswith("accepts the token of @mastodonpy_test@localhost:3000")
    assert server.requests[0] == ("GET", "/api/v1/accounts/verify_credentials")


def test_the_private_mention_warning_only_where_a_policy_holds_them_back(server, tmp_path, monkeypatch):
    result = rapport(tmp_path, monkeypatch, server.base_url)("doctor")
    warnings = [text for text in result.stdout.splitlines() if text.startswith("warn account main direct messages")]
    if server.dialect.private_mentions == "filter":
        assert len(warnings) == 1 and "filters private mentions" in warnings[0]
    else:  # a server without GET /api/v2/notifications/policy: nothing to change there
        assert warnings == []


def test_doctor_fails_a_token_the_server_refuses(server, tmp_path, monkeypatch):
    result = rapport(tmp_path, monkeypatch, server.base_url, token="a-revoked-token")("doctor")
    assert result.exit_code == 1
    failed = line(result, "FAIL account main credentials: ")
    assert f"refused the access token of main (HTTP {server.dialect.bad_token_status})" in failed
    assert f"rapport auth mastodon --instance {server.base_url}" in failed
    assert "a-revoked-token" not in result.output


@pytest.fixture
def closed_port() -> int:
    """A loopback port where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    yield silent.getsockname()[1]
    silent.close()


def test_doctor_fails_a_server_it_cannot_reach(tmp_path, monkeypatch, closed_port):
    result = rapport(tmp_path, monkeypatch, f"http://127.0.0.1:{closed_port}")("doctor")
    assert result.exit_code == 1
    assert line(result, "FAIL account main credentials: ").endswith(
        "gave no usable answer when asked to read our own account: could not connect")


def test_doctor_fails_a_server_that_does_not_answer_in_time(tmp_path, monkeypatch, silent_port):
    doctor = rapport(tmp_path, monkeypatch, f"http://127.0.0.1:{silent_port}", extra="request_timeout_seconds = 0.3")
    result = doctor("doctor")
    assert result.exit_code == 1
    assert line(result, "FAIL account main credentials: ").endswith("timed out after 0.3 s")
