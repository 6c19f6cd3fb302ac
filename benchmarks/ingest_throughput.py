"""How fast `rapport run --once` takes in a sandbox history. Target: >= 400 mentions/s, peak RSS < 200 MB.

The history: 10,000 mentions from 5,000 people (two each, weeks apart, some as a reply to the
first), their texts the messages of tests/data/pitch_{es,en}.jsonl as people write them — pitches
among them, so the incoming detector has its share of work — with profiles (bio, fields) that
carry interests, one message in twenty without a language tag (it is guessed) and one in fifty
long (several thousand characters). The whole `run --once` is timed in its own process, on a
fresh SQLite database: start-up, polling, the drafts it makes; peak RSS is that process's. The
models are unpacked into the data folder first, in a process of their own whose time and peak
are shown apart: a service does that once, at its first start (`bot.model_files`). The
time until its `poll.done` log line is shown apart, as the ingestion's share, and so is the CPU
time the process used: on a machine shared with other work, wall time says more about the others.

Run: python benchmarks/ingest_throughput.py [--mentions N] [--people N] [--profile FILE]
(exits 1 when a target is missed; --profile writes a cProfile of an in-process run to FILE).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_PER_SECOND = 400
TARGET_RSS_MB = 200
START = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
BIOS = {
    "es": ["Huerto urbano en el balcón. Enfermera en un hospital de día.", "Profe de historia. Fotografía analógica.",
           "Diseño gráfico y cerámica los fines de semana.", "Corro medias maratones, leo novela negra.", ""],
    "en": ["Urban gardener, nurse, mum of two.", "History teacher. Film photography on weekends.",
           "Designer; pottery and long walks.", "Half marathons and crime novels.", ""],
}
FIELDS = [[], [{"name": "Web", "value": "https://example.org"}], [{"name": "Pronombres", "value": "ella"}]]


def corpus() -> list[tuple[str, str]]:
    texts = []
    for language in ("es", "en"):
        path = ROOT / "tests" / "data" / f"pitch_{language}.jsonl"
        texts += [(language, json.loads(line)["text"]) for line in path.read_text(encoding="utf-8").splitlines()]
    return texts


def history(mentions: int, people: int) -> list[dict]:
    rng = random.Random(20261207)
    texts = corpus()
    events = []
    for n in range(mentions):
        person = n % people
        language, text = texts[rng.randrange(len(texts))]
        if n % 50 == 17:
            text = " ".join([text] * (4_000 // max(len(text), 1) + 1))
        first = n < people  # the second message of a person answers their first, half of the time
        thread = f"p-{n}" if first or n % 2 else f"p-{n - people}"
        events.append({
            "id": f"n-{n}", "type": "mention" if first or n % 2 else "reply",
            "at": (START + timedelta(minutes=3 * n)).isoformat().replace("+00:00", "Z"),
            "author": {"id": f"u-{person}", "handle": f"person{person}@social.example",
                       "name": f"Person {person}", "bio": BIOS[("es", "en")[person % 2]][person % 5],
                       "fields": FIELDS[person % 3]},
            "post": {"id": f"p-{n}", "text": f"@me {text}", "lang": None if n % 20 == 7 else language,
                     "in_reply_to": None if thread == f"p-{n}" else thread, "thread": thread},
        })
    return events


def write_setup(folder: Path, mentions: int, people: int) -> Path:
    events = folder / "events.jsonl"
    with events.open("w", encoding="utf-8") as out:
        for event in history(mentions, people):
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    config = folder / "config.toml"
    config.write_text(
        f'data_dir = "{folder / "data"}"\n\n[drafting]\nmax_age_days = 0\n\n'
        f'[logging]\nlevel = "info"\nformat = "json"\n\n'
        f'[[accounts]]\nname = "bench"\nplatform = "sandbox"\nhandle = "me@sandbox.example"\n'
        f'events = "{events}"\noutbox = "{folder / "outbox.jsonl"}"\n', encoding="utf-8")
    return config


def unpack_models(data_dir: Path) -> tuple[float, float]:
    """What a service's first start does once: unpack the models into the data folder's cache
    (`bot.model_files`). Seconds and peak RSS (MB) of that step, in its own process."""
    code = ("import sys; from pathlib import Path; from bot import model_files, language;"
            " from bot.encoders.usem import UsemSentenceEncoder;"
            " model_files.use_folder(Path(sys.argv[1]) / 'cache' / 'models');"
            " UsemSentenceEncoder().encode(['hola']); language.guess_language('una frase para cargar el modelo')")
    data_dir.mkdir(mode=0o700, exist_ok=True)
    code_, _log, elapsed, _cpu, peak_mb = measured([sys.executable, "-c", code, str(data_dir)])
    if code_:
        sys.exit(f"unpacking the models failed (exit {code_}):\n{_log[-2000:]}")
    return elapsed, peak_mb


def run_once(config: Path) -> tuple[float, float, float, float | None]:
    """Seconds, CPU seconds, peak RSS (MB) and seconds until the poll was done, of one
    `rapport run --once` in its own process."""
    started_at = datetime.now(timezone.utc)
    code, log, elapsed, cpu, peak_mb = measured([sys.executable, "-m", "bot", "--config", str(config), "run", "--once"])
    if code:
        sys.exit(f"run --once failed (exit {code}):\n{log[-2000:]}")
    return elapsed, cpu, peak_mb, _poll_done_after(log, started_at)


def measured(command: list[str]) -> tuple[int, str, float, float, float]:
    """Exit code, output, seconds, CPU seconds and peak RSS (MB) of one child process: its own
    resource usage (wait4), not the maximum over every child this benchmark ran."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                 stdout=output, stderr=subprocess.STDOUT, text=True)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        log = output.read()
    return child.returncode, log, elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _poll_done_after(log: str, started_at: datetime) -> float | None:
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == "poll.done" and "timestamp" in entry:
            at = datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00"))
            return (at - started_at).total_seconds()
    return None


def profile(config: Path, out: Path) -> None:
    import cProfile

    sys.path.insert(0, str(ROOT))
    from bot.cli.app import main

    sys.argv = ["rapport", "--config", str(config), "run", "--once"]
    profiler = cProfile.Profile()
    try:
        profiler.runcall(main)
    except SystemExit:
        pass
    profiler.dump_stats(str(out))
    print(f"profile written to {out} (python -m pstats {out})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--profile", type=Path, help="write a cProfile of an in-process run here instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rapport-ingest-") as folder:
        config = write_setup(Path(folder), args.mentions, args.people)
        if args.profile:
            profile(config, args.profile)
            return 0
        unpack_s, unpack_mb = unpack_models(Path(folder) / "data")
        elapsed, cpu, peak_mb, polled = run_once(config)
    rate = args.mentions / elapsed
    print(f"first start, once: models unpacked into the data folder in {unpack_s:.1f} s, peak RSS {unpack_mb:.0f} MB")
    print(f"run --once: {rate:,.0f} mentions/s ({args.mentions:,} mentions from {args.people:,} people in"
          f" {elapsed:.1f} s; target >= {TARGET_PER_SECOND}), peak RSS {peak_mb:.0f} MB (target < {TARGET_RSS_MB})")
    print(f"  CPU time {cpu:.1f} s: {args.mentions / cpu:,.0f} mentions per CPU-second")
    if polled:
        print(f"  of which start-up and ingestion: {polled:.1f} s ({args.mentions / polled:,.0f} mentions/s);"
              f" drafting and sending: {elapsed - polled:.1f} s")
    return 0 if rate >= TARGET_PER_SECOND and peak_mb < TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
