"""Compiled regular expressions kept on disk between processes.

The pitch lexicon is a few large regexes (every phrase of two languages as prefix trees), and
Python's regex compiler is written in Python: building them takes longer than anything else a
CLI command like `queue approve` does. What the compiler produces is a list of integers for the
C matcher; this keeps those lists in one file, keyed by the exact pattern, for this exact Python
build, and hands them back to the C matcher directly. A compiled pattern compares equal (`==`
compares the compiled code) to what `re.compile` gives; the tests check that for every pattern
of the lexicon.

Anything unexpected (another Python, a damaged or foreign file, a pattern not seen before) falls
back to `re.compile`; the file is rewritten with what this process compiled, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

try:  # the regex compiler's own parts (CPython); without them every pattern is compiled afresh
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - other interpreters
    _sre = None

_FILE_VERSION = 1


def _build_tag() -> str:
    """What the compiled code depends on: the interpreter build and its matcher's version."""
    magic = getattr(_sre, "MAGIC", None)
    return f"{sys.implementation.cache_tag}|{sys.version}|{magic}"


class RegexCache:
    """`with RegexCache(folder) as cache: cache.compile(pattern)`; saved on leaving when it changed."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / f"regex-{sys.implementation.cache_tag}.json"
        self._stored: dict[str, list[Any]] = self._read()
        self._used: dict[str, list[Any]] = {}

    def compile(self, pattern: str) -> re.Pattern[str]:
        entry = self._stored.get(pattern)
        if entry is not None:
            compiled = _from_entry(pattern, entry)
            if compiled is not None:
                self._used[pattern] = entry
                return compiled
        entry = _to_entry(pattern)
        if entry is not None:
            compiled = _from_entry(pattern, entry)
            if compiled is not None:
                self._used[pattern] = entry
                return compiled
        return re.compile(pattern)

    def __enter__(self) -> RegexCache:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None and self._used != self._stored:
            self.save()

    def save(self) -> None:
        """Write what this process compiled (stale patterns drop out); a folder that is missing
        or cannot be written only costs the next process the compile time."""
        entries = self._used
        body = json.dumps(entries, sort_keys=True, separators=(",", ":"))
        data = {"version": _FILE_VERSION, "build": _build_tag(),
                "digest": hashlib.sha256(body.encode()).hexdigest(), "entries": entries}
        try:
            # Inside a data folder that exists: a command that merely classifies text creates none.
            self.path.parent.mkdir(exist_ok=True, mode=0o700)
            fd, temporary = tempfile.mkstemp(prefix=".regex-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(json.dumps(data, separators=(",", ":")))  # dumps: the C encoder
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass
        self._stored = dict(entries)

    def _read(self) -> dict[str, list[Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["entries"]
            body = json.dumps(entries, sort_keys=True, separators=(",", ":"))
            if (data.get("version") != _FILE_VERSION or data.get("build") != _build_tag()
                    or data.get("digest") != hashlib.sha256(body.encode()).hexdigest()):
                return {}
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}


def _to_entry(pattern: str) -> list[Any] | None:
    """What `re.compile(pattern)` hands the C matcher, as JSON-friendly data."""
    if _sre is None:
        return None
    try:
        parsed = _parser.parse(pattern, 0)
        code = _compiler._code(parsed, 0)
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return [state.flags, list(code), state.groups - 1, groupindex, indexgroup]
    except Exception:  # noqa: BLE001 - an interpreter whose internals differ: compile as usual
        return None


def _from_entry(pattern: str, entry: list[Any]) -> re.Pattern[str] | None:
    if _sre is None:
        return None
    try:
        flags, code, groups, groupindex, indexgroup = entry
        return _sre.compile(pattern, flags, code, groups, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001 - a damaged entry: the matcher validates code and refuses it
        return None
