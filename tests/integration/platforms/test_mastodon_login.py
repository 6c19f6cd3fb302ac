"""`rapport auth mastodon` on every dialect: it asks for scopes every server accepts (or those
configured), leaves unset `state` and `lang` out of the address, and stores a token only after
one `verify_credentials` call shows that it can read the account."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from mastodon_fake import DIALECTS

from tests.cli import Rapport, write_config

GRANULAR = '["read:notifications", "read:statuses", "read:accounts", "read:follows", "write:statuses"]'


@pytest.fixture(params=DIALECTS, ids=lambda dialect: dialect.name)
def server(request: pytest.FixtureRequest, fake_mastodon: Any) -> Any:
    return fake_mastodon(request.param)


def log_in(tmp_path: Path, server: Any, scopes: str | None = None) -> Any:
    config = write_config(tmp_path, f"""
name = "main"
platform = "mastodon"
base_url = "{server.base_url}"
token_file = "secrets/mastodon-token"
{f"scopes = {scopes}" if scopes else ""}
""")
    return Rapport(tmp_path, config)("auth", "mastodon", "--instance", server.base_url, input="the-code\n")


def test_login_asks_for_read_write_and_stores_a_token_that_reads_the_account(server, tmp_path):
    result = log_in(tmp_path, server)
    assert result.exit_code == 0, result.output
    [address] = [text for text in result.stdout.splitlines() if "/oauth/authorize?" in text]
    assert "&scope=read+write&" in address
    assert "state=" not in address and "lang=" not in address and "None" not in address
    token = (tmp_path / "secrets" / "mastodon-token").read_text().strip()
    assert server.tokens[token] == {"read", "write"}
    assert stat.S_IMODE((tmp_path / "secrets" / "mastodon-token").stat().st_mode) == 0o600
    assert "token for @mastodonpy_test stored in" in result.stdout and token not in result.output
    assert server.requests[-1] == ("GET", "/api/v1/accounts/verify_credentials")


def test_granular_scopes_are_used_where_configured_and_refused_where_they_cannot_read(server, tmp_path):
    result = log_in(tmp_path, server, scopes=GRANULAR)
    stored = tmp_path / "secrets" / "mastodon-token"
    if server.dialect.granular_scopes:
        assert result.exit_code == 0, result.output
        assert server.tokens[stored.read_text().strip()] == {
            "read:notifications", "read:statuses", "read:accounts", "read:follows", "write:statuses"}
        return
    # Takahe grants them, then refuses `verify_credentials`, which needs `read`.
    assert result.exit_code == 1 and not stored.exists()
    [message] = result.stderr.splitlines()
    assert message.startswith(f"error: {server.base_url} gave a token that cannot read the account (HTTP 403")
    assert 'set scopes = ["read", "write"]' in message
