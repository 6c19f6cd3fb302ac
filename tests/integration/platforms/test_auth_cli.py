"""`rapport auth mastodon`: register, authorise, store the token privately, through Mastodon.py.

The loopback server answers /api/v1/apps and /oauth/token with the shapes Mastodon documents.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from mastodon_replay import recorded, serve

from tests.cli import Rapport, write_config

SCOPES = "read write"


@pytest.fixture
def config(tmp_path: Path, httpserver: Any) -> Path:
    return write_config(tmp_path, f"""
name = "main"
platform = "mastodon"
base_url = "{httpserver.url_for('/').rstrip('/')}"
token_file = "secrets/mastodon-token"
""")


def _serve_oauth(httpserver: Any, *, granted: str = SCOPES) -> None:
    httpserver.expect_request("/api/v1/apps", method="POST").respond_with_json({
        "id": "563419", "name": "rapport", "website": None, "scopes": SCOPES.split(),
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob"],
        "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
    })
    httpserver.expect_request("/oauth/token", method="POST").respond_with_json({
        "access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0", "token_type": "Bearer",
        "scope": granted, "created_at": 1573979017,
    })
    serve(httpserver, recorded("test_account", "GET", "/verify_credentials"))  # the new token reads the account


def _auth(config: Path, httpserver: Any, code: str = "the-code\n") -> Any:
    instance = httpserver.url_for("/").rstrip("/")
    return Rapport(config.parent, config)("auth", "mastodon", "--instance", instance, input=code)


def test_the_token_lands_in_a_private_file_and_never_on_screen(config: Path, httpserver: Any) -> None:
    _serve_oauth(httpserver)
    result = _auth(config, httpserver)
    assert result.exit_code == 0, result.output
    token_file = config.parent / "secrets" / "mastodon-token"
    assert token_file.read_text().strip() == "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert "ZA-Yj3aBD8U8Cm7lKUp" not in result.output and "ZEaFUFmF0" not in result.output
    assert "/oauth/authorize?" in result.output and "scope=read+write&" in result.output
    assert "state=" not in result.output and "lang=" not in result.output
    assert httpserver.log[0][0].form["scopes"] == SCOPES  # what every server accepts
    assert "token for @mastodonpy_test stored in" in result.output
    checked = [req for req, _ in httpserver.log if req.path == "/api/v1/accounts/verify_credentials"]
    assert [req.headers["Authorization"] for req in checked] == ["Bearer ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"]


def test_a_refused_code_is_one_clear_line(config: Path, httpserver: Any) -> None:
    httpserver.expect_request("/api/v1/apps", method="POST").respond_with_json({
        "client_id": "cid", "client_secret": "csecret", "name": "rapport"})
    httpserver.expect_request("/oauth/token", method="POST").respond_with_json(
        {"error": "invalid_grant", "error_description": "The provided authorization grant is invalid."},
        status=400)
    result = _auth(config, httpserver)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert not (config.parent / "secrets" / "mastodon-token").exists()
