"""What other people on the machine could read or change: the data folder, secret files, and
secrets written in the config file itself. Each finding is a `rapport doctor` line saying what
to do."""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import SECRET_KEYS, Settings
from bot.config_types import ENV_NAME_PATTERN

_ENV_NAME = re.compile(ENV_NAME_PATTERN)


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok, warn, fail
    detail: str


def file_checks(settings: Settings) -> Iterator[Check]:
    yield _data_dir(settings.data_dir)
    yield _model_cache(settings.model_cache_dir)
    for key, path in _secret_files(settings):
        check = _secret_file(key, path)
        if check is not None:
            yield check


def _data_dir(path: Path) -> Check:
    name = "data_dir"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Check(name, "ok", f"{path} does not exist yet; it is created owner-only on first use")
    except OSError as error:
        return Check(name, "fail", f"cannot read {path}: {error.strerror}")
    if not stat.S_ISDIR(mode):
        return Check(name, "fail", f"{path} is a file, not a folder: move the file away or set data_dir elsewhere")
    if mode & stat.S_IWOTH:
        # Anyone could swap the database for one holding approved drafts, posted in your name.
        return Check(name, "fail", f"{path} is writable by every user (mode {_mode(mode)}): anyone on this machine"
                                   f" could replace the database or the sessions in it; run: chmod 700 {path}")
    return Check(name, "ok", f"{path} (mode {_mode(mode)})")


def _model_cache(path: Path | None) -> Check:
    """Where the models are unpacked (`bot.model_files`): whoever can change those files can
    change what the pitch guardrail sees, so the folder is refused when every user can write it."""
    name = "model cache"
    if path is None:
        return Check(name, "ok", "off: the models are unpacked into memory at every start")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Check(name, "ok", f"{path} does not exist yet; the models are unpacked there on first use"
                                 " (about 140 MB)")
    except OSError as error:
        return Check(name, "warn", f"cannot read {path}: {error.strerror}; the models will be kept in memory")
    if mode & stat.S_IWOTH:
        return Check(name, "fail", f"{path} is writable by every user (mode {_mode(mode)}): anyone on this machine"
                                   f" could change the models the pitch guardrail reads, so they are kept in memory"
                                   f" instead; run: chmod 700 {path}")
    built = [folder for folder in path.iterdir() if folder.is_dir() and not folder.name.startswith(".")]
    size = sum(file.stat().st_size for folder in built for file in folder.iterdir())
    return Check(name, "ok", f"{path} (mode {_mode(mode)}): {len(built)} model(s) unpacked, {size / 2**20:.0f} MB")


def _secret_files(settings: Settings) -> Iterator[tuple[str, Path]]:
    for index, account in enumerate(settings.accounts):
        for key in ("token_file", "password_file"):
            path = getattr(account, key, None)
            if path is not None:
                yield f"accounts[{index}].{key}", path
    if settings.drafting.openai.api_key_file is not None:
        yield "drafting.openai.api_key_file", settings.drafting.openai.api_key_file


def _secret_file(key: str, path: Path) -> Check | None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # a missing file is the credentials check's finding
    if mode & stat.S_IROTH:
        # A warning, not a failure: Docker secrets are mounted world-readable by default, inside
        # a container where no other user runs.
        return Check(key, "warn", f"{path} is readable by every user (mode {_mode(mode)}): run chmod 600 {path}"
                                       " (for a Docker secret, set `mode: 0400` under its compose entry)")
    return Check(key, "ok", f"{path} (mode {_mode(mode)})")


def inline_secrets(config: Path) -> Iterator[Check]:
    """Secrets written in the config file. The config refuses them, but the file still holds
    them in plain text, perhaps in a backup or a repository: say where, and what to do."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    for key, name, value in _walk(data, ""):
        if name in SECRET_KEYS and isinstance(value, str) and value:
            yield Check(f"secret {key}", "fail",
                        f"written in plain text in {config}: delete it from the file, put it in {name}_file"
                        f" (mode 600) or in the variable that {name}_env names, and replace it if the file was ever"
                        " shared or backed up")
        elif name.endswith("_env") and isinstance(value, str) and not _ENV_NAME.match(value):
            yield Check(f"secret {key}", "fail",
                        f"in {config} this is not a variable name and may be the secret itself: put the NAME of"
                        " an environment variable here, the secret in that variable, and replace the secret")


def _walk(data: Any, prefix: str) -> Iterator[tuple[str, str, Any]]:
    """(key path, key name, value) for every leaf: `accounts[0].token`."""
    if isinstance(data, dict):
        for name, value in data.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            if isinstance(value, (dict, list)):
                yield from _walk(value, path)
            else:
                yield path, str(name), value
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _walk(item, f"{prefix}[{index}]")


def _mode(mode: int) -> str:
    return f"{stat.S_IMODE(mode):04o}"
