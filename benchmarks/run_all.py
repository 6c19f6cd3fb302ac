"""`make bench`: run every benchmark in this folder, each in its own process; exit 1 if any missed.

Left out: `_*` (shared code), `train_*` (they fit the models) and `compare_*` (they compare this
checkout with another one, named on their command line)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in {"run_all.py", "__init__.py"}
                     and not p.name.startswith(("_", "train_", "compare_")))
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"-- {script.name}: {'ok' if code == 0 else f'MISSED (exit {code})'}"
              f" in {time.perf_counter() - started:.1f} s\n", flush=True)
        if code:
            failed.append(script.name)
    print("all benchmarks met their targets" if not failed else f"missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
