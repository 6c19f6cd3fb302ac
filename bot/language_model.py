"""py3langid's model, loaded for the two-letter languages only and in as little memory as it needs.

The stock loader holds every array twice on the way in (numpy, then a copy for the n-gram
automaton) and keeps the full table of feature weights beside the restricted one that
`set_languages` makes: about 100 MB resident for 60 MB of model. Here each array is read
from the model file in slices, straight into its final form, and only the columns of the
two-letter languages are kept. The arrays are the stock ones, value for value, so every
answer is the stock identifier's (tests/unit/test_language_model.py compares them).
"""

from __future__ import annotations

import lzma
import shutil
import tempfile
import zipfile
from array import array
from pathlib import Path
from typing import IO, Any

import numpy as np

_SLICE_BYTES = 4 << 20  # what is read at a time: a small transient whatever the model's size


def load_two_letter_identifier(model_file: Path) -> Any:
    """A `py3langid` identifier restricted to ISO 639-1 codes ("es", "en", ...), normalised
    probabilities: the model also knows ISO 639-3 varieties and "zxx" (no language)."""
    from py3langid.langid import LanguageIdentifier

    with tempfile.TemporaryFile(suffix=".npz") as unpacked:
        with lzma.open(model_file) as packed:
            shutil.copyfileobj(packed, unpacked, length=1 << 20)
        unpacked.seek(0)
        with zipfile.ZipFile(unpacked) as npz:
            classes = _small(npz, "classes").tolist()
            kept = [i for i, label in enumerate(classes) if len(label) == 2]
            weights = _columns(npz, "ptc", kept)
            priors = _small(npz, "pc")[kept]
            rows = _small(npz, "nextmove_row")
            moves = _flat(npz, "nextmove")
            output = array("l", _small(npz, "out_feat").tolist())
    return LanguageIdentifier(
        weights, priors, [classes[i] for i in kept], moves, output, norm_probs=True,
        tk_row=array(_typecode(rows.dtype.itemsize), rows.tobytes()),
    )


def _header(member: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(member)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    return read(member)


def _small(npz: zipfile.ZipFile, name: str) -> np.ndarray:
    with npz.open(f"{name}.npy") as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def _columns(npz: zipfile.ZipFile, name: str, kept: list[int]) -> np.ndarray:
    """The `kept` columns of a 2-D array, read a slice of rows at a time."""
    with npz.open(f"{name}.npy") as member:
        (rows, columns), fortran_order, dtype = _header(member)
        assert not fortran_order, "py3langid writes C-ordered arrays"
        out = np.empty((rows, len(kept)), dtype=dtype)
        step = max(1, _SLICE_BYTES // (columns * dtype.itemsize))
        for start in range(0, rows, step):
            count = min(step, rows - start)
            block = np.frombuffer(member.read(count * columns * dtype.itemsize), dtype=dtype)
            out[start:start + count] = block.reshape(count, columns)[:, kept]
    return out


def _flat(npz: zipfile.ZipFile, name: str) -> array:
    """A 1-D unsigned array as a stdlib array, whose items the automaton's walk reads fastest."""
    with npz.open(f"{name}.npy") as member:
        _shape, _fortran_order, dtype = _header(member)
        assert dtype.byteorder in "<=|", "py3langid writes little-endian arrays"
        out = array(_typecode(dtype.itemsize))
        while chunk := member.read(_SLICE_BYTES):
            out.frombytes(chunk)
    return out


def _typecode(itemsize: int) -> str:
    return {2: "H", 4: "I", 8: "Q"}[itemsize]
