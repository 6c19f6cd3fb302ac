"""How long the everyday CLI commands take, as a person runs them, on a store of realistic size.

The store is SQLite with 50,000 contacts on two accounts (Mastodon and Bluesky), 10,000
messages from them and a pending reply draft for each, Spanish and English, built with the real
migrations and bulk inserts into the real schema. Each command is a fresh `python -m bot`
process (interpreter start-up and imports included: that is what a person waits for), timed
several times; the median is compared with its target:

    queue list --json    <= 0.35 s     queue show ID       <= 0.35 s
    queue approve ID     <= 0.60 s     --help              <= 0.15 s

Every `approve` takes a different draft, so each run does the real work (a decision, a write).
The table also shows each command's median CPU time (user + system), which depends less on
what else the machine is running than the wall-clock time the targets are set on.

Run: python benchmarks/cli_latency.py [--runs N] [--keep DIR]  (exits 1 when a target is missed)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONTACTS = 50_000
DRAFTS = 10_000
NOW = datetime.now(timezone.utc).replace(microsecond=0)
TARGETS = {"queue list --json": 0.35, "queue show": 0.35, "queue approve": 0.60, "--help": 0.15}
ACCOUNTS = (("masto", "mastodon", "me@social.example"), ("sky", "bluesky", "me.bsky.social"))
MESSAGES = {
    "es": ["¡Qué bueno verte por aquí! ¿Cómo fue la mudanza a Lisboa?", "Gracias por la receta, la probé ayer",
           "¿Vienes al recital del sábado?", "Me encantó tu hilo sobre cerámica, ¿dónde aprendiste?"],
    "en": ["Loved your thread on film photography, which camera do you use?", "Thanks for the tip on the trail!",
           "How did the job interview go?", "Good luck with the marathon on Sunday"],
}
REPLIES = {"es": "¡Gracias por escribir! Me alegra saber de ti, cuéntame más cuando puedas.",
           "en": "Thanks for writing! Glad to hear from you, tell me more when you can."}


def write_config(root: Path) -> Path:
    config = root / "config.toml"
    config.write_text(
        'data_dir = "data"\n'
        '[[accounts]]\nname = "masto"\nplatform = "mastodon"\nbase_url = "https://social.example"\n'
        'handle = "me@social.example"\ntoken_env = "RAPPORT_BENCH_UNSET_TOKEN"\n'
        '[[accounts]]\nname = "sky"\nplatform = "bluesky"\nhandle = "me.bsky.social"\n'
        'password_env = "RAPPORT_BENCH_UNSET_PASSWORD"\n',
        encoding="utf-8",
    )
    return config


def build_store(config: Path) -> list[str]:
    """Create the store through the App (migrations, accounts) and fill it; the draft ids, oldest first."""
    from sqlalchemy import insert

    from bot.bootstrap import App
    from bot.config import load_settings
    from bot.domain.decisions import Decision, Outcome, RuleResult
    from bot.store.schema import contacts, drafts, interactions

    app = App(load_settings(config), semantic=False)
    store = app.store
    rng = random.Random(15)
    stages = ["audience"] * 5 + ["first_contact"] * 2 + ["acquaintance"] * 2 + ["relationship"]
    contact_rows = []
    for i in range(1, CONTACTS + 1):
        account = ACCOUNTS[i % 2][0]
        handle = f"person{i}@town{i % 97}.example" if account == "masto" else f"person{i}.bsky.social"
        contact_rows.append(dict(
            id=i, account=account, platform_id=f"p{i}", handle=handle, handle_key=handle.lower(),
            name=f"Persona {i}", bio="Fotografía, huertos y café · photography, gardens, coffee", fields="[]",
            bot=False, stage=rng.choice(stages), stage_reason="", conversations=rng.randint(0, 6),
            first_seen_at=NOW - timedelta(days=rng.randint(1, 400)), last_seen_at=NOW - timedelta(days=1),
        ))
    allowed = Decision(results=tuple(RuleResult(code, Outcome.ALLOW, "ok") for code in (
        "opted_out", "nobot", "contact_is_bot", "pitch_stage", "pitch_cooldown", "daily_limit", "quiet_hours")),
        stage="acquaintance")
    decision = json.dumps(allowed.to_dict(), ensure_ascii=False)
    message_rows, draft_rows, ids = [], [], []
    for i in range(1, DRAFTS + 1):
        contact = contact_rows[rng.randrange(CONTACTS)]
        language = "es" if i % 2 else "en"
        at = NOW - timedelta(hours=DRAFTS - i)
        message_rows.append(dict(
            id=i, account=contact["account"], contact_id=contact["id"], event_id=f"n{i}", kind="mention",
            direction="in", at=at, post_id=f"post{i}", text=rng.choice(MESSAGES[language]), language=language,
            visibility="public", thread=f"post{i}", spoiler_text="", category="question", draft_state="drafted",
            ingested_at=at,
        ))
        draft_id = f"d_{i:08x}"
        ids.append(draft_id)
        draft_rows.append(dict(
            id=draft_id, account=contact["account"], contact_id=contact["id"], interaction_id=i,
            text=REPLIES[language], language=language, visibility="public", status="pending", decision=decision,
            pitch=False, created_at=at, updated_at=at, attempts=0, kind="reply", origin="template", folded="[]",
        ))
    with store.engine.begin() as connection:
        for table, rows in ((contacts, contact_rows), (interactions, message_rows), (drafts, draft_rows)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start:start + 5000])
    app.close()
    return ids


def timed(config: Path, args: list[str], cpu: list[float] | None = None, expect: int = 0) -> float:
    command = [sys.executable, "-m", "bot", "--config", str(config), *args]
    # Compiled modules are cached, as an installed package has them; under the scratch folder,
    # so that the source tree is left as it was.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(config.parent / "pycache")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, cwd=config.parent)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if done.returncode != expect:
        sys.exit(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.decode(errors='replace').strip()}")
    return elapsed


def measure(config: Path, ids: list[str], runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    rng = random.Random(7)
    picks = rng.sample(ids[1:], runs * 2)
    times: dict[str, list[float]] = {name: [] for name in TARGETS}
    cpu: dict[str, list[float]] = {name: [] for name in TARGETS}
    for warm in (["queue", "list", "--json"], ["queue", "show", ids[0]], ["queue", "approve", ids[0]], ["--help"]):
        timed(config, warm)  # compile once and warm the page cache, as any second run would find them
    for run in range(runs):
        times["--help"].append(timed(config, ["--help"], cpu["--help"]))
        times["queue list --json"].append(timed(config, ["queue", "list", "--json"], cpu["queue list --json"]))
        times["queue show"].append(timed(config, ["queue", "show", picks[run]], cpu["queue show"]))
        times["queue approve"].append(timed(config, ["queue", "approve", picks[runs + run]], cpu["queue approve"]))
    return times, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the store in this folder and keep it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rapport-cli-bench-") as scratch:
        root = options.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        config = write_config(root)
        started = time.perf_counter()
        ids = build_store(config)
        print(f"store: {CONTACTS:,} contacts, {DRAFTS:,} pending drafts (SQLite), built in"
              f" {time.perf_counter() - started:.1f} s; median of {options.runs} runs each")
        times, cpu = measure(config, ids, options.runs)
    missed = []
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (wall times grow with it; CPU times less so)")
    print(f"{'command':<20} {'median':>8} {'min':>7} {'max':>7} {'cpu':>7} {'target':>8}")
    for name, target in TARGETS.items():
        median = statistics.median(times[name])
        ok = median <= target
        missed += [] if ok else [name]
        print(f"{name:<20} {median:>7.3f}s {min(times[name]):>6.3f}s {max(times[name]):>6.3f}s"
              f" {statistics.median(cpu[name]):>6.3f}s {'<=':>3}{target:.2f}s {'ok' if ok else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
