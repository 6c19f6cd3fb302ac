"""Scoring the interests kept from messages against tests/data/interests/{en,es}.jsonl.

Each row is a message with the subjects a person would say it is about (a craft, a field, a
project, a tool); greetings, scheduling, thanks and injection attempts have none. The first 50
rows of each language are the tuning half, the last 50 the held-out half.

A kept phrase is right when its words (folded: case and accents off) are all in one labelled
interest, or one labelled interest's words are all in it: "ceramics" for "ceramics studio", or
"restoring vintage" would be wrong but "vintage bicycles" right. Precision counts kept phrases
that are right; recall counts labelled interests that some kept phrase matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.domain.normalize import fold_term

DATA = Path(__file__).resolve().parent / "data" / "interests"
TUNING_ROWS = 50
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    interests: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    kept: int
    right: int
    labelled: int
    found: int
    wrong: tuple[tuple[str, str], ...]  # (row id, phrase) kept but not a labelled subject

    @property
    def precision(self) -> float:
        return self.right / self.kept if self.kept else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


def load(language: str) -> list[Row]:
    lines = (DATA / f"{language}.jsonl").read_text(encoding="utf-8").splitlines()
    return [Row(d["id"], d["text"], tuple(d["interests"])) for d in map(json.loads, lines) if d]


def halves(language: str) -> tuple[list[Row], list[Row]]:
    """(tuning, held out)."""
    rows = load(language)
    return rows[:TUNING_ROWS], rows[TUNING_ROWS:]


def score(rows: Sequence[Row], extract: Callable[[str], list[str]]) -> Score:
    kept = right = labelled = found = 0
    wrong: list[tuple[str, str]] = []
    for row in rows:
        phrases = extract(row.text)
        expected = [_words(i) for i in row.interests]
        kept += len(phrases)
        labelled += len(expected)
        for phrase in phrases:
            if any(_matches(_words(phrase), e) for e in expected):
                right += 1
            else:
                wrong.append((row.id, phrase))
        found += sum(any(_matches(_words(p), e) for p in phrases) for e in expected)
    return Score(kept, right, labelled, found, tuple(wrong))


def _words(phrase: str) -> frozenset[str]:
    return frozenset(re.findall(r"[^\W_]+", fold_term(phrase)))


def _matches(kept: frozenset[str], labelled: frozenset[str]) -> bool:
    return bool(kept) and (kept <= labelled or labelled <= kept)
