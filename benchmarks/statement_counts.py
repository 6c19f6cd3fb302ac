"""Which SQL statements one `rapport run --once` over the ingestion benchmark's history executes.

SQLAlchemy Core costs some 50-80 microseconds a statement beyond what the database does, so
the statements per mention say much of what a pass costs. Runs in this process, on a fresh
SQLite database, with the history of `ingest_throughput.py`; prints the statements per mention,
the transactions (BEGIN) and the most frequent statements.

Run: python benchmarks/statement_counts.py [--mentions N] [--people N] [--top N]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_throughput import write_setup  # noqa: E402


def count_statements(config: Path) -> Counter[str]:
    """Each statement the run executes, by its text cut at the first clause that varies."""
    from sqlalchemy import Engine, event

    from bot.cli.app import main

    counts: Counter[str] = Counter()

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        counts[_shape(statement)] += 1

    def begun(conn) -> None:  # noqa: ANN001
        counts["BEGIN (transaction)"] += 1

    event.listen(Engine, "before_cursor_execute", seen)
    event.listen(Engine, "begin", begun)
    sys.argv = ["rapport", "--config", str(config), "run", "--once"]
    try:
        main()
    except SystemExit:
        pass
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
        event.remove(Engine, "begin", begun)
    return counts


def _shape(statement: str) -> str:
    text = " ".join(statement.split())
    text = re.sub(r"\(__\[POSTCOMPILE_\w+\]\)|IN \([?, ]+\)", "IN (...)", text)
    text = re.sub(r"sa_savepoint_\d+", "sa_savepoint_N", text)
    return text[:110]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rapport-statements-") as folder:
        counts = count_statements(write_setup(Path(folder), args.mentions, args.people))
    transactions = counts.pop("BEGIN (transaction)", 0)
    total = sum(counts.values())
    print(f"{total:,} statements ({total / args.mentions:.1f} per mention), {transactions:,} transactions"
          f" ({transactions / args.mentions:.2f} per mention), {args.mentions:,} mentions from {args.people:,} people")
    for statement, n in counts.most_common(args.top):
        print(f"{n:7,}  {statement}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
