"""The repository stands on its own: nothing the tests, benchmarks or CI run reads above its root.

A clone with nothing beside it must pass `make test` and run `make bench`, so every file they read
sits inside the repository. This scans what they run for the ways a path can climb out: relative
`../` paths, `Path(__file__).resolve().parents[N]` past the root, `.parent` of a root constant, and
absolute paths into the machine's own folders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED_DIRS = ("tests", "benchmarks", ".ci")
SCANNED_FILES = ("Makefile",)
SUFFIXES = {".py", ".mjs", ".js", ".sh", ".toml", ".cfg", ".ini", ""}
SKIPPED_PARTS = {"node_modules", "__pycache__", "data", "fixtures"}  # data files, not code

PARENTS = re.compile(r"Path\(__file__\)\.resolve\(\)\.parents\[(\d+)\]")
UP_RELATIVE = re.compile(r"""(?<![\w.])\.\./""")
ROOT_PARENT = re.compile(r"\b(?:ROOT|REPO|PROJECT|PROJECT_ROOT|TOP)\.parent\b")
MACHINE_PATH = re.compile(r"""["'\s=](?:/work|/root|/home|/opt|/srv)/""")
SIBLING = re.compile(r"""["'/]shared["'/]""")


def _scanned() -> list[Path]:
    found = [ROOT / name for name in SCANNED_FILES if (ROOT / name).is_file()]
    for directory in SCANNED_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.is_file() and path.suffix in SUFFIXES and not SKIPPED_PARTS & set(relative.parts):
                found.append(path)
    return found


def outside_references(text: str, path: Path) -> list[str]:
    """Each line of `text`, the content of `path`, that names a file above the repository root."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        reasons = []
        for match in PARENTS.finditer(line):
            parents = path.resolve().parents
            depth = int(match.group(1))
            if depth >= len(parents) or not parents[depth].is_relative_to(ROOT):
                reasons.append(f"parents[{match.group(1)}] is above the root")
        for pattern, reason in ((UP_RELATIVE, "a ../ path"), (ROOT_PARENT, "the root's parent"),
                                (MACHINE_PATH, "a machine path"), (SIBLING, "the sibling 'shared' folder")):
            if pattern.search(line):
                reasons.append(reason)
        if reasons:
            problems.append(f"{path.relative_to(ROOT)} line {number}: {', '.join(reasons)}: {line.strip()}")
    return problems


def test_the_scan_covers_the_tests_benchmarks_makefile_and_ci() -> None:
    names = {str(path.relative_to(ROOT)) for path in _scanned()}
    assert {"Makefile", ".ci/run", "benchmarks/pitch_eval.py", "tests/conftest.py"} <= names


@pytest.mark.parametrize("line", [
    'FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"',
    'FIXTURES = REPO.parent / "fixtures" / "mastodon"',
    'EVAL = "../eval/sms"',
    'cp /work/other/thing .',
])
def test_each_way_out_of_the_repository_is_caught(line: str) -> None:
    assert outside_references(line, ROOT / "tests" / "unit" / "test_example.py")


def test_paths_inside_the_repository_pass() -> None:
    text = ('DATA = Path(__file__).resolve().parents[2] / "tests" / "fixtures"\n'
            'TOP = Path(__file__).resolve().parents[1]\nsubprocess.run(["cp", "a/b.c", "d"])\n')
    assert outside_references(text, ROOT / "tests" / "unit" / "test_example.py") == []


def test_nothing_the_tests_benchmarks_or_ci_run_reads_above_the_repository_root() -> None:
    this_file = Path(__file__).resolve()  # its examples of ways out are data, not paths it reads
    problems = [
        problem for path in _scanned() if path != this_file
        for problem in outside_references(path.read_text(encoding="utf-8"), path)
    ]
    assert problems == [], "\n".join(problems)
