"""Helpers for driving the real `rapport` command line over a sandbox account."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import CliState, app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class Rapport:
    """`rapport --config <tmp>/config.toml ...` through Typer's runner."""

    root: Path
    config: Path

    def __call__(self, *args: str, input: str | None = None):  # noqa: A002, ANN204
        runner = CliRunner()
        return runner.invoke(app, ["--config", str(self.config), *args], input=input,
                             obj=CliState(), catch_exceptions=False)

    def json(self, *args: str):  # noqa: ANN201
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    @property
    def outbox(self) -> list[dict]:
        path = self.root / "data" / "sandbox-outbox.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


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
