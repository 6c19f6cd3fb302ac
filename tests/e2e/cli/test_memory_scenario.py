"""The drafting issue's scenario on the sandbox: memory turns into a question about her race."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Rapport, write_config
from tests.fakes import write_events

EVA = {"id": "u-eva", "handle": "eva@run.example", "name": "Eva Soler",
       "bio": "Corro maratones. Profe de física en Zaragoza."}


def _mention(event_id: str, at: str, text: str, thread: str) -> dict:
    return {"id": event_id, "type": "mention", "at": at, "author": EVA,
            "post": {"id": f"p-{event_id}", "text": text, "lang": "es", "thread": thread}}


def test_a_week_after_she_mentioned_her_race_the_draft_asks_how_it_went(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    write_events(events, [_mention("e1", "2026-11-10T09:00:00Z",
                                   "@me La semana que viene corro la maratón de Valencia, ¡qué nervios!", "t1")])
    rapport = Rapport(tmp_path, write_config(tmp_path, "[drafting]\nmax_age_days = 0\n"))
    assert rapport("run", "--once").exit_code == 0
    [first] = rapport.json("queue", "list")
    assert rapport("queue", "reject", first["id"]).exit_code == 0
    write_events(events, [_mention("e2", "2026-11-18T19:00:00Z", "@me ¡Hola! Ya estoy de vuelta en casa.", "t2")],
                 mode="a")
    assert rapport("run", "--once").exit_code == 0
    [draft] = rapport.json("queue", "list")
    text = draft["text"].lower()
    assert draft["language"] == "es" and "maratón" in text and "?" in draft["text"], draft["text"]
    shown = rapport.json("contacts", "show", "eva@run.example")
    threads = [f for f in shown["facts"] if f["kind"] == "open_thread"]
    assert threads and threads[0]["due"].startswith("2026-11-1")

    # Once the question is sent, the thread is followed up: the next reply does not ask again.
    assert rapport("queue", "approve", draft["id"]).exit_code == 0
    assert rapport("run", "--once").exit_code == 0
    kinds = {f["kind"] for f in rapport.json("contacts", "show", "eva@run.example")["facts"]}
    assert "followed_up" in kinds and "open_thread" not in kinds
    write_events(events, [_mention("e3", "2026-11-20T10:00:00Z", "@me ¡Fue genial, gracias por preguntar!", "t3")],
                 mode="a")
    assert rapport("run", "--once").exit_code == 0
    [later] = rapport.json("queue", "list")
    assert "maratón" not in later["text"].lower(), later["text"]
