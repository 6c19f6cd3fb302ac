"""The installed package holds every file the code reads at run time.

The container installs a built wheel (`make install-runtime`: `pip install .`), not the checkout,
so a data file the package-data patterns in pyproject.toml miss (a model, a migration, a word
list) is there in every test run from the checkout and missing in production.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_built_wheel_holds_every_file_of_the_bot_package(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    expected = sorted(path.relative_to(source).as_posix() for path in (source / "bot").rglob("*") if path.is_file())
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    [wheel] = (tmp_path / "dist").glob("rapport-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/domain/data/pitch_neighbours.npz" in expected
    assert [name for name in expected if name not in packaged] == []
