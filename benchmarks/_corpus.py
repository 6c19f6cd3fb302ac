"""The sector corpus: pitches and hard negatives for every sector x tactic cell, by writer.

Rows live in `tests/data/pitch_sectors/WRITER.jsonl`; the sectors and tactics in
`tests/data/pitch_taxonomy.toml`; the guide their writers followed in `tests/data/pitch_guide.md`.
Each writer wrote whole sectors in one language, so leaving a writer out leaves out both their
style and their sectors.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT / "tests" / "data"
SECTORS_DIR = DATA / "pitch_sectors"
# The first headline set, scored once on 2026-12-07 and then turned into training data when the
# second (`pitch_headline2/`) replaced it as the estimate of unseen text.
FIRST_HEADLINE_DIR = DATA / "pitch_headline"


@dataclass(frozen=True)
class CorpusRow:
    id: str
    text: str
    pitch: bool
    kind: str
    sector: str
    tactic: str
    writer: str
    language: str


def taxonomy() -> tuple[dict[str, str], dict[str, str]]:
    """(sectors, tactics): id -> description."""
    data = tomllib.loads((DATA / "pitch_taxonomy.toml").read_text(encoding="utf-8"))
    return data["sectors"], data["tactics"]


def corpus_rows(directory: Path = SECTORS_DIR) -> list[CorpusRow]:
    """Every row of every writer, in file order; a malformed row stops with its place named."""
    sectors, tactics = taxonomy()
    rows = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            row = CorpusRow(**{field: record[field] for field in CorpusRow.__dataclass_fields__})
            ordinary = row.kind == "genuine" and not row.pitch and row.tactic == "none"
            if row.sector not in sectors or (row.tactic not in tactics and not ordinary):
                raise SystemExit(f"{path.name}:{number}: unknown sector or tactic {row.sector}/{row.tactic}")
            rows.append(row)
    return rows


def training_corpus_rows() -> list[CorpusRow]:
    """What the semantic model learns from and is scored writer-held-out on: the sector corpus
    and the first headline set, each writer a fold."""
    return corpus_rows(SECTORS_DIR) + corpus_rows(FIRST_HEADLINE_DIR)
