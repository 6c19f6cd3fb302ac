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


def _documentation(table: str, key: str) -> list[str]:
    """Each place `key` is documented in `[table]`: its line and the comment lines continuing it."""
    sections = re.split(r"^#?\s*\[\[?([\w.]+)\]\]?", EXAMPLE, flags=re.MULTILINE)
    bodies = [sections[0]] if table == "" else [b for n, b in zip(sections[1::2], sections[2::2]) if n == table]
    found = []
    for body in bodies:
        for match in re.finditer(rf"^#?\s*{key}\s*=.*(?:\n {{10,}}#.*)*", body, re.MULTILINE):
            found.append(match.group(0))
    return found


def _bound(field) -> float | None:  # noqa: ANN001
    """The upper bound pydantic enforces for a number, wherever the type carries it."""
    from annotated_types import Le

    found = [m.le for m in field.metadata if isinstance(m, Le)]
    for arg in getattr(field.annotation, "__args__", ()):
        found += [m.le for info in getattr(arg, "__metadata__", ()) for m in getattr(info, "metadata", ())
                  if isinstance(m, Le)]
    return min(found) if found else None


def _bounded_keys(model: type[BaseModel], table: str = "") -> list[tuple[str, str, float]]:
    found = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found += _bounded_keys(kind, f"{table}.{name}".strip("."))
        elif (bound := _bound(field)) is not None:
            found.append((table, name, bound))
    return found


def test_every_number_is_documented_with_its_bound() -> None:
    """`cooldown_days = 30.0   # ... (0 to 3650)`: a reader knows the range before `config check` does."""
    keys = _bounded_keys(Settings) + [("accounts", k, b) for m in (SandboxAccount, MastodonAccount, BlueskyAccount)
                                      for t, k, b in _bounded_keys(m)]
    missing = sorted({f"{t}.{k} (to {b:g})".strip(".") for t, k, b in keys
                      if not any(f"to {b:g})" in doc for doc in _documentation(t, k))})
    assert missing == []


def test_the_examples_pitch_thresholds_are_the_shipped_models_own() -> None:
    """The example sets both thresholds; copied as it stands, it must not quietly move them away
    from what the model was measured at."""
    import tomllib

    from bot.domain.pitch_semantic import load_semantic_model

    pitch = tomllib.loads(EXAMPLE)["policy"]["pitch"]
    model = load_semantic_model()
    assert (pitch["outgoing_threshold"], pitch["incoming_threshold"]) == (
        model.outgoing_threshold, model.incoming_threshold)
    assert f"model's own ({model.outgoing_threshold})" in EXAMPLE
