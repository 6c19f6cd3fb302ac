"""The real `rapport` command line, driven through Typer's runner with a config file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.app import CliState, app


def write_config(root: Path, account: str, extra: str = "") -> Path:
    """`root/config.toml` with data under `root/data`, `extra` sections and one account, whose
    `[[accounts]]` lines are `account`."""
    config = root / "config.toml"
    config.write_text(f'data_dir = "data"\n{extra.strip()}\n[[accounts]]\n{account.strip()}\n', encoding="utf-8")
    return config


@dataclass
class Rapport:
    """`rapport --config <tmp>/config.toml ...` through Typer's runner."""

    root: Path
    config: Path

    @classmethod
    def with_account(cls, root: Path, account: str, extra: str = "") -> Rapport:
        return cls(root, write_config(root, account, extra))

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
