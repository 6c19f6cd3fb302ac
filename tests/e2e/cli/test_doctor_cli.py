"""`rapport doctor` finds what others on the machine could read or change, and a damaged database,
and goes on checking; a damaged database is one line for every other command too."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli import Rapport
from tests.e2e.conftest import EXAMPLES

SANDBOX_ACCOUNT = 'name = "demo"\nplatform = "sandbox"\nhandle = "me@sandbox.example"\nevents = "events.jsonl"\n'
MASTODON_ACCOUNT = 'name = "main"\nplatform = "mastodon"\nbase_url = "https://mastodon.example"\n'


pytestmark = pytest.mark.usefixtures("clean_environment")  # tests/conftest.py


@pytest.fixture
def sandbox(tmp_path: Path) -> Rapport:
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", tmp_path / "events.jsonl")
    return Rapport.with_account(tmp_path, SANDBOX_ACCOUNT, "[drafting]\nmax_age_days = 0\n")


def lines(result) -> list[str]:  # noqa: ANN001
    assert "Traceback" not in result.output
    return result.stdout.splitlines()


def line_for(result, start: str) -> str:  # noqa: ANN001
    found = [line for line in lines(result) if line.startswith(start)]
    assert len(found) == 1, result.stdout
    return found[0]


# files others could read or change ------------------------------------------------------------

def test_doctor_fails_a_world_writable_data_dir_and_says_what_to_do(sandbox: Rapport) -> None:
    data = sandbox.root / "data"
    data.mkdir()
    data.chmod(0o777)
    result = sandbox("doctor")
    assert result.exit_code == 1
    line = line_for(result, "FAIL data_dir: ")
    assert "writable by every user (mode 0777)" in line and f"chmod 700 {data}" in line
    data.chmod(0o700)
    assert line_for(sandbox("doctor"), "ok   data_dir: ")


def test_doctor_warns_of_a_world_readable_secret_file(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("a-token-value\n", encoding="utf-8")
    token.chmod(0o644)
    rapport = Rapport.with_account(tmp_path, MASTODON_ACCOUNT + 'token_file = "token"\n')
    result = rapport("doctor")
    line = line_for(result, "warn accounts[0].token_file: ")
    assert "readable by every user (mode 0644)" in line and f"chmod 600 {token}" in line
    assert "a-token-value" not in result.output
    token.chmod(0o600)
    assert line_for(rapport("doctor"), "ok   accounts[0].token_file: ")


def test_doctor_fails_a_secret_written_in_the_config_file_without_showing_it(tmp_path: Path) -> None:
    rapport = Rapport.with_account(tmp_path, MASTODON_ACCOUNT + 'token = "inline-token-value"\n',
                                   '[drafting.openai]\napi_key = "sk-inline-key"\n')
    result = rapport("doctor")
    assert result.exit_code == 1
    assert lines(result)[0].startswith("FAIL config: ")
    token = line_for(result, "FAIL secret accounts[0].token: ")
    assert f"written in plain text in {rapport.config}" in token and "token_file" in token
    assert line_for(result, "FAIL secret drafting.openai.api_key: ")
    assert "inline-token-value" not in result.output and "sk-inline-key" not in result.output


def test_doctor_fails_a_secret_put_where_its_variable_name_goes(tmp_path: Path) -> None:
    rapport = Rapport.with_account(tmp_path, MASTODON_ACCOUNT + 'token_env = "abcd-1234.efgh"\n')
    result = rapport("doctor")
    assert result.exit_code == 1
    assert "not a variable name" in line_for(result, "FAIL secret accounts[0].token_env: ")
    assert "abcd-1234.efgh" not in result.output


# a damaged database ---------------------------------------------------------------------------

def _zero_page(database: Path, table: str | None) -> None:
    """Overwrite one page with zeros: the file header's (page 1), or the root page of `table`."""
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(connection.execute("SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0"))
    connection.close()
    page = 1 if table is None else roots[table]
    with database.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(b"\0" * page_size)


@pytest.mark.parametrize("table", [None, "drafts"], ids=["header", "drafts_table"])
def test_a_database_with_zeroed_pages_is_one_line_for_queue_list(sandbox: Rapport, table: str | None) -> None:
    assert sandbox("run", "--once").exit_code == 0
    database = sandbox.root / "data" / "rapport.db"
    _zero_page(database, table)
    result = sandbox("queue", "list")
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: the database file {database} is damaged (")
    assert "restore it from a backup" in line


@pytest.mark.parametrize("table", [None, "drafts"], ids=["header", "drafts_table"])
def test_doctor_fails_a_damaged_database_and_goes_on(sandbox: Rapport, table: str | None) -> None:
    assert sandbox("run", "--once").exit_code == 0
    _zero_page(sandbox.root / "data" / "rapport.db", table)
    result = sandbox("doctor")
    assert result.exit_code == 1
    assert "is damaged" in line_for(result, "FAIL database: ")
    assert line_for(result, "ok   account demo credentials: ")  # the checks after it still ran


def test_doctor_says_where_the_models_are_unpacked_and_fails_a_folder_anyone_can_write(sandbox: Rapport) -> None:
    [before] = [line for line in lines(sandbox("doctor")) if line.startswith("ok   model cache")]
    assert "does not exist yet" in before
    folder = sandbox.config.parent / "data" / "cache" / "models"
    folder.mkdir(parents=True)
    (folder / "usem3-0123456789abcdef").mkdir()
    (folder / "usem3-0123456789abcdef" / "table.npy").write_bytes(b"\0" * 3 * 2**20)
    [after] = [line for line in lines(sandbox("doctor")) if "model cache" in line]
    assert after.startswith("ok   model cache") and "1 model(s) unpacked, 3 MB" in after
    folder.chmod(0o777)
    result = sandbox("doctor")
    [refused] = [line for line in lines(result) if "model cache" in line]
    assert refused.startswith("FAIL model cache") and f"chmod 700 {folder}" in refused
    assert result.exit_code != 0
