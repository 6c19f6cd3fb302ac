"""A HANDLE typed in bytes that are not UTF-8 (a C.UTF-8 shell hands them to Python as lone
surrogates) is refused in one line with exit 2, never a traceback, and before the store is used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import Rapport

ROOT = Path(__file__).resolve().parents[3]
NOT_UTF8 = b"ana\xff@x"


def run_real_cli(config: Path, *args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    """The real command in its own process: the handle's bytes go into argv exactly as typed."""
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    env.pop("PYTHONUTF8", None)
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config), *args],
                          capture_output=True, env=env, cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)


def assert_refused_in_one_line(result: subprocess.CompletedProcess[bytes], name: str = "HANDLE") -> None:
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, stderr
    assert "Traceback" not in stderr and len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith(f"error: {name} is not valid UTF-8: ana\ufffd@x"), stderr
    assert result.stdout == b""


@pytest.mark.parametrize("args", [("show",), ("show", "--json")])
def test_show_refuses_a_handle_that_is_not_utf8_with_a_store_that_has_contacts(
    rapport: Rapport, args: tuple[str, ...],
) -> None:
    assert rapport("run", "--once").exit_code == 0
    assert_refused_in_one_line(run_real_cli(rapport.config, "contacts", args[0], NOT_UTF8, *args[1:]))


@pytest.mark.parametrize("args", [("show",), ("note", "a note"), ("trust",), ("untrust",), ("resume",),
                                  ("forget", "--yes")])
def test_every_handle_command_refuses_it_before_the_config_or_store_is_read(
    tmp_path: Path, args: tuple[str, ...],
) -> None:
    # No config file at all: reading it (let alone opening a store) would fail with exit 1.
    result = run_real_cli(tmp_path / "missing.toml", "contacts", args[0], NOT_UTF8, *args[1:])
    assert_refused_in_one_line(result)
    assert not (tmp_path / "data").exists()


def test_policy_check_refuses_a_contact_that_is_not_utf8(rapport: Rapport) -> None:
    assert rapport("run", "--once").exit_code == 0
    result = run_real_cli(rapport.config, "policy", "check", "--account", "demo", "--contact", NOT_UTF8,
                          "--text", "hola")
    assert_refused_in_one_line(result, "--contact")
