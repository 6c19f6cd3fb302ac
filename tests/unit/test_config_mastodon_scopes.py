"""The Mastodon account's `scopes`: `read write` by default (every server accepts them),
granular ones when asked for, and a set rapport cannot work with refused in one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import MastodonAccount, load_settings
from bot.errors import ConfigError

ACCOUNT = '[[accounts]]\nname = "main"\nplatform = "mastodon"\nbase_url = "https://mastodon.example"\n'


pytestmark = pytest.mark.usefixtures("clean_environment")  # tests/conftest.py


def load(tmp_path: Path, extra: str = "") -> MastodonAccount:
    path = tmp_path / "config.toml"
    path.write_text(ACCOUNT + extra, encoding="utf-8")
    [account] = load_settings(path).accounts
    assert isinstance(account, MastodonAccount)
    return account


def test_scopes_default_to_read_write(tmp_path: Path) -> None:
    assert load(tmp_path).scopes == ["read", "write"]


def test_granular_scopes_are_kept_as_written(tmp_path: Path) -> None:
    account = load(tmp_path, 'scopes = ["read:notifications", "read:accounts", "write:statuses"]\n')
    assert account.scopes == ["read:notifications", "read:accounts", "write:statuses"]


@pytest.mark.parametrize(("scopes", "said"), [
    ('["read"]', 'include "read" and "write"'),
    ('["write:statuses"]', 'include "read" and "write"'),
    ("[]", 'include "read" and "write"'),
    ('["read", "write", "read notifications"]', "scopes"),
])
def test_a_scope_set_rapport_cannot_work_with_is_one_line_naming_the_key(tmp_path: Path, scopes: str,
                                                                         said: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, f"scopes = {scopes}\n")
    message = str(raised.value)
    assert "\n" not in message and "scopes" in message and said in message
