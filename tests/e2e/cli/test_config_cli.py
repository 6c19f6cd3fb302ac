"""Config and data folder problems through the real CLI: one `error: ...` line and exit 1, never a
traceback (unless --debug), before anything could crash later or lose data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLES, Rapport, write_config

SANDBOX_ACCOUNT = 'name = "demo"\nplatform = "sandbox"\nhandle = "me@sandbox.example"\nevents = "events.jsonl"\n'


pytestmark = pytest.mark.usefixtures("clean_environment")  # tests/conftest.py


def sandbox(root: Path, extra: str = "", account_extra: str = "") -> Rapport:
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", root / "events.jsonl")
    return Rapport.with_account(root, SANDBOX_ACCOUNT + account_extra, extra)


def one_error_line(result, exit_code: int = 1) -> str:  # noqa: ANN001
    assert result.exit_code == exit_code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# numbers are finite and bounded -----------------------------------------------------------------

NUMBERS = [
    ("policy.pitch", "cooldown_days"), ("service", "send_lease_seconds"), ("privacy", "retention_days"),
    ("drafting.checkins", "quiet_days"), ("drafting", "max_age_days"), ("service", "heartbeat_max_age_seconds"),
]


@pytest.mark.parametrize("table, key", NUMBERS, ids=[k for _, k in NUMBERS])
@pytest.mark.parametrize("value", ["inf", "nan", "1e12", "9999999"])
def test_config_check_refuses_an_unbounded_number_in_one_line(tmp_path: Path, table: str, key: str,
                                                              value: str) -> None:
    rapport = sandbox(tmp_path, f"[{table}]\n{key} = {value}\n")
    line = one_error_line(rapport("config", "check"))
    assert line.startswith(f"error: {table}.{key}: must be ")


@pytest.mark.parametrize("value", ["inf", "1e12", "9999999"])
def test_config_check_refuses_an_unbounded_backfill(tmp_path: Path, value: str) -> None:
    rapport = sandbox(tmp_path, account_extra=f"backfill_days = {value}\n")
    assert one_error_line(rapport("config", "check")).startswith("error: accounts[0].backfill_days: must be ")


def test_health_with_an_infinite_heartbeat_age_is_one_line_not_a_crash(tmp_path: Path) -> None:
    rapport = sandbox(tmp_path, "[service]\nheartbeat_max_age_seconds = inf\n")
    line = one_error_line(rapport("health"))
    assert line == "error: service.heartbeat_max_age_seconds: must be a finite number, got inf"


# an in-memory database would lose everything --------------------------------------------------

IN_MEMORY = ["sqlite://", "sqlite:///:memory:", "sqlite:///file:rapport?mode=memory&uri=true"]


@pytest.mark.parametrize("url", IN_MEMORY)
@pytest.mark.parametrize("command", [("config", "check"), ("run", "--once"), ("queue", "list")])
def test_an_in_memory_database_is_refused_saying_why(tmp_path: Path, url: str, command: tuple[str, ...]) -> None:
    rapport = sandbox(tmp_path, f'[storage]\nurl = "{url}"\n')
    line = one_error_line(rapport(*command))
    assert line.startswith("error: storage.url: an in-memory database is refused: ")
    assert "would be lost" in line


@pytest.mark.parametrize("url", IN_MEMORY)
def test_doctor_fails_an_in_memory_database_saying_why(tmp_path: Path, url: str) -> None:
    result = sandbox(tmp_path, f'[storage]\nurl = "{url}"\n')("doctor")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("FAIL config: storage.url: an in-memory database is refused")


# environment -----------------------------------------------------------------------------------

def test_bad_json_in_rapport_accounts_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_ACCOUNTS", '[{"name": "demo", "platform": ')
    line = one_error_line(sandbox(tmp_path)("config", "check"))
    assert line.startswith("error: RAPPORT_ACCOUNTS: not valid JSON (")


# the data folder --------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [("queue", "list"), ("run", "--once"), ("db", "upgrade"), ("contacts", "list")])
def test_a_data_dir_that_is_a_file_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    rapport = sandbox(tmp_path)
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    line = one_error_line(rapport(*command))
    assert line == f"error: data_dir: {tmp_path / 'data'} is a file, not a folder: move the file away or set data_dir" \
                   " elsewhere"


def _unwritable_folder(tmp_path: Path) -> Path:
    """A data_dir this process cannot write: a read-only folder, or for root (who may write
    anywhere it can create) a place in /sys, where even root cannot create folders."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
        return folder / "data"
    target = Path("/sys/rapport-test-data")
    try:
        target.mkdir()
    except OSError:
        return target
    target.rmdir()
    pytest.skip("no place this process cannot write")


def test_an_unwritable_data_dir_is_one_line(tmp_path: Path) -> None:
    folder = _unwritable_folder(tmp_path)
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", tmp_path / "events.jsonl")
    rapport = Rapport(tmp_path, write_config(tmp_path))
    rapport.config.write_text(rapport.config.read_text(encoding="utf-8").replace('data_dir = "data"',
                                                                                 f'data_dir = "{folder}"'))
    line = one_error_line(rapport("queue", "list"))
    assert line.startswith(f"error: data_dir: cannot create {folder}: ")


def test_debug_adds_the_traceback_to_the_one_line(tmp_path: Path) -> None:
    rapport = sandbox(tmp_path)
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    result = rapport("--debug", "queue", "list")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and result.stderr.rstrip().splitlines()[-1].startswith("error: data_dir: ")


def test_config_check_shows_the_database_url_without_its_password(tmp_path: Path) -> None:
    rapport = sandbox(tmp_path, '[storage]\nurl = "postgresql+psycopg://rapport:hunter2@db.example/rapport"\n')
    result = rapport("config", "check")
    assert result.exit_code == 0
    assert "hunter2" not in result.output and "postgresql+psycopg://rapport:***@db.example/rapport" in result.stdout
