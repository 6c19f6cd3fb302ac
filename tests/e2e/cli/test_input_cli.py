"""What a person types or hands over, through the real CLI: a file that is not UTF-8, control
characters in an approved text, and an edit with no editor to run."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Rapport


def _pending(rapport: Rapport, handle: str = "jordan@social.example") -> dict:
    assert rapport("run", "--once").exit_code == 0
    return next(d for d in rapport.json("queue", "list") if d["contact"]["handle"] == handle)


def test_classify_file_with_invalid_utf8_skips_that_line_in_one_line_and_goes_on(rapport: Rapport,
                                                                                  tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_bytes(b'{"id": "bad", "text": "caf\xe9 \xff"}\n'
                      + json.dumps({"id": "ok", "text": "Book a demo today: plans from $49/month!"}).encode() + b"\n")
    result = rapport("policy", "classify", "--file", str(items), "--json")
    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ok"]
    assert result.stderr.splitlines() == [f"{items}:1: skipped: not UTF-8 (byte 0xe9 at column 27)"]


def test_classify_file_that_is_a_folder_is_one_line(rapport: Rapport, tmp_path: Path) -> None:
    result = rapport("policy", "classify", "--file", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: cannot read {tmp_path}: Is a directory"]


@pytest.mark.parametrize("text, shown", [
    ("Thanks \x1b[31mJordan", "U+001B ESC at line 1, column 8"),
    ("Thanks Jordan\x07", "U+0007 BEL at line 1, column 14"),
    ("Thanks\nJordan \u202eeno", "U+202E RIGHT-TO-LEFT OVERRIDE at line 2, column 8"),
], ids=["esc", "bel", "bidi_override"])
def test_approve_text_with_a_control_character_is_a_usage_error_in_one_line(rapport: Rapport, text: str,
                                                                            shown: str) -> None:
    """Exit 2: the command line is wrong, whatever the draft or the policy (3 is for guardrails)."""
    draft = _pending(rapport)
    result = rapport("queue", "approve", draft["id"], "--text", text)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: --text: contains {shown}, which would be posted unseen; remove it"]
    assert rapport.json("queue", "show", draft["id"])["status"] == "pending"


def test_approve_text_with_newlines_tabs_and_right_to_left_marks_is_accepted(rapport: Rapport) -> None:
    draft = _pending(rapport)
    result = rapport("queue", "approve", draft["id"], "--text", "Thanks Jordan!\r\n\tשלום \u200f:)")
    assert result.exit_code == 0, result.output


def _editor(tmp_path: Path, replacement: str) -> str:
    """An editor that replaces the whole draft with `replacement`, as a person would type it."""
    script = tmp_path / "editor.py"
    script.write_text(f"import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write({replacement!r})\n",
                      encoding="utf-8")
    return f"{sys.executable} {script}"


def test_an_edit_that_adds_a_control_character_is_refused_in_one_line(rapport: Rapport, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit 1: the text came from the editor, not from the command line."""
    draft = _pending(rapport)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "Thanks Jordan \x1b]0;owned\x07"))
    monkeypatch.delenv("VISUAL", raising=False)
    result = rapport("queue", "edit", draft["id"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: the text contains U+001B ESC at line 1, column 15, which would be posted unseen; remove it"]
    assert rapport.json("queue", "show", draft["id"])["text"] == draft["text"]


def test_edit_with_no_editor_and_no_terminal_fails_in_one_line_without_starting_one(
    rapport: Rapport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft = _pending(rapport)
    started = tmp_path / "started"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("sensible-editor", "nano", "vi"):  # the defaults, each noting it was started
        fake = bin_dir / name
        fake.write_text(f"#!/bin/sh\necho {name} >> {started}\n", encoding="utf-8")
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    result = rapport("queue", "edit", draft["id"])  # the runner's stdin is no terminal
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: no editor: $VISUAL and $EDITOR are unset and there is no terminal")
    assert not started.exists()
