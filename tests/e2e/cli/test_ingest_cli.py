"""What gets in, through the real CLI: poison events, unreadable events files, and `health`
while polls keep failing; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from tests import cli
from tests.cli import Rapport
from tests.fakes import write_events


def _event(event_id: str, *, at: str = "2026-05-01T10:00:00Z", text: str = "¿Qué tal el huerto?",
           handle: str = "zoe@x.example") -> dict:
    return {"id": event_id, "type": "mention", "at": at,
            "author": {"id": f"u-{event_id}", "handle": handle, "name": "Zoe"},
            "post": {"id": f"p-{event_id}", "text": text, "lang": "es"}}


def _handles(rapport: Rapport) -> set[str]:
    return {c["handle"] for c in rapport.json("contacts", "list")}


def test_poison_events_are_skipped_and_the_rest_ingested_on_every_run(rapport: Rapport) -> None:
    """The issue's cases: times that overflow in UTC, NUL (PostgreSQL refused it), an id and a
    handle over their column's length, a handle with a bidi override."""
    write_events(rapport.root / "events.jsonl", [
        _event("early", at="0001-01-01T00:00:00+01:00"),
        _event("late", at="9999-12-31T23:59:59-01:00"),
        _event("nul", text="hola\u0000 qué tal", handle="nul@x.example"),
        _event("i" * 600, handle="longid@x.example"),
        _event("long-handle", handle="h" * 600 + "@x.example"),
        _event("bidi", handle="ana\u202e@x.example"),
        _event("fine", handle="fine@x.example"),
    ], mode="a")
    first = rapport("run", "--once")
    assert first.exit_code == 0, first.output
    assert "5 unreadable" in first.stdout  # all but the NUL, which is cleaned and kept
    handles = _handles(rapport)
    assert {"nul@x.example", "fine@x.example", "ana@social.example"} <= handles
    assert not any(h.startswith(("h" * 20, "longid", "ana\u202e")) for h in handles)
    nul = next(d for d in rapport.json("queue", "list") if d["contact"]["handle"] == "nul@x.example")
    assert nul["in_reply_to"]["text"] == "hola qué tal"
    again = rapport("run", "--once")
    assert again.exit_code == 0 and "0 new interactions" in again.stdout


def test_run_once_with_a_missing_events_file_fails_with_one_line(rapport: Rapport) -> None:
    (rapport.root / "events.jsonl").unlink()
    result = rapport("run", "--once")
    assert result.exit_code == 1
    mentions = [line for line in result.stderr.splitlines() if "sandbox events file not found" in line]
    assert len(mentions) == 1 and "Traceback" not in result.output


def test_an_events_path_that_is_a_directory_fails_that_account_only(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "events.d").mkdir()
    write_events(tmp_path / "events.jsonl", [_event("n-1")])
    accounts = "\n".join([
        'name = "broken"', 'platform = "sandbox"', 'handle = "me@sandbox.example"', 'events = "events.d"',
        "[[accounts]]",
        'name = "fine"', 'platform = "sandbox"', 'handle = "me@sandbox.example"', 'events = "events.jsonl"',
    ])
    rapport = Rapport(tmp_path, cli.write_config(tmp_path, accounts, f'[storage]\nurl = "{database_url}"'))
    result = rapport("run", "--once")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "fine: 1 new interactions" in result.stdout and "broken: poll failed" in result.stdout
    errors = [line for line in result.stderr.splitlines() if "is a directory" in line]
    assert len(errors) == 1 and "broken" in errors[0]


def test_health_fails_while_the_poll_keeps_failing_and_recovers_with_it(rapport: Rapport) -> None:
    events = rapport.root / "events.jsonl"
    kept = events.read_bytes()
    events.unlink()
    for run in range(3):
        rapport("run", "--once")
        if run == 0:
            assert rapport("health").exit_code == 0  # one failure is not a fault yet
    result = rapport("health")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unhealthy: account demo failed 3 polls in a row since ")
    assert "sandbox events file not found" in result.stderr and len(result.stderr.splitlines()) == 1
    events.write_bytes(kept)
    assert rapport("run", "--once").exit_code == 0
    assert rapport("health").exit_code == 0


def test_sandbox_outbox_is_owner_only(rapport: Rapport) -> None:
    rapport("run", "--once")
    draft = next(d for d in rapport.json("queue", "list") if not d["needs_input"])
    assert rapport("queue", "approve", draft["id"]).exit_code == 0
    rapport("run", "--once")
    outbox = rapport.root / "data" / "sandbox-outbox.jsonl"
    assert json.loads(outbox.read_text(encoding="utf-8").splitlines()[0])["in_reply_to"]
    assert outbox.stat().st_mode & 0o777 == 0o600
