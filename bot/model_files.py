"""Model arrays unpacked once into the data folder's cache, then memory-mapped from there.

The models ship compressed inside their wheels, and loading one means unpacking all of it into
memory: the sentence encoder's embedding table alone is 65 MB, of which the Spanish and English
a user receives touch a few. Unpacked once into plain `.npy` files, an array can be mapped
instead: the process then holds only the pages its texts read (advised as random access, so
the kernel does not read ahead around each row), and the next start skips the unpacking.

`bootstrap` names the folder (`<data_dir>/cache/models`). Without one, or when it cannot be
written, `unpacked` answers None and the caller loads the model into memory as before.
Each set of files is written into a temporary folder and renamed into place whole, so a crash
or a second process building the same set never leaves a half-written one behind. Its name
carries what it was built from (package version, source size and time): a new model builds anew.
"""

from __future__ import annotations

import logging
import mmap
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_FORMAT = 1  # bump when what a builder writes changes shape
_folder: Path | None = None
_log = logging.getLogger(__name__)


def use_folder(folder: Path | None) -> None:
    """Where unpacked models live for this process (None: keep models in memory)."""
    global _folder
    _folder = folder


def unpacked(name: str, sources: list[Path], version: str, build: Callable[[Path], None]) -> Path | None:
    """The folder holding `name`'s unpacked files, built by `build(folder)` on first use.

    `sources` and `version` say what the files are made from: when either changes, the files
    are built again under a new name. None when no cache folder is set or it cannot be written.
    """
    if _folder is None:
        return None
    if _writable_by_anyone(_folder):
        _log.warning("model files for %s are kept in memory: %s is writable by every user, who could change"
                     " them (run: chmod 700 %s)", name, _folder, _folder)
        return None
    target = _folder / f"{name}-{_fingerprint(sources, version)}"
    if target.is_dir():
        return target
    try:
        _folder.parent.mkdir(exist_ok=True, mode=0o700)  # data_dir itself is made, owner-only, elsewhere
        _folder.mkdir(exist_ok=True, mode=0o700)
        _clear_older(name, keep=target)
        _build_into(target, name, build)
    except OSError as error:
        _log.warning("model files for %s cannot be written in %s (%s): kept in memory instead",
                     name, _folder, error.strerror or error)
        return None
    return target


def mapped(path: Path) -> Any:
    """A read-only array mapped from an `.npy` file, advised for random access."""
    import numpy as np

    array = np.load(path, mmap_mode="r", allow_pickle=False)
    region = getattr(array, "_mmap", None)
    if region is not None and hasattr(mmap, "MADV_RANDOM"):
        region.madvise(mmap.MADV_RANDOM)
    return array


def _build_into(target: Path, name: str, build: Callable[[Path], None]) -> None:
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{name}-"))
    try:
        build(scratch)
        for written in scratch.iterdir():
            with written.open("rb") as file:
                os.fsync(file.fileno())
                _forget(file.fileno())
        try:
            os.rename(scratch, target)
        except OSError:
            if not target.is_dir():  # unless another process finished the same build first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _writable_by_anyone(folder: Path) -> bool:
    try:
        return bool(folder.stat().st_mode & stat.S_IWOTH)
    except OSError:
        return False  # not there yet: it is made owner-only


def _forget(descriptor: int) -> None:
    """Drop the file's just-written pages from the page cache. Written, they sit in large
    folios, and a mapping maps a whole folio wherever one row of it is read: the table would be
    resident in full at once. Read back on demand under MADV_RANDOM, they come page by page."""
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)


def _fingerprint(sources: list[Path], version: str) -> str:
    import hashlib

    facts = [f"{_FORMAT}", version]
    for source in sources:
        stat = source.stat()
        facts.append(f"{source.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(facts).encode()).hexdigest()[:16]


def _clear_older(name: str, *, keep: Path) -> None:
    """Earlier builds of the same model (an upgrade): they would only take disk space."""
    assert _folder is not None
    for old in _folder.glob(f"{name}-*"):
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
