"""The labelled examples the semantic pitch model consults, and the search for the nearest ones.

`bot/domain/data/pitch_neighbours.npz` holds the training rows' sentence vectors, unit length and
stored as int8 (`scale` turns them back into floats: a 6 MB file instead of 27), their labels, the
encoder they were embedded with and how many neighbours the fusion was fitted on
(`benchmarks/train_pitch_semantic.py` writes it). A vector's share is the fraction of its `k`
most similar rows (cosine) that are pitches.

The file loads on first use and stays int8 in memory (6 MB, where floats would take 27): a
search turns a block of rows at a time back into the same floats, which costs about 5 ms more
per search than holding them all as floats.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

DATA = Path(__file__).resolve().parents[1] / "domain" / "data" / "pitch_neighbours.npz"
_QUERIES_AT_ONCE = 32
_EXAMPLES_AT_ONCE = 2048  # 4 MB of floats at a time


class NumpyNeighbours:
    """`LabelledNeighbours` over the stored examples; thread-safe, loaded lazily."""

    def __init__(self, path: Path = DATA, *, encoder: str, k: int) -> None:
        self._path = path
        self.encoder = encoder
        self.k = k
        self._data: tuple[tuple[Any, Any], Any] | None = None
        self._lock = threading.Lock()

    def pitch_share(self, vectors: Sequence[Sequence[float]]) -> list[float]:
        import numpy as np

        if not len(vectors):
            return []
        (examples, scale), labels = self._loaded()
        queries = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(queries, axis=1, keepdims=True)
        queries = queries / np.where(norms > 0, norms, 1.0)
        k = min(self.k, len(examples))
        shares: list[float] = []
        # A few queries at a time: a whole page's similarities and their ranking would be a
        # transient of 16 bytes per query and example (110 MB for 500 texts), held by the heap after.
        for start in range(0, len(queries), _QUERIES_AT_ONCE):
            similarity = _similarity(queries[start:start + _QUERIES_AT_ONCE], examples, scale)
            nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
            shares += [float(share) for share in labels[nearest].mean(axis=1)]
        return shares

    def _loaded(self) -> tuple[tuple[Any, Any], Any]:
        if self._data is None:
            with self._lock:
                if self._data is None:
                    self._data = _load(self._path, self.encoder)
        return self._data

    @property
    def size(self) -> int:
        return len(self._loaded()[1])


def _similarity(queries: Any, examples: Any, scale: Any) -> Any:
    """Cosine similarity of unit-length queries with every example, dequantised a block of
    examples at a time: the floats are the ones a whole copy would hold, without holding it."""
    import numpy as np

    similarity = np.empty((len(queries), len(examples)), dtype=np.float32)
    for start in range(0, len(examples), _EXAMPLES_AT_ONCE):
        block = np.multiply(examples[start:start + _EXAMPLES_AT_ONCE], scale, dtype=np.float32)
        similarity[:, start:start + _EXAMPLES_AT_ONCE] = queries @ block.T
    return similarity


def _load(path: Path, encoder: str) -> tuple[Any, Any]:
    import numpy as np

    try:
        with np.load(path) as data:
            stored, labels = data["vectors"], data["labels"].astype(np.float32)
            scale, stored_encoder = np.float32(data["scale"]), str(data["encoder"])
    except (OSError, KeyError, ValueError) as error:
        raise ConfigError(f"the pitch model's examples could not be read from {path}: {error}") from None
    if stored_encoder != encoder:
        raise ConfigError(f"the pitch model's examples were embedded with {stored_encoder}, not {encoder}")
    if stored.ndim != 2 or len(stored) != len(labels) or not len(stored):
        raise ConfigError(f"the pitch model's examples in {path} are malformed")
    return (stored, scale), labels
