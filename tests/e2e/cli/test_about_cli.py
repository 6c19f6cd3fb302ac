"""`rapport about set/show/remove`: the owner's profile, kept apart from the user's config file, and
what the drafts then say; `policy check` refuses a text that still holds a slot."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import Rapport
from tests.e2e.conftest import write_config

CONFIG_ABOUT = '[drafting.about]\nwork = ["Enseño biología en un instituto"]\n'


def rapport_at(tmp_path: Path, extra: str = CONFIG_ABOUT) -> Rapport:
    (tmp_path / "events.jsonl").write_text("", encoding="utf-8")
    return Rapport(tmp_path, write_config(tmp_path, extra=extra))


def test_set_adds_to_the_config_section_without_touching_the_config_file(tmp_path: Path) -> None:
    rapport = rapport_at(tmp_path)
    before = rapport.config.read_bytes()
    added = rapport("about", "set", "interest", "Tengo un huerto en la terraza", "-k", "cultivar", "--lang", "es")
    assert added.exit_code == 0 and added.stdout.startswith("added interest: ")
    linked = rapport("about", "set", "resource", "My reading list is here", "--url", "https://me.example/list")
    assert linked.exit_code == 0
    assert rapport.config.read_bytes() == before
    stored = tmp_path / "data" / "about.json"
    assert stored.stat().st_mode & 0o777 == 0o600
    shown = rapport.json("about", "show")
    assert [(f["kind"], f["source"]) for f in shown] == [("work", "config"), ("interest", "stored"),
                                                          ("resource", "stored")]
    assert shown[1]["keywords"] == ["cultivar"] and shown[1]["lang"] == "es"
    assert "My reading list is here: https://me.example/list" in rapport("about", "show").stdout
    again = rapport("about", "set", "interest", "tengo un huerto en la terraza")
    assert again.stdout.startswith("replaced interest: ") and len(rapport.json("about", "show")) == 3
    assert rapport("about", "remove", "interest", "Tengo un huerto en la terraza").exit_code == 0
    assert len(json.loads(stored.read_text(encoding="utf-8"))["resources"]) == 1


def test_bad_entries_are_one_line_and_store_nothing(tmp_path: Path) -> None:
    rapport = rapport_at(tmp_path, extra="")
    for args in (("about", "set", "hobby", "Juego al ajedrez"),
                 ("about", "set", "resource", "Slides", "--url", "ftp://me.example/slides"),
                 ("about", "set", "interest", "Fill [this] in")):
        result = rapport(*args)
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.output
    assert not (tmp_path / "data" / "about.json").exists()
    missing = rapport("about", "remove", "work", "Enseño biología en un instituto")
    assert missing.exit_code == 1 and "edited in the config file" in missing.stderr


def test_a_damaged_stored_profile_is_one_clear_line(tmp_path: Path) -> None:
    rapport = rapport_at(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "about.json").write_text("{not json", encoding="utf-8")
    result = rapport("about", "show")
    assert result.exit_code == 1 and "about.json: not valid JSON" in result.stderr


def test_show_with_nothing_says_what_drafts_will_do(tmp_path: Path) -> None:
    result = rapport_at(tmp_path, extra="")("about", "show")
    assert result.exit_code == 0 and "drafts leave a slot" in result.stdout


def test_policy_check_refuses_a_text_that_still_holds_a_slot(tmp_path: Path) -> None:
    rapport = rapport_at(tmp_path)
    args = ("policy", "check", "--account", "demo", "--contact", "ana@social.example")
    held = rapport(*args, "--text", "¡Hola! [tu respuesta: club de ciclismo]", "--json")
    assert held.exit_code == 3
    data = json.loads(held.stdout)
    assert data["allowed"] is False and data["needs_input"] is True and data["outcome"] == "hold"
    assert [r["code"] for r in data["reasons"]] == ["needs_input"]
    assert rapport(*args, "--text", "¡Hola! El club Cierzo sale los domingos.").exit_code == 0
