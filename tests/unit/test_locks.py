"""The lock files agree with pyproject.toml: a dependency added there without `make lock` fails
here, rather than as an import error in a fresh clone or a container."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
DEV_LOCK = ROOT / "requirements" / "dev.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _entries(path: Path) -> list[str]:
    """Each requirement of the lock with its continuation lines, comments left out."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _requirements(*groups: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for group in groups:
        wanted += project["project"]["optional-dependencies"][group]
    requirements = [Requirement(text) for text in wanted]
    # "rapport[all]" names the project's own extras, which the groups list already.
    return [r for r in requirements
            if canonicalize_name(r.name) != "rapport" and (r.marker is None or r.marker.evaluate())]


@pytest.mark.parametrize(("lock", "groups"), [
    (RUNTIME_LOCK, ("mastodon", "bluesky", "postgres")),
    (DEV_LOCK, ("mastodon", "bluesky", "postgres", "dev")),
], ids=["runtime", "dev"])
def test_every_dependency_in_pyproject_is_pinned_within_its_bounds(lock: Path, groups: tuple[str, ...]) -> None:
    pins = _pins(lock)
    problems = [f"{r} (locked: {pins.get(canonicalize_name(r.name), 'missing')})" for r in _requirements(*groups)
                if pins.get(canonicalize_name(r.name)) is None
                or not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)]
    assert problems == [], f"run `make lock`: {problems}"


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=["runtime", "dev"])
def test_every_locked_requirement_is_an_exact_pin_with_hashes(lock: Path) -> None:
    """What `pip install --require-hashes` demands; and no path or URL of one machine."""
    entries = _entries(lock)
    assert entries and all(PIN.match(entry) and "--hash=sha256:" in entry for entry in entries), [
        entry[:80] for entry in entries if not (PIN.match(entry) and "--hash=sha256:" in entry)]
    assert "file://" not in lock.read_text(encoding="utf-8")


def test_the_dev_lock_pins_what_the_runtime_lock_pins() -> None:
    """Tests run the versions the container runs."""
    runtime, dev = _pins(RUNTIME_LOCK), _pins(DEV_LOCK)
    assert {name: dev.get(name) for name in runtime} == runtime
