"""Unpacked model files: built once per source, in place whole or not at all, mapped read-only."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot import model_files


@pytest.fixture()
def cache(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data" / "cache" / "models"
    (tmp_path / "data").mkdir()
    model_files.use_folder(folder)
    yield folder
    model_files.use_folder(None)


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    path = tmp_path / "weights.bin"
    path.write_bytes(b"weights v1")
    return path


def _builder(calls: list[Path]):  # noqa: ANN202
    def build(out: Path) -> None:
        calls.append(out)
        np.save(out / "table.npy", np.arange(4096, dtype=np.uint8).reshape(64, 64))
    return build


def test_without_a_cache_folder_nothing_is_built(source: Path) -> None:
    model_files.use_folder(None)
    calls: list[Path] = []
    assert model_files.unpacked("toy", [source], "1.0", _builder(calls)) is None
    assert calls == []


def test_files_are_built_on_first_use_only(cache: Path, source: Path) -> None:
    calls: list[Path] = []
    first = model_files.unpacked("toy", [source], "1.0", _builder(calls))
    second = model_files.unpacked("toy", [source], "1.0", _builder(calls))
    assert first == second and first is not None and first.parent == cache
    assert len(calls) == 1
    assert (first / "table.npy").is_file()
    assert [p.name for p in cache.iterdir()] == [first.name]  # no scratch folder left behind
    assert oct(cache.stat().st_mode & 0o777) == oct(0o700)


def test_a_changed_source_or_version_builds_anew_and_drops_the_old_build(cache: Path, source: Path) -> None:
    calls: list[Path] = []
    old = model_files.unpacked("toy", [source], "1.0", _builder(calls))
    source.write_bytes(b"weights version two")
    new = model_files.unpacked("toy", [source], "1.0", _builder(calls))
    newer = model_files.unpacked("toy", [source], "2.0", _builder(calls))
    assert len(calls) == 3 and len({old, new, newer}) == 3
    assert [p.name for p in cache.iterdir()] == [newer.name]  # type: ignore[union-attr]


def test_a_failed_build_leaves_nothing_and_falls_back_to_memory(
    cache: Path, source: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(out: Path) -> None:
        (out / "half.npy").write_bytes(b"\x93NUMPY")
        raise OSError(28, "No space left on device")

    with caplog.at_level(logging.WARNING, logger="bot.model_files"):
        assert model_files.unpacked("toy", [source], "1.0", broken) is None
    assert list(cache.iterdir()) == []
    assert "No space left on device" in caplog.text and "kept in memory" in caplog.text


def test_a_cache_folder_that_cannot_be_made_falls_back_to_memory(tmp_path: Path, source: Path) -> None:
    (tmp_path / "data").write_text("a file where the data folder should be")
    model_files.use_folder(tmp_path / "data" / "cache" / "models")
    try:
        calls: list[Path] = []
        assert model_files.unpacked("toy", [source], "1.0", _builder(calls)) is None
        assert calls == []
    finally:
        model_files.use_folder(None)


def test_a_mapped_array_reads_the_stored_values_and_cannot_be_written(cache: Path, source: Path) -> None:
    folder = model_files.unpacked("toy", [source], "1.0", _builder([]))
    assert folder is not None
    table = model_files.mapped(folder / "table.npy")
    assert isinstance(table, np.memmap)
    assert np.array_equal(np.asarray(table), np.arange(4096, dtype=np.uint8).reshape(64, 64))
    with pytest.raises(ValueError, match="read-only"):
        table[0, 0] = 1


def test_two_processes_building_the_same_files_both_end_with_one_folder(cache: Path, source: Path) -> None:
    """The loser of the race renames onto a finished folder: it uses the winner's files."""
    winner: list[Path] = []

    def slow(out: Path) -> None:
        if not winner:  # the other process finishes first, while this one is still writing
            winner.append(out)
            assert model_files.unpacked("toy", [source], "1.0", _builder([])) is not None
        np.save(out / "table.npy", np.zeros((2, 2), dtype=np.uint8))

    folder = model_files.unpacked("toy", [source], "1.0", slow)
    assert folder is not None and [p.name for p in cache.iterdir()] == [folder.name]
    assert np.load(folder / "table.npy").shape == (64, 64)
    assert not os.path.exists(winner[0])


def test_a_folder_every_user_can_write_is_not_trusted(
    cache: Path, source: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """Whoever can change the files can change what the pitch guardrail sees."""
    cache.mkdir(parents=True)
    cache.chmod(0o777)
    calls: list[Path] = []
    with caplog.at_level(logging.WARNING, logger="bot.model_files"):
        assert model_files.unpacked("toy", [source], "1.0", _builder(calls)) is None
    assert calls == [] and "writable by every user" in caplog.text
