"""Every configuration key is documented in config.example.toml."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from bot.config import BlueskyAccount, MastodonAccount, SandboxAccount, Settings

EXAMPLE = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text(encoding="utf-8")


def _documented(table: str, key: str) -> bool:
    """`key = ...` (possibly commented out) inside `[table]`, or at the top for no table."""
    sections = re.split(r"^#?\s*\[\[?([\w.]+)\]\]?", EXAMPLE, flags=re.MULTILINE)
    bodies = {"": sections[0]}
    for name, body in zip(sections[1::2], sections[2::2]):
        bodies[name] = bodies.get(name, "") + body
    return re.search(rf"^#?\s*{key}\s*=", bodies.get(table, ""), re.MULTILINE) is not None


def _keys(model: type[BaseModel], table: str = "") -> list[tuple[str, str]]:
    found = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found += _keys(kind, f"{table}.{name}".strip("."))
        elif name != "accounts":
            found.append((table, name))
    return found


def test_every_settings_key_is_in_the_example() -> None:
    missing = [f"{t}.{k}".strip(".") for t, k in _keys(Settings) if not _documented(t, k)]
    assert missing == []


def test_every_account_key_is_in_the_example() -> None:
    missing = [f"{m.__name__}.{k}" for m in (SandboxAccount, MastodonAccount, BlueskyAccount)
               for k in m.model_fields if not _documented("accounts", k)]
    assert missing == []
