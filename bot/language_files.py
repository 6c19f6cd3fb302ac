"""py3langid's model unpacked once (`bot.model_files`), its two large arrays then mapped.

Loaded, the identifier holds 60 MB: the n-gram automaton's transitions (37 MB) and the feature
weights of the two-letter languages (22 MB). A text walks a few automaton states and reads the
weights of the few features it meets, so mapped, only the pages texts reach become resident.
The files hold the arrays `bot.language_model` loads, value for value, written a slice at a
time so that unpacking never holds the model in memory either.

The automaton's walk (`py3langid.langid.visit_counts`) indexes the transitions one item at a
time: through a `memoryview` of the mapped array each item is a Python int, as fast as from the
stdlib array it replaces, where indexing the numpy array itself is three times slower.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from bot import language_model, model_files

_LABELS = "labels.json"
_INTEGERS = frozenset("bBhHiIlLqQ")  # native formats a memoryview indexes


def mapped_two_letter_identifier(model_file: Path) -> Any | None:
    """The identifier of `bot.language_model`, its large arrays mapped from unpacked files;
    None when there is no cache folder (the caller then loads the model into memory)."""
    folder = model_files.unpacked("py3langid", [model_file], version("py3langid"),
                                  lambda out: _unpack(model_file, out))
    return None if folder is None else _read(folder)


def _unpack(model_file: Path, out: Path) -> None:
    with language_model.opened(model_file) as npz:
        labels, kept = language_model.two_letter_columns(npz)
        (rows, _columns), dtype = language_model.array_header(npz, "ptc")
        with _npy(out / "weights.npy", dtype, (rows, len(kept))) as file:
            for _start, block in language_model.kept_column_blocks(npz, kept):
                file.write(np.ascontiguousarray(block).tobytes())
        (moves,), dtype = language_model.array_header(npz, "nextmove")
        with _npy(out / "moves.npy", dtype, (moves,)) as file:
            for chunk in language_model.flat_chunks(npz, "nextmove"):
                file.write(chunk)
        np.save(out / "priors.npy", language_model.small_array(npz, "pc")[kept], allow_pickle=False)
        np.save(out / "rows.npy", language_model.small_array(npz, "nextmove_row"), allow_pickle=False)
        np.save(out / "output.npy", language_model.small_array(npz, "out_feat"), allow_pickle=False)
    (out / _LABELS).write_text(json.dumps(labels), encoding="utf-8")


def _npy(path: Path, dtype: np.dtype, shape: tuple[int, ...]) -> Any:
    """An open `.npy` file with its header written, for the array's bytes to follow."""
    file = path.open("wb")
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(file, header)
    return file


def _read(folder: Path) -> Any:
    labels = json.loads((folder / _LABELS).read_text(encoding="utf-8"))
    weights = model_files.mapped(folder / "weights.npy")
    moves = model_files.mapped(folder / "moves.npy")
    priors, rows, output = (np.load(folder / f"{name}.npy", allow_pickle=False)
                            for name in ("priors", "rows", "output"))
    if weights.ndim != 2 or weights.shape[1] != len(labels) or moves.ndim != 1 or len(output) != len(rows):
        raise ValueError(f"the unpacked language model in {folder} does not fit together")
    return language_model.identifier(weights, priors, labels, _items(moves), _items(output), _items(rows))


def _items(values: np.ndarray) -> memoryview:
    """A flat array whose items index as Python ints, fast (numpy's own indexing is slower)."""
    view = memoryview(values)
    if view.ndim != 1 or view.format not in _INTEGERS:  # e.g. "<I": written on another machine
        raise ValueError(f"the unpacked language model holds items of format {view.format!r}")
    return view
