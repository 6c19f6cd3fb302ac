"""`rapport` itself against the real local Bluesky network: run, approve, run again, restart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import Rapport

from .network import LocalBluesky

pytestmark = pytest.mark.e2e


@pytest.fixture
def rapport(bluesky_network: LocalBluesky, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    ours = bluesky_network.accounts["ours"]
    monkeypatch.setenv("RAPPORT_E2E_BLUESKY_PASSWORD", ours.password)
    return Rapport.with_account(tmp_path, f"""
name = "sky"
platform = "bluesky"
handle = "{ours.handle}"
service = "{bluesky_network.pds_url}"
password_env = "RAPPORT_E2E_BLUESKY_PASSWORD"
backfill_days = 0
request_timeout_seconds = 20
""", extra="[drafting]\nmax_age_days = 0")


def _drafts(rapport: Any, status: str = "pending") -> list[dict]:
    return json.loads(rapport("queue", "list", "--status", status, "--json").stdout)


def test_mentions_become_drafts_and_an_approved_reply_reaches_ana(rapport, bluesky_network) -> None:  # noqa: ANN001
    network, ana = bluesky_network, bluesky_network.accounts["ana"]
    assert rapport("run", "--once").exit_code == 0  # logs in once, marks where "new" starts
    ours_post = network.post("ours", "Trying a new clay body this week.")
    network.process_all()
    question = network.post("ana", "@rapport.test which clay body?", mentions=["ours"], langs=["en"])
    quote = network.post("ana", "Following this experiment", quote=ours_post)
    reply = network.post("ana", "Is it stoneware?", reply_to=ours_post)
    network.process_all()

    second = rapport("run", "--once")
    assert second.exit_code == 0, second.output
    # One person, one draft: it answers her latest message and shows the two before it.
    [draft] = _drafts(rapport)
    folded = json.loads(rapport("queue", "show", draft["id"], "--json").stdout)["folded"]
    assert draft["in_reply_to"]["id"] == reply and {m["id"] for m in folded} == {question, quote}
    # Her question is about the owner's own work: the draft leaves a slot, filled here.
    assert draft["needs_input"] and rapport("queue", "approve", draft["id"]).exit_code == 3
    assert rapport("queue", "approve", draft["id"], "--text", "Yes, a mid-fire stoneware.").exit_code == 0
    draft = rapport.json("queue", "show", draft["id"])
    assert rapport("run", "--once").exit_code == 0
    network.process_all()

    sent = rapport("queue", "show", draft["id"], "--json")
    posted_uri = json.loads(sent.stdout)["sent_post_id"]
    seen = {n["uri"]: n for n in network.notifications("ana")}
    record = seen[posted_uri]["record"]
    assert record["reply"]["parent"]["uri"] == reply and record["reply"]["root"]["uri"] == ours_post
    assert record["text"].startswith(f"@{ana.handle} ") and record["text"].endswith(draft["text"])
    assert [f["features"][0]["did"] for f in record["facets"]] == [ana.did]

    sessions_before = network.create_session_calls()
    assert rapport("run", "--once").exit_code == 0  # a restart: the stored session, no new login
    assert network.create_session_calls() == sessions_before
    assert len(_drafts(rapport, "sent")) == 1 and len(_drafts(rapport)) == 0
    mine = network.command("records", **{"as": "ours", "collection": "app.bsky.feed.post"})["records"]
    assert sum(1 for r in mine if r["value"]["text"] == record["text"]) == 1


def test_auth_bluesky_stores_a_private_session_that_later_runs_use(
    bluesky_network: LocalBluesky, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = bluesky_network.accounts["ours"]
    monkeypatch.delenv("RAPPORT_BLUESKY_APP_PASSWORD", raising=False)
    run = Rapport.with_account(tmp_path, f"""
name = "sky"
platform = "bluesky"
handle = "{ours.handle}"
service = "{bluesky_network.pds_url}"
backfill_days = 0
""")

    result = run("auth", "bluesky", "--handle", ours.handle, input=f"{ours.password}\n")
    assert result.exit_code == 0, result.output
    assert "APP password" in result.output and ours.password not in result.output
    session = tmp_path / "data" / "sessions" / "sky.bluesky-session"
    assert session.exists() and (session.stat().st_mode & 0o777) == 0o600
    logins = bluesky_network.create_session_calls()
    assert run("run", "--once").exit_code == 0  # no password anywhere: the stored session serves
    assert bluesky_network.create_session_calls() == logins
