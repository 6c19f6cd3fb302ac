"""The announcement issue's scenario: thirty sandbox contacts, one announcement, through the CLI.

Only people at or above `min_stage` who can hear it get a draft; the rest are counted by reason.
Approved messages go out at most `max_per_day` a day inside working hours, privately, each with
an opt-out line; a "stop" in reply records the opt-out and shows in `announce status`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import CliState, app
from tests import cli
from tests.e2e.cli.announce_scenario import thirty_contacts
from tests.fakes import FakeClock, write_events

# Tuesday 1 December 2026, 10:30 in Madrid: inside working hours.
MORNING = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
TEXT = "Abro un taller de cerámica en enero: ocho plazas, los jueves por la tarde."
ACCOUNT = 'name = "demo"\nplatform = "sandbox"\nhandle = "me@sandbox.example"\nevents = "events.jsonl"'


@dataclass
class Scenario:
    root: Path
    config: Path
    clock: FakeClock
    groups: dict[str, list[str]]

    def __call__(self, *args: str):  # noqa: ANN204
        return CliRunner().invoke(app, ["--config", str(self.config), *args],
                                  obj=CliState(overrides={"clock": self.clock}), catch_exceptions=False)

    def json(self, *args: str):  # noqa: ANN201
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    @property
    def outbox(self) -> list[dict]:
        path = self.root / "data" / "sandbox-outbox.jsonl"
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    def announcement_drafts(self, announcement: str) -> list[dict]:
        return [d for d in self.json("queue", "list", "--status", "all") if d["announcement"] == announcement]


@pytest.fixture
def scenario(tmp_path: Path, database_url: str) -> Scenario:
    events, groups = thirty_contacts()
    write_events(tmp_path / "events.jsonl", events)
    extra = (f'[storage]\nurl = "{database_url}"\n[drafting]\nmax_age_days = 1\n'
             '[policy.guardrails]\ntimezone = "Europe/Madrid"\n'
             '[announce]\nmax_per_day = 5\nworking_hours = "09:00-18:00"\n')
    s = Scenario(tmp_path, cli.write_config(tmp_path, ACCOUNT, extra), FakeClock(MORNING), groups)
    s.ok("run", "--once")
    for handle in groups["trusted"]:
        s.ok("contacts", "trust", handle)
    return s


def test_an_announcement_drafts_only_for_eligible_contacts_and_counts_the_rest(scenario: Scenario) -> None:
    out = scenario.json("announce", "draft", "--text", TEXT)
    eligible = scenario.groups["relationship_es"] + scenario.groups["relationship_en"] + scenario.groups["trusted"]
    assert sorted(d["contact"] for d in out["drafts"]) == sorted(eligible)
    below = scenario.groups["acquaintance"] + scenario.groups["first_contact"] + scenario.groups["audience"]
    # Vera's "#nobot" is not a fact about her, so she is an acquaintance: #nobot is checked first.
    assert out["excluded"] == {
        "pitch_stage": {"count": 11, "contacts": sorted(below)},
        "opted_out": {"count": 1, "contacts": ["uma@es.example"]},
        "nobot": {"count": 1, "contacts": ["vera@es.example"]},
        "contact_is_bot": {"count": 1, "contacts": ["wallbot@en.example"]},
    }
    drafts = scenario.announcement_drafts(out["id"])
    assert len(drafts) == 16 and {d["status"] for d in drafts} == {"pending"}
    for d in drafts:
        assert d["kind"] == "announcement" and d["in_reply_to"] is None and d["visibility"] == "direct"
        assert d["decision"]["pitch"] is True, "an announcement is a pitch by definition"
        assert TEXT in d["text"]
    by_handle = {d["contact"]["handle"]: d for d in drafts}
    ana, alice = by_handle["ana@es.example"], by_handle["alice@en.example"]
    assert ana["language"] == "es" and ana["text"].startswith("Hola Ana, como sé que te interesa cerámica")
    assert ana["text"].endswith("respóndeme «stop» y no lo haré más.)")
    assert alice["language"] == "en" and alice["text"].startswith("Hi Alice, since I know you're into pottery")
    assert alice["text"].endswith('reply "stop" and I won\'t again.)')

    assert f"(announcement {out['id']})" in scenario.ok("queue", "list")
    text = scenario.ok("announce", "draft", "--text", TEXT)
    assert "0 personal draft(s)" in text and "announcement_waiting: 16" in text and "pitch_stage: 11" in text


def test_a_topic_keeps_only_the_people_whose_memory_holds_it(scenario: Scenario) -> None:
    out = scenario.json("announce", "draft", "--text", TEXT, "--topic", "cerámica", "--topic", "pottery")
    expected = scenario.groups["relationship_es"][:3] + scenario.groups["relationship_en"][:2] + scenario.groups["trusted"]
    assert sorted(d["contact"] for d in out["drafts"]) == sorted(expected)
    assert out["excluded"]["no_topic"]["count"] == 16 - len(expected)
    assert out["topics"] == ["cerámica", "pottery"]


def test_sending_keeps_to_the_daily_cap_and_working_hours_and_a_stop_reply_opts_out(scenario: Scenario) -> None:
    out = scenario.json("announce", "draft", "--text", TEXT)
    for draft in scenario.announcement_drafts(out["id"]):
        scenario.ok("queue", "approve", draft["id"])

    scenario.ok("run", "--once")
    assert len(scenario.outbox) == 5
    scenario.clock.advance(hours=2)
    scenario.ok("run", "--once")
    assert len(scenario.outbox) == 5, "the day's allowance is spent"
    scenario.clock.set(datetime(2026, 12, 2, 6, 30, tzinfo=timezone.utc))  # 07:30 in Madrid
    scenario.ok("run", "--once")
    assert len(scenario.outbox) == 5, "a new day, but before working hours"
    scenario.clock.set(datetime(2026, 12, 2, 17, 30, tzinfo=timezone.utc))  # 18:30 in Madrid
    scenario.ok("run", "--once")
    assert len(scenario.outbox) == 5, "after working hours"
    scenario.clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc))  # 09:00 in Madrid
    scenario.ok("run", "--once")
    assert len(scenario.outbox) == 10
    for posted in scenario.outbox:
        assert posted["visibility"] == "direct" and posted["in_reply_to"] == "" and len(posted["to"]) == 1

    first = scenario.outbox[0]
    who = first["to"][0]
    scenario.clock.advance(hours=1)
    reply = {"id": "stop-1", "type": "reply", "at": "2026-12-03T09:30:00Z",
             "author": {"id": f"u-{who}", "handle": who, "name": who.split("@")[0].title()},
             "post": {"id": "p-stop-1", "text": "@me stop", "in_reply_to": first["id"],
                      "visibility": "direct", "thread": first["id"]}}
    write_events(scenario.root / "events.jsonl", [reply], mode="a")
    scenario.ok("run", "--once")
    assert next(c for c in scenario.json("contacts", "list") if c["handle"] == who)["opted_out"] is True
    status = scenario.json("announce", "status", out["id"])
    assert status["results"] == {"drafts": 16, "sent": 10, "pending": 0, "approved": 6, "cancelled": 0,
                                 "failed": 0, "replies": 1, "opt_outs": 1}
    assert status["excluded"] == {"contact_is_bot": 1, "nobot": 1, "opted_out": 1, "pitch_stage": 11}

    again = scenario.json("announce", "draft", "--text", "Otra cosa que contaros.")
    assert again["drafts"] == []
    assert again["excluded"]["pitch_cooldown"]["count"] == 9, "the people it reached are in pitch cooldown"
    assert again["excluded"]["opted_out"]["count"] == 2
    assert again["excluded"]["announcement_waiting"]["count"] == 6


def test_cancel_retires_the_unsent_drafts_and_status_counts_them(scenario: Scenario) -> None:
    out = scenario.json("announce", "draft", "--text", TEXT)
    drafts = scenario.announcement_drafts(out["id"])
    for draft in drafts[:3]:
        scenario.ok("queue", "approve", draft["id"])
    scenario.ok("run", "--once")
    assert len(scenario.outbox) == 3
    text = scenario.ok("announce", "cancel", out["id"])
    assert "13 unsent draft(s) retired" in text
    statuses = {d["status"] for d in scenario.announcement_drafts(out["id"])}
    assert statuses == {"sent", "rejected"}
    status = scenario.json("announce", "status", out["id"])
    assert status["status"] == "cancelled" and status["results"]["sent"] == 3 and status["results"]["cancelled"] == 13
    [listed] = scenario.json("announce", "list")
    assert listed["id"] == out["id"] and listed["results"]["cancelled"] == 13
    assert out["id"] in scenario.ok("announce", "list")


def test_bad_input_is_one_line_and_changes_nothing(scenario: Scenario) -> None:
    empty = scenario("announce", "draft", "--text", "   ")
    assert empty.exit_code == 1 and "empty" in empty.stderr
    long = scenario("announce", "draft", "--text", "x" * 400)
    assert long.exit_code == 1 and "keep it to 300" in long.stderr
    missing = scenario("announce", "status", "a_NOPE")
    assert missing.exit_code == 1 and "no announcement" in missing.stderr
    assert scenario.json("announce", "list") == []
