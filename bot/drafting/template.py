"""The embedded drafter: no network, replies in the person's language that answer the kind of
message they sent. It never pitches and never invents facts."""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources
from pathlib import Path

from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget, Suggestion
from bot.domain.memory import ContactMemory

LANGUAGES = ("es", "en")


def load_templates(extra: Path | None = None) -> dict[str, dict[str, list[str]]]:
    text = resources.files("bot.drafting").joinpath("templates.toml").read_text(encoding="utf-8")
    templates: dict[str, dict[str, list[str]]] = tomllib.loads(text)
    if extra is not None:
        for language, kinds in tomllib.loads(extra.read_text(encoding="utf-8")).items():
            for kind, variants in kinds.items():
                templates.setdefault(language, {}).setdefault(kind, []).extend(variants)
    return templates


class TemplateDrafter:
    name = "template"

    def __init__(self, templates: dict[str, dict[str, list[str]]] | None = None) -> None:
        self._templates = templates or load_templates()

    def suggest(
        self, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
    ) -> list[Suggestion]:
        lang = _base_language(language)
        by_kind = self._templates[lang]
        kind = (target.category if target else None) or "other"
        variants = by_kind.get(kind) or by_kind["other"]
        name = _first_name(contact)
        start = _stable_index(f"{contact.id}:{target.post_id if target else ''}", len(variants))
        ordered = variants[start:] + variants[:start]
        return [Suggestion(variant.format(name=name), self.name) for variant in ordered]


def _base_language(language: str | None) -> str:
    base = (language or "").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def _first_name(contact: Contact) -> str:
    name = (contact.name or "").strip()
    if name:
        return name.split()[0]
    return "@" + contact.handle.split("@")[0]


def _stable_index(key: str, size: int) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % size
