"""Helpers for driving the real `rapport` command line over a sandbox account."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import cli
from tests.cli import Rapport

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The demo's own profile, so that its drafts answer what it answers; what it does not (Marta's
# cycling club) still holds a slot.
_DEMO_CONFIG = (EXAMPLES / "config.toml").read_text(encoding="utf-8")
DEMO_ABOUT = _DEMO_CONFIG[_DEMO_CONFIG.index("[drafting.about]"):]


def write_config(root: Path, extra: str = "", events: str = "events.jsonl") -> Path:
    """The sandbox account "demo" reading `events`."""
    account = f'name = "demo"\nplatform = "sandbox"\nhandle = "me@sandbox.example"\nevents = "{events}"'
    return cli.write_config(root, account, extra)


@pytest.fixture
def rapport(tmp_path: Path, database_url: str) -> Rapport:
    """A sandbox account over a copy of the demo history, on SQLite and on PostgreSQL."""
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", tmp_path / "events.jsonl")
    config = write_config(tmp_path, extra=f'[storage]\nurl = "{database_url}"\n[drafting]\nmax_age_days = 0\n'
                                          + DEMO_ABOUT)
    return Rapport(tmp_path, config)
