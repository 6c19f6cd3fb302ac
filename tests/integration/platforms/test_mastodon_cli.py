"""A Mastodon account wired end to end: config and token in, `rapport run --once`, drafts out.

The real MastodonClient and Mastodon.py talk to a loopback server replaying recorded responses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mastodon_replay import NotificationTimeline, notification

from tests.cli import Rapport

TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"


@pytest.fixture
def rapport(tmp_path: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("RAPPORT_TEST_MASTODON_TOKEN", TOKEN)
    return Rapport.with_account(tmp_path, f"""
name = "main"
platform = "mastodon"
base_url = "{httpserver.url_for('/').rstrip('/')}"
handle = "mastodonpy_test@localhost:3000"
token_env = "RAPPORT_TEST_MASTODON_TOKEN"
backfill_days = 0
""", extra="[drafting]\nmax_age_days = 0")


def test_new_mentions_become_drafts_through_the_real_adapter(rapport, httpserver) -> None:  # noqa: ANN001
    timeline = NotificationTimeline([notification(1)], httpserver.url_for("/")).install(httpserver)
    first = rapport("run", "--once")
    assert first.exit_code == 0, first.output
    assert "main: 0 new interactions" in first.stdout  # the first poll only marks where "new" starts
    timeline.items += [notification(2), notification(3, kind="favourite")]
    second = rapport("run", "--once")
    assert "main: 2 new interactions" in second.stdout and "1 drafts" in second.stdout
    [draft] = json.loads(rapport("queue", "list", "--json").stdout)
    assert draft["platform"] == "mastodon" and draft["contact"]["handle"] == "admin@localhost:3000"
    assert draft["in_reply_to"]["id"] == str(117020576916218297 + 2)
    third = rapport("run", "--once")
    assert "main: 0 new interactions" in third.stdout  # resumed from the stored cursor


def test_a_missing_token_is_one_clear_line(rapport, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("RAPPORT_TEST_MASTODON_TOKEN")
    result = rapport("run", "--once")
    assert result.exit_code == 1 and "main: poll failed" in result.stdout
    doctor = rapport("doctor")
    assert doctor.exit_code == 1
    assert "FAIL account main credentials: account 'main': no token: set $RAPPORT_TEST_MASTODON_TOKEN" in doctor.stdout
    assert TOKEN not in doctor.stdout + result.stdout
