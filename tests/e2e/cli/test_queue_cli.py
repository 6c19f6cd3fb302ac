"""The approval workflow through the real CLI: run, list, approve, run again."""

from __future__ import annotations

import json

from tests.e2e.conftest import Rapport
from tests.fakes import write_events


def _pending(rapport: Rapport) -> list[dict]:
    return rapport.json("queue", "list")


def _draft_for(rapport: Rapport, handle: str) -> dict:
    return next(d for d in _pending(rapport) if d["contact"]["handle"] == handle)


def test_run_approve_run_puts_exactly_one_line_in_the_outbox(rapport: Rapport) -> None:
    assert rapport("run", "--once").exit_code == 0
    draft = _draft_for(rapport, "jordan@social.example")
    result = rapport("queue", "approve", draft["id"])
    assert result.exit_code == 0, result.output
    assert rapport("run", "--once").exit_code == 0
    assert len(rapport.outbox) == 1
    assert rapport("run", "--once").exit_code == 0
    [line] = rapport.outbox
    assert line["in_reply_to"] == "p-130" and line["to"] == ["jordan@social.example"]
    assert line["idempotency_key"] == f"rapport-{draft['id']}" and line["text"] == draft["text"]
    shown = rapport.json("queue", "show", draft["id"])
    assert shown["status"] == "sent" and shown["sent_post_id"] == line["id"]


def test_queue_list_json_has_the_documented_shape(rapport: Rapport) -> None:
    rapport("run", "--once")
    drafts = _pending(rapport)
    handles = {d["contact"]["handle"] for d in drafts}
    assert handles == {"marta@red.example", "lucia@mastodon.example", "ana@social.example", "jordan@social.example"}
    lucia = next(d for d in drafts if d["contact"]["handle"] == "lucia@mastodon.example")
    assert set(lucia) >= {"id", "account", "platform", "status", "contact", "in_reply_to", "text", "language",
                          "decision", "created_at", "updated_at", "sent_post_id"}
    assert lucia["id"].startswith("d_") and lucia["platform"] == "sandbox" and lucia["status"] == "pending"
    assert lucia["contact"]["stage"] == "first_contact" and lucia["language"] == "es"
    assert lucia["in_reply_to"]["id"] == "p-110" and lucia["visibility"] == "direct"
    assert lucia["decision"]["allowed"] is True and lucia["created_at"].endswith("Z")


def test_a_direct_message_gets_a_direct_reply(rapport: Rapport) -> None:
    rapport("run", "--once")
    draft = _draft_for(rapport, "lucia@mastodon.example")
    rapport("queue", "approve", draft["id"])
    rapport("run", "--once")
    assert [line["visibility"] for line in rapport.outbox] == ["direct"]


def test_unknown_draft_id_is_one_clear_line_and_exit_1(rapport: Rapport) -> None:
    rapport("run", "--once")
    result = rapport("queue", "approve", "d_NOPE")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no draft with id 'd_NOPE' (see: rapport queue list --status all)"


def test_approving_a_sent_draft_and_rejecting_twice_fail_clearly(rapport: Rapport) -> None:
    rapport("run", "--once")
    drafts = [d for d in _pending(rapport) if not d["needs_input"]]
    rapport("queue", "approve", drafts[0]["id"])
    rapport("run", "--once")
    again = rapport("queue", "approve", drafts[0]["id"])
    assert again.exit_code == 1 and "is sent" in again.stderr and len(again.stderr.splitlines()) == 1
    assert rapport("queue", "reject", drafts[1]["id"], "--reason", "not now").exit_code == 0
    twice = rapport("queue", "reject", drafts[1]["id"])
    assert twice.exit_code == 1 and twice.stderr.strip().endswith("is already rejected")


def test_a_pitch_to_someone_who_conversed_once_exits_3(rapport: Rapport) -> None:
    rapport("run", "--once")
    draft = _draft_for(rapport, "lucia@mastodon.example")
    result = rapport("queue", "approve", draft["id"], "--text",
                     "Tengo un curso con un 30% de descuento, escríbeme por privado y te paso precios.")
    assert result.exit_code == 3
    assert "pitch_stage" in result.stderr
    assert _draft_for(rapport, "lucia@mastodon.example")["status"] == "pending"


def test_the_same_pitch_to_a_relationship_is_allowed_then_cooled_down(rapport: Rapport) -> None:
    rapport("run", "--once")
    pitch = "Por cierto, abrimos plazas del taller de huerto urbano: 30% de descuento, reserva tu plaza aquí."
    ana = _draft_for(rapport, "ana@social.example")
    assert ana["contact"]["stage"] == "relationship"
    assert rapport("queue", "approve", ana["id"], "--text", pitch).exit_code == 0
    rapport("run", "--once")
    check = rapport("policy", "check", "--account", "demo", "--contact", "ana@social.example", "--text", pitch, "--json")
    assert check.exit_code == 3
    decision = json.loads(check.stdout)
    assert decision["allowed"] is False and "pitch_cooldown" in {r["code"] for r in decision["reasons"]}


def test_malformed_event_lines_are_skipped_and_later_lines_arrive(rapport: Rapport) -> None:
    events = rapport.root / "events.jsonl"
    with events.open("a", encoding="utf-8") as out:
        out.write("{this is not json\n")
    write_events(events, [{
        "id": "n-99", "type": "mention", "at": "2026-11-25T20:00:00Z",
        "author": {"id": "u-zoe", "handle": "zoe@social.example", "name": "Zoe", "bio": ""},
        "post": {"id": "p-99", "text": "@me hello!", "lang": "en", "visibility": "public"}}], mode="a")
    result = rapport("run", "--once")
    assert result.exit_code == 0
    assert "1 unreadable" in result.stdout
    assert "zoe@social.example" in {d["contact"]["handle"] for d in _pending(rapport)}


def test_text_from_others_reaches_the_terminal_without_escape_sequences(rapport: Rapport) -> None:
    write_events(rapport.root / "events.jsonl", [{
        "id": "n-evil", "type": "mention", "at": "2026-11-25T21:00:00Z",
        "author": {"id": "u-evil", "handle": "evil@x.example", "name": "\x1b]0;pwned\x07Eve", "bio": ""},
        "post": {"id": "p-evil", "text": "hi \x1b[2J\x1b[31mred\u202eevil [bold]x[/bold]", "lang": "en"}}], mode="a")
    rapport("run", "--once")
    draft = _draft_for(rapport, "evil@x.example")
    for args in (("queue", "show", draft["id"]), ("queue", "list"), ("contacts", "show", "evil@x.example")):
        result = rapport(*args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\x07" not in result.stdout
    assert "[bold]x[/bold]" in rapport("queue", "show", draft["id"]).stdout


def test_config_errors_name_the_key(tmp_path) -> None:  # noqa: ANN001
    config = tmp_path / "bad.toml"
    config.write_text('[[accounts]]\nname = "x"\nplatform = "masto"\n', encoding="utf-8")
    result = Rapport(tmp_path, config)("config", "check")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: accounts[0].platform: unknown platform 'masto' (expected one of: sandbox, mastodon, bluesky)")


def test_usage_errors_exit_2(rapport: Rapport) -> None:
    assert rapport("queue", "list", "--status", "nonsense").exit_code == 2
    assert rapport("queue", "frobnicate").exit_code == 2


def test_a_draft_with_a_slot_is_refused_with_exit_3_until_an_edit_fills_it(rapport: Rapport) -> None:
    rapport("run", "--once")
    marta = _draft_for(rapport, "marta@red.example")
    assert marta["needs_input"] is True
    assert "[tu respuesta: club de ciclismo tranquilo por Zaragoza]" in marta["text"]
    assert marta["decision"]["needs_input"] is True and marta["decision"]["outcome"] == "hold"
    assert "needs_input" in [r["code"] for r in marta["decision"]["reasons"]]
    assert " needs_input" in rapport("queue", "list").stdout
    refused = rapport("queue", "approve", marta["id"])
    assert refused.exit_code == 3
    assert refused.stderr.startswith("error: refused: needs_input: ") and len(refused.stderr.splitlines()) == 1
    assert f"rapport queue edit {marta['id']}" in refused.stderr
    assert rapport.json("queue", "show", marta["id"])["status"] == "pending"  # nothing changed
    explained = " ".join(rapport("policy", "explain", marta["id"]).stdout.split())
    assert "hold needs_input" in explained
    kept = rapport("queue", "approve", marta["id"], "--text", "¡Hola! [tu respuesta: club] Por cierto...")
    assert kept.exit_code == 3
    filled = rapport("queue", "approve", marta["id"], "--text", "¡Hola Marta! El club Cierzo sale los domingos.")
    assert filled.exit_code == 0, filled.output
    rapport("run", "--once")
    assert [line["text"] for line in rapport.outbox] == ["¡Hola Marta! El club Cierzo sale los domingos."]


def test_review_opens_the_editor_straight_away_on_a_draft_that_needs_input(rapport: Rapport, tmp_path, monkeypatch) -> None:
    rapport("run", "--once")
    marta = _draft_for(rapport, "marta@red.example")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "¡Hola Marta! Prueba con el club Cierzo." > "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", str(editor))
    result = rapport("queue", "review", input="s\n" * 10 + "q\n")
    assert "it leaves a slot for you to fill: opening the editor" in result.stdout
    shown = rapport.json("queue", "show", marta["id"])
    assert shown["text"] == "¡Hola Marta! Prueba con el club Cierzo." and shown["needs_input"] is False
