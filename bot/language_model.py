"""py3langid's model, loaded for the two-letter languages only and in as little memory as it needs.

The stock loader holds every array twice on the way in (numpy, then a copy for the n-gram
automaton) and keeps the full table of feature weights beside the restricted one that
`set_languages` makes: about 100 MB resident for 60 MB of model. Here each array is read
from the model file in slices, straight into its final form, and only the columns of the
two-letter languages are kept. The arrays are the stock ones, value for value, so every
answer is the stock identifier's (tests/unit/test_language_model.py compares them).
`bot.language_files` writes the same arrays out once, to be mapped rather than loaded.
"""

from __future__ import annotations

import lzma
import shutil
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

_SLICE_BYTES = 4 << 20  # what is read at a time: a small transient whatever the model's size


def load_two_letter_identifier(model_file: Path) -> Any:
    """A `py3langid` identifier restricted to ISO 639-1 codes ("es", "en", ...), normalised
    probabilities: the model also knows ISO 639-3 varieties and "zxx" (no language)."""
    with opened(model_file) as npz:
        classes, kept = two_letter_columns(npz)
        _shape, dtype = array_header(npz, "ptc")
        weights = np.empty((_shape[0], len(kept)), dtype=dtype)
        for start, block in kept_column_blocks(npz, kept):
            weights[start:start + len(block)] = block
        priors = small_array(npz, "pc")[kept]
        rows = small_array(npz, "nextmove_row")
        moves = array(_typecode(array_header(npz, "nextmove")[1].itemsize))
        for chunk in flat_chunks(npz, "nextmove"):
            moves.frombytes(chunk)  # a stdlib array: the items the automaton's walk reads fastest
        output = array("l", small_array(npz, "out_feat").tolist())
    return identifier(weights, priors, classes, moves, output, array(_typecode(rows.dtype.itemsize), rows.tobytes()))


def identifier(weights: Any, priors: Any, classes: list[str], moves: Any, output: Any, rows: Any) -> Any:
    """The identifier over arrays already restricted to the two-letter columns."""
    from py3langid.langid import LanguageIdentifier

    return LanguageIdentifier(weights, priors, classes, moves, output, norm_probs=True, tk_row=rows)


@contextmanager
def opened(model_file: Path) -> Iterator[zipfile.ZipFile]:
    """The model's `.npz`, decompressed into a temporary file (the zip reader needs to seek)."""
    with tempfile.TemporaryFile(suffix=".npz") as unpacked:
        with lzma.open(model_file) as packed:
            shutil.copyfileobj(packed, unpacked, length=1 << 20)
        unpacked.seek(0)
        with zipfile.ZipFile(unpacked) as npz:
            yield npz


def two_letter_columns(npz: zipfile.ZipFile) -> tuple[list[str], list[int]]:
    """The two-letter labels, and the model columns that hold them."""
    labels = small_array(npz, "classes").tolist()
    kept = [i for i, label in enumerate(labels) if len(label) == 2]
    return [labels[i] for i in kept], kept


def array_header(npz: zipfile.ZipFile, name: str) -> tuple[tuple[int, ...], np.dtype]:
    with npz.open(f"{name}.npy") as member:
        shape, _fortran_order, dtype = _header(member)
    return shape, dtype


def small_array(npz: zipfile.ZipFile, name: str) -> np.ndarray:
    with npz.open(f"{name}.npy") as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def kept_column_blocks(npz: zipfile.ZipFile, kept: list[int]) -> Iterator[tuple[int, np.ndarray]]:
    """The `kept` columns of the feature weights, a slice of rows at a time, with its first row."""
    with npz.open("ptc.npy") as member:
        (rows, columns), fortran_order, dtype = _header(member)
        assert not fortran_order, "py3langid writes C-ordered arrays"
        step = max(1, _SLICE_BYTES // (columns * dtype.itemsize))
        for start in range(0, rows, step):
            count = min(step, rows - start)
            block = np.frombuffer(member.read(count * columns * dtype.itemsize), dtype=dtype)
            yield start, block.reshape(count, columns)[:, kept]


def flat_chunks(npz: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A 1-D array's raw bytes, a slice at a time."""
    with npz.open(f"{name}.npy") as member:
        _shape, _fortran_order, dtype = _header(member)
        assert dtype.byteorder in "<=|", "py3langid writes little-endian arrays"
        while chunk := member.read(_SLICE_BYTES):
            yield chunk


def _header(member: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(member)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    return read(member)


def _typecode(itemsize: int) -> str:
    return {2: "H", 4: "I", 8: "Q"}[itemsize]
