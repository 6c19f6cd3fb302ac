"""A real Bluesky network on loopback for end-to-end tests: `npm ci`, then `launcher.mjs`.

The launcher prints one JSON line when its PLC, PDS and AppView are up, then answers one JSON
command per line (see launcher.mjs). `LocalBluesky` wraps that; `Unavailable` says why it could
not start, for the fixture to skip (or fail, in CI).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import shutil
import string
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


class Unavailable(RuntimeError):
    """The local network cannot run here (no Node, no npm packages, no PostgreSQL...)."""


class LauncherError(RuntimeError):
    """The launcher ran and failed: a bug to fix, never a reason to skip."""


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    password: str


INSTALLED_STAMP = ".rapport-installed"  # written last: an interrupted `npm ci` leaves none


def ensure_installed(directory: Path = HERE, timeout: float = 600.0) -> float | None:
    """Run `npm ci` unless it finished for this lock file; the seconds it took, None if not needed."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise Unavailable("node and npm are needed for the local Bluesky network")
    stamp = directory / "node_modules" / INSTALLED_STAMP
    lock = (directory / "package-lock.json").read_bytes()
    if stamp.is_file() and stamp.read_bytes() == lock:
        return None
    started = time.monotonic()
    try:
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=directory, capture_output=True, text=True,
            timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise Unavailable(f"npm ci took more than {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise Unavailable(f"npm ci failed ({done.returncode}): {done.stderr[-2000:]}")
    stamp.write_bytes(lock)
    return time.monotonic() - started


class LocalBluesky:
    """One running launcher: its URLs, its two accounts, and a command channel."""

    def __init__(self, workdir: Path, postgres_url: str | None = None, start_timeout: float = 180.0) -> None:
        self.workdir = workdir
        self.postgres_url = postgres_url or os.environ.get("RAPPORT_E2E_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        # The AppView's schemas are named after this; it accepts letters and "_" only, no digits.
        self.schema = "rapport_endtoend_" + "".join(random.choices(string.ascii_lowercase, k=10))
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr_path = workdir / "launcher.stderr.log"
        self._process = self._spawn()
        ready = self._next(start_timeout, "start")
        if not ready.get("ready"):
            self.close()
            raise LauncherError(f"the launcher did not start: {ready}")
        self.pds_url: str = ready["pds"]
        self.appview_url: str = ready["appview"]
        self.accounts = {name: Account(**fields) for name, fields in ready["accounts"].items()}

    def _spawn(self) -> subprocess.Popen[str]:
        tmp = self.workdir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "TMPDIR": str(tmp),  # the PDS keeps its repos and blobs there
            "DB_POSTGRES_URL": self.postgres_url,
            "DB_POSTGRES_SCHEMA": self.schema,
            "REDIS_HOST": "127.0.0.1:6379",  # must be set; nothing connects to it
            "LOG_ENABLED": "false",
            "NODE_NO_WARNINGS": "1",
        }
        stderr = self._stderr_path.open("w", encoding="utf-8")
        process = subprocess.Popen(
            ["node", str(HERE / "launcher.mjs")], cwd=HERE, env=env, text=True, encoding="utf-8",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
        )
        stderr.close()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()
        return process

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # a library printing to stdout: not part of the protocol
            if isinstance(message, dict):
                self._lines.put(message)
        self._lines.put(None)

    def _next(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            message = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise LauncherError(
                f"the launcher gave no answer to {what} within {timeout:.0f} s; {self._tail()}"
            ) from None
        if message is None:
            raise LauncherError(f"the launcher exited during {what}; {self._tail()}")
        return message

    def _tail(self) -> str:
        try:
            return "its stderr ends with: " + self._stderr_path.read_text(encoding="utf-8")[-3000:]
        except OSError:
            return "no stderr"

    def command(self, cmd: str, timeout: float = 60.0, **fields: Any) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
        self._process.stdin.flush()
        answer = self._next(timeout, cmd)
        if not answer.get("ok"):
            raise RuntimeError(f"launcher command {cmd} failed: {answer.get('error')}")
        return answer

    def process_all(self) -> None:
        """Wait until the AppView has indexed everything the PDS has: it indexes asynchronously."""
        self.command("processAll")

    def post(self, as_: str, text: str, **fields: Any) -> str:
        return self.command("post", **{"as": as_, "text": text, **fields})["uri"]

    def notifications(self, as_: str) -> list[dict[str, Any]]:
        return self.command("notifications", **{"as": as_})["notifications"]

    def create_session_calls(self) -> int:
        return self.command("stats")["createSession"]

    def close(self) -> None:
        """EOF on stdin stops the launcher; a stuck one is terminated, then killed."""
        process = self._process
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.close()
                process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self._drop_schemas()

    def _drop_schemas(self) -> None:
        try:
            import psycopg
        except ImportError:
            return  # the schemas stay; they are named per run, so nothing clashes
        # Cleaning up is a courtesy: a failure leaves schemas that no later run's names meet.
        with contextlib.suppress(psycopg.Error), psycopg.connect(
            self.postgres_url, autocommit=True, connect_timeout=5,
        ) as connection:
            for prefix in ("appview", "ozone"):
                connection.execute(f'DROP SCHEMA IF EXISTS "{prefix}_{self.schema}" CASCADE')


def postgres_reachable(url: str = DEFAULT_POSTGRES_URL) -> bool:
    try:
        import psycopg
    except ImportError:
        return True  # cannot tell; let the launcher report it
    try:
        with psycopg.connect(url, connect_timeout=5):
            return True
    except psycopg.Error:
        return False
