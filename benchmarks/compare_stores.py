"""Whether this code stores what a reference checkout stores, for the ingestion benchmark's history.

Runs `rapport run --once` over the same history (`ingest_throughput.write_setup`) with this
checkout and with the reference (another worktree, e.g. main), each on a fresh SQLite file, then
compares every table row by row. Generated ids are replaced by what they stand for (a contact by
its handle, a message by its event id, a draft by the message it answers and its text), and times
of processing (anything later than the run's start) by one placeholder; rows are compared as
multisets, so neither their ids nor their order matter.

Run: python benchmarks/compare_stores.py --reference CHECKOUT [--mentions N] [--people N]
(exits 1 when a table differs, printing a few differing rows).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_throughput import write_setup  # noqa: E402

SKIPPED = {"alembic_version", "heartbeats"}  # versions and which process beat when
MACHINE = {"poll_state": {"lease_holder", "lease_until", "last_poll_at"}}  # which process, when


def run(checkout: Path, folder: Path, mentions: int, people: int) -> tuple[Path, datetime]:
    folder.mkdir()
    config = write_setup(folder, mentions, people)
    started = datetime.now(timezone.utc) - timedelta(minutes=1)
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "run", "--once"],
                          cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"run --once in {checkout} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return folder / "data" / "rapport.db", started


def snapshot(database: Path, started: datetime) -> dict[str, Counter]:
    """Every table as a multiset of rows, generated ids and processing times replaced."""
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    rows = {t: [dict(r) for r in connection.execute(f'SELECT * FROM "{t}"')]  # noqa: S608 - names from the file
            for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if t not in SKIPPED and not t.startswith("sqlite_")}
    connection.close()
    contacts = {r["id"]: r["handle"] for r in rows.get("contacts", [])}
    messages = {r["id"]: r["event_id"] for r in rows.get("interactions", [])}
    drafts = {r["id"]: (messages.get(r["interaction_id"]), r["text"]) for r in rows.get("drafts", [])}
    names = {"contact_id": contacts, "interaction_id": messages, "draft_id": drafts}
    cutoff = started.replace(tzinfo=None).isoformat(sep=" ")

    def value(table: str, column: str, raw: object) -> object:
        if column in MACHINE.get(table, ()):
            return "<machine>"
        if column == "id" and table in ("contacts", "interactions", "drafts", "facts", "audit_log",
                                        "conversations", "stage_changes"):
            return "<id>"
        if column in names:
            return names[column].get(raw, raw)
        if isinstance(raw, str) and raw[:4].isdigit() and raw >= cutoff and raw[:2] == "20" and raw[4:5] == "-":
            return "<now>"
        if column == "folded":
            return json.dumps([messages.get(i, i) for i in json.loads(raw)])
        if column == "detail" and isinstance(raw, str) and "into" in raw:
            detail = json.loads(raw)
            detail["into"] = drafts.get(detail.get("into"), detail.get("into"))
            return json.dumps(detail, sort_keys=True, default=str)
        if column == "note" and isinstance(raw, str) and raw.startswith("folded into "):
            into = raw.split()[2].rstrip(",")
            return raw.replace(into, repr(drafts.get(into, into)))
        return raw

    return {t: Counter(json.dumps({c: value(t, c, v) for c, v in r.items()}, sort_keys=True, default=str)
                       for r in table_rows) for t, table_rows in rows.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument("--mentions", type=int, default=1_000)
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rapport-equal-") as folder:
        ours = snapshot(*run(ROOT, Path(folder) / "ours", args.mentions, args.people))
        theirs = snapshot(*run(args.reference.resolve(), Path(folder) / "reference", args.mentions, args.people))
    differing = 0
    for table in sorted(ours.keys() | theirs.keys()):
        mine, reference = ours.get(table, Counter()), theirs.get(table, Counter())
        if mine == reference:
            print(f"{table}: {sum(mine.values()):,} rows, identical")
            continue
        differing += 1
        print(f"{table}: DIFFERS ({sum(mine.values()):,} rows here, {sum(reference.values()):,} in the reference)")
        for row in list((mine - reference).elements())[:3]:
            print(f"  only here:      {row[:400]}")
        for row in list((reference - mine).elements())[:3]:
            print(f"  only reference: {row[:400]}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
