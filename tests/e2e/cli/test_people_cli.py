"""People through the real CLI: found however their handle is typed, and their display name in a
draft only when it is a plain name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Rapport, write_config
from tests.fakes import write_events

EMILIE = {"id": "u-emilie", "handle": "Émilie@rive.example", "name": "Émilie Durand", "bio": "Tide pools."}


def mention(event_id: str, at: str, author: dict, text: str, lang: str = "es") -> dict:
    return {"id": event_id, "type": "mention", "at": at, "author": author,
            "post": {"id": f"p-{event_id}", "text": text, "lang": lang, "thread": f"p-{event_id}"}}


def sandbox(tmp_path: Path, database_url: str, events: list[dict]) -> Rapport:
    write_events(tmp_path / "events.jsonl", events)
    extra = f'[storage]\nurl = "{database_url}"\n[drafting]\nmax_age_days = 0\n'
    rapport = Rapport(tmp_path, write_config(tmp_path, extra))
    assert rapport("run", "--once").exit_code == 0
    return rapport


def test_a_handle_with_a_non_ascii_capital_is_shown_noted_trusted_and_forgotten_in_any_case(
    tmp_path: Path, database_url: str,
) -> None:
    rapport = sandbox(tmp_path, database_url, [
        mention("e1", "2026-11-10T09:00:00Z", EMILIE, "@me ¿Qué tal el fin de semana?"),
        {"id": "s1", "type": "sent", "at": "2026-11-10T10:00:00Z", "to": "émilie@rive.example",
         "post": {"id": "m-1", "text": "¡Muy bien, gracias!", "lang": "es", "in_reply_to": "p-e1", "thread": "p-e1"}},
    ])
    listed = [c for c in rapport.json("contacts", "list") if c["handle"].casefold().startswith("émilie")]
    assert [c["handle"] for c in listed] == ["Émilie@rive.example"]  # the sent message added no second contact
    for typed in ("Émilie@rive.example", "émilie@rive.example", "ÉMILIE@RIVE.EXAMPLE", "@émilie@rive.example"):
        assert rapport.json("contacts", "show", typed)["handle"] == "Émilie@rive.example", typed
    assert rapport("contacts", "note", "ÉMILIE@RIVE.EXAMPLE", "Collects sea glass").exit_code == 0
    assert rapport("contacts", "trust", "émilie@rive.example").exit_code == 0
    shown = rapport.json("contacts", "show", "@ÉMILIE@rive.example")
    assert shown["trusted"] is True and any("sea glass" in f["text"] for f in shown["facts"])
    assert rapport("contacts", "forget", "émilie@RIVE.example").exit_code == 0
    assert rapport("contacts", "show", "Émilie@rive.example").exit_code == 1


@pytest.mark.parametrize("name", ["@victim@other.example", "https://shop.example/deal", "A" * 5000])
def test_a_display_name_that_is_not_a_plain_name_stays_out_of_the_draft(
    tmp_path: Path, database_url: str, name: str,
) -> None:
    author = {"id": "u-x", "handle": "x@social.example", "name": name}
    rapport = sandbox(tmp_path, database_url, [
        mention("e1", "2026-11-10T09:00:00Z", author, "@me Thanks for yesterday's thread, it helped a lot!", "en"),
    ])
    [draft] = rapport.json("queue", "list")
    assert "victim" not in draft["text"] and "http" not in draft["text"] and "AAAA" not in draft["text"]
    assert "@" not in draft["text"] and len(draft["text"]) < 280, draft["text"]


def test_nobot_in_the_display_name_means_no_draft(tmp_path: Path, database_url: str) -> None:
    author = {"id": "u-n", "handle": "nora@social.example", "name": "Nora #NoBot"}
    rapport = sandbox(tmp_path, database_url, [
        mention("e1", "2026-11-10T09:00:00Z", author, "@me Thanks for yesterday's thread, it helped a lot!", "en"),
    ])
    assert rapport.json("queue", "list") == []
    assert rapport.json("contacts", "show", "NORA@social.example")["nobot"] is True
