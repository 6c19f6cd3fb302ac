"""The labelled examples the semantic pitch model consults, and the search for the nearest ones.

`bot/domain/data/pitch_neighbours.npz` holds the training rows' sentence vectors, unit length and
stored as int8 (`scale` turns them back into floats: about 8 MB instead of 34), their labels, the
encoder they were embedded with and how many neighbours the fusion was fitted on
(`benchmarks/train_pitch_semantic.py` writes it). A vector's share is the fraction of its `k`
most similar rows (cosine) that are pitches.

The file loads on first use. Similarities are computed a block of rows at a time, so the float
copy of the examples never sits in memory whole.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

DATA = Path(__file__).resolve().parents[1] / "domain" / "data" / "pitch_neighbours.npz"
_BLOCK = 4096  # example rows turned back into floats at a time


class NumpyNeighbours:
    """`LabelledNeighbours` over the stored examples; thread-safe, loaded lazily."""

    def __init__(self, path: Path = DATA, *, encoder: str, k: int) -> None:
        self._path = path
        self.encoder = encoder
        self.k = k
        self._data: tuple[Any, Any, float] | None = None
        self._lock = threading.Lock()

    def pitch_share(self, vectors: Sequence[Sequence[float]]) -> list[float]:
        import numpy as np

        if not len(vectors):
            return []
        examples, labels, scale = self._loaded()
        queries = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(queries, axis=1, keepdims=True)
        queries = queries / np.where(norms > 0, norms, 1.0)
        similarity = np.empty((len(queries), len(examples)), dtype=np.float32)
        for start in range(0, len(examples), _BLOCK):
            block = examples[start:start + _BLOCK].astype(np.float32) * scale
            similarity[:, start:start + _BLOCK] = queries @ block.T
        k = min(self.k, len(examples))
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        return [float(share) for share in labels[nearest].mean(axis=1)]

    def _loaded(self) -> tuple[Any, Any, float]:
        if self._data is None:
            with self._lock:
                if self._data is None:
                    self._data = _load(self._path, self.encoder)
        return self._data

    @property
    def size(self) -> int:
        return len(self._loaded()[0])


def _load(path: Path, encoder: str) -> tuple[Any, Any, float]:
    import numpy as np

    try:
        with np.load(path) as data:
            examples, labels = data["vectors"], data["labels"].astype(np.float32)
            scale, stored_encoder = float(data["scale"]), str(data["encoder"])
    except (OSError, KeyError, ValueError) as error:
        raise ConfigError(f"the pitch model's examples could not be read from {path}: {error}") from None
    if stored_encoder != encoder:
        raise ConfigError(f"the pitch model's examples were embedded with {stored_encoder}, not {encoder}")
    if examples.ndim != 2 or len(examples) != len(labels) or not len(examples):
        raise ConfigError(f"the pitch model's examples in {path} are malformed")
    return examples, labels, scale
