"""`[drafting.about]` and the stored profile `rapport about set` writes: checked entries, plain
strings as short entries, and a long-running drafter that sees a change on its next draft."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.config_about import AboutEntry, AboutSettings
from bot.errors import ConfigError
from bot.services.about import AboutSource, add, effective


def settings_with(tmp_path: Path, about: str):  # noqa: ANN201
    config = tmp_path / "config.toml"
    config.write_text(f"[drafting.about]\n{about}\n", encoding="utf-8")
    return load_settings(config)


def test_entries_may_be_tables_or_plain_strings(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, 'work = ["Enseño biología"]\n'
                                       'resources = [{ text = "Slides", url = "https://me.example/s", lang = "en" }]')
    facts = settings.drafting.about.profile().facts
    assert [(f.kind, f.text, f.url, f.language) for f in facts] == [
        ("work", "Enseño biología", "", ""), ("resource", "Slides", "https://me.example/s", "en")]
    assert facts[1].says() == "Slides: https://me.example/s"


@pytest.mark.parametrize(("about", "key"), [
    ('resources = [{ text = "Slides", url = "javascript:alert(1)" }]', "url"),
    ('interests = [{ text = "" }]', "text"),
    ('interests = [{ text = "Fill [this]" }]', "text"),
    ('interests = [{ text = "x", lang = "Spanish!" }]', "lang"),
    ('hobbies = ["chess"]', "hobbies"),
])
def test_a_bad_entry_is_a_config_error_naming_its_key(tmp_path: Path, about: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        settings_with(tmp_path, about)


def test_the_stored_profile_extends_the_config_one_and_is_read_again_when_it_changes(tmp_path: Path) -> None:
    configured = AboutSettings(work=[AboutEntry(text="Enseño biología")])
    stored = tmp_path / "about.json"
    source = AboutSource(configured, stored)
    assert [f.source for f in source().facts] == ["config"]
    add(stored, "interest", AboutEntry(text="Tengo un huerto", keywords=["cultivar"]))
    os.utime(stored, ns=(1, 1))  # a different stamp, whatever the file system's clock resolution
    assert [(f.kind, f.source) for f in source().facts] == [("work", "config"), ("interest", "stored")]
    assert effective(configured, stored) == source()


def test_a_stored_file_that_breaks_the_rules_is_one_line_naming_the_file(tmp_path: Path) -> None:
    stored = tmp_path / "about.json"
    stored.write_text('{"interests": [{"text": "x", "url": "nope"}]}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"about\.json: .*url"):
        effective(AboutSettings(), stored)
