"""Helpers for driving the real `rapport` command line over a sandbox account."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli import Rapport

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write_config(root: Path, extra: str = "", events: str = "events.jsonl") -> Path:
    config = root / "config.toml"
    config.write_text(f"""
data_dir = "data"
{extra}
[[accounts]]
name = "demo"
platform = "sandbox"
handle = "me@sandbox.example"
events = "{events}"
""", encoding="utf-8")
    return config


@pytest.fixture
def rapport(tmp_path: Path, database_url: str) -> Rapport:
    """A sandbox account over a copy of the demo history, on SQLite and on PostgreSQL."""
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", tmp_path / "events.jsonl")
    config = write_config(tmp_path, extra=f'[storage]\nurl = "{database_url}"\n[drafting]\nmax_age_days = 0\n')
    return Rapport(tmp_path, config)
