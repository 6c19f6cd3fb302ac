"""Compiled regexes kept between processes are the very regexes `re.compile` makes.

`re.Pattern.__eq__` compares the pattern, the flags and the compiled code, so equality here
means the matcher runs the same program.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.domain.pitch import classify
from bot.domain.pitch_lexicon import _PHRASE_GAP, alternation, load_lexicon
from bot.regex_cache import RegexCache


def _lexicon_patterns() -> list[str]:
    seen: list[str] = []
    load_lexicon(("purchase:grab the bundle",), ("shop.example",), ("Huerto Kit",),
                 compiler=lambda pattern: seen.append(pattern) or re.compile(pattern))
    return seen


def test_every_lexicon_regex_compiles_to_the_same_program_cold_and_from_the_file(tmp_path: Path) -> None:
    patterns = _lexicon_patterns()
    assert len(patterns) >= 8
    with RegexCache(tmp_path) as cold:
        assert [cold.compile(p) for p in patterns] == [re.compile(p) for p in patterns]
    [written] = tmp_path.iterdir()
    warm = RegexCache(tmp_path)
    assert set(warm._stored) == set(patterns)  # read back whole
    assert [warm.compile(p) for p in patterns] == [re.compile(p) for p in patterns]
    assert oct(written.stat().st_mode & 0o777) == "0o600"


def test_a_damaged_or_foreign_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    pattern = r"(?<![a-z0-9])(?P<frame0>free\s+trial)(?![a-z0-9])"
    with RegexCache(tmp_path) as cache:
        cache.compile(pattern)
    [path] = tmp_path.iterdir()
    data = json.loads(path.read_text())
    data["entries"][pattern][1][3] += 1  # one instruction changed: the digest no longer matches
    path.write_text(json.dumps(data))
    assert RegexCache(tmp_path)._stored == {}
    data["build"] = "another python"
    path.write_text(json.dumps(data))
    with RegexCache(tmp_path) as cache:
        assert cache._stored == {} and cache.compile(pattern) == re.compile(pattern)
    path.write_text("not json")
    with RegexCache(tmp_path) as cache:
        assert cache.compile(pattern) == re.compile(pattern)
    assert RegexCache(tmp_path).compile(pattern) == re.compile(pattern)
    assert set(json.loads(path.read_text())["entries"]) == {pattern}


def test_an_unwritable_or_missing_folder_only_costs_the_compile(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would go")
    with RegexCache(blocked / "cache") as cache:
        assert cache.compile("a+b") == re.compile("a+b")
    with RegexCache(tmp_path / "no-data-dir" / "cache") as cache:  # the data folder is not created
        assert cache.compile("a+b") == re.compile("a+b")
    assert not (tmp_path / "no-data-dir").exists()


def test_the_lexicon_patterns_are_the_same_text_in_every_process() -> None:
    """A pattern that differed with the hash seed would never be found in the file again."""
    code = ("import hashlib, re; from tests.unit.test_regex_cache import _lexicon_patterns;"
            "print(hashlib.sha256('\\n'.join(_lexicon_patterns()).encode()).hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1 and len(next(iter(digests))) == 64


def test_phrase_gaps_still_take_typographic_separators() -> None:
    """The gap's characters above U+00FF sit outside its character class (each class with them
    costs the compiler a 64K-entry map, thousands of times); they are still gaps."""
    gap_class = re.search(r"\[([^\]]*)\]", _PHRASE_GAP)
    assert gap_class is not None and all(ord(ch) <= 0xFF for ch in gap_class.group(1))
    phrase = re.compile(alternation(["sign up now"]))
    for written in ("sign up now", "sign’up•now", "sign·up - now", "signup now", "sign-up&now"):
        assert phrase.fullmatch(written), written
    assert not phrase.fullmatch("sign, up now")
    lexicon = load_lexicon()
    assert classify("sign’up now for 50% off: link in bio", lexicon, "en").pitch
