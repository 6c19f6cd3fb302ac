"""The effective profile: `[drafting.about]` from the config, plus what `rapport about set` stored.

The config file is the user's own and is never rewritten. `about set` keeps its entries in
`data_dir/about.json` (same layout as the config section), which extends the config section:
`about show` prints both, each marked with where it comes from. A running service picks up a
change on its next draft: the file is read again whenever it changes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import ValidationError

from bot.config_about import AboutEntry, AboutSettings
from bot.config_errors import format_validation_error
from bot.domain.about import KINDS, About
from bot.errors import ConfigError, InvalidInputError, NotFoundError

STORED_FILE = "about.json"
_SECTION = {"work": "work", "interest": "interests", "resource": "resources"}


def stored_path(data_dir: Path) -> Path:
    return data_dir / STORED_FILE


def read_stored(path: Path) -> AboutSettings:
    """The stored entries; none when the file does not exist. A damaged file is one clear line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AboutSettings()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the stored profile: {error.strerror}") from None
    try:
        return AboutSettings.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON ({error.msg}, line {error.lineno}); fix or delete it") from None
    except ValidationError as error:
        raise ConfigError(f"{path}: {format_validation_error(error)}") from None


def effective(configured: AboutSettings, path: Path) -> About:
    """The config's facts first, then the stored ones."""
    return About(configured.profile("config").facts + read_stored(path).profile("stored").facts)


def add(path: Path, kind: str, entry: AboutEntry) -> bool:
    """Store `entry` under `kind`, replacing one with the same text; True when it replaced one."""
    section = _section(kind)
    stored = read_stored(path)
    entries = [e for e in getattr(stored, section) if e.text.casefold() != entry.text.casefold()]
    replaced = len(entries) != len(getattr(stored, section))
    _write(path, stored.model_copy(update={section: [*entries, entry]}))
    return replaced


def remove(path: Path, kind: str, text: str) -> None:
    """Take a stored entry out; entries from the config file are the user's to edit there."""
    section = _section(kind)
    stored = read_stored(path)
    kept = [e for e in getattr(stored, section) if e.text.casefold() != " ".join(text.split()).casefold()]
    if len(kept) == len(getattr(stored, section)):
        raise NotFoundError(f"no stored {kind} with that text (entries from [drafting.about] are edited in the"
                            " config file; see: rapport about show)")
    _write(path, stored.model_copy(update={section: kept}))


def _section(kind: str) -> str:
    if kind not in _SECTION:
        raise InvalidInputError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    return _SECTION[kind]


def _write(path: Path, about: AboutSettings) -> None:
    """Whole or not at all: a crash mid-write leaves the previous file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = about.model_dump(exclude_defaults=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(data, file, ensure_ascii=False, indent=1)
        file.write("\n")
    os.replace(temporary, path)


class AboutSource:
    """The effective profile for a long-running drafter: read again when the stored file changes."""

    def __init__(self, configured: AboutSettings, path: Path) -> None:
        self._configured = configured
        self._path = path
        self._seen: float | None = -1.0
        self._about = About()

    def __call__(self) -> About:
        try:
            stamp: float | None = self._path.stat().st_mtime_ns
        except OSError:
            stamp = None
        if stamp != self._seen:
            self._about = effective(self._configured, self._path)
            self._seen = stamp
        return self._about
