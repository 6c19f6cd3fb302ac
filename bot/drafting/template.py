"""The embedded drafter, no network: replies in the person's language that answer the kind of
message they sent and, when memory holds an open thread or an interest, ask about it in the
fact's own words. It never pitches, never invents facts, and answers "are you a bot?" honestly.

Replies are composed of parts from `templates.toml` (greeting, response, answer, memory
follow-up; see `replies.py`), each variant picked from a hash of contact and post: stable per
message, varied across messages. Questions and requests are answered from the owner's profile
(`[drafting.about]`) or left as a visible slot for the owner to fill: never deflected.
A display name enters a reply only when `first_name` finds it a plain name; otherwise the
variants read without it ("¡Hola, {name}!" becomes "¡Hola!").
"""

from __future__ import annotations

import hashlib
import re
import string
import tomllib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path

from bot.clock import SystemClock
from bot.domain.categories import Category, categorize
from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget, Suggestion
from bot.domain.memory import ContactMemory
from bot.domain.about import NO_ABOUT, About
from bot.domain.names import first_name
from bot.domain.normalize import fold
from bot.drafting.replies import MAX_TEXT as MAX_TEXT
from bot.drafting.replies import compose_replies, contract, fill
from bot.drafting.replies import without_name as without_name
from bot.drafting.topics import Topic, is_about, topics_to_mention
from bot.errors import ConfigError
from bot.ports import Clock

Templates = dict[str, dict[str, dict[str, list[str]]]]  # language -> section -> key -> variants

MAX_SUGGESTIONS = 3
_PLACEHOLDERS = {"greeting": {"name"}, "reply": {"name"}, "follow_up": {"topic"}, "check_in": {"name", "topic"},
                 "ack": {"name", "thing"}, "answer": {"answer"}}
_TIMINGS = ("past", "upcoming", "ongoing", "interest")
# `ack` and `answer` are optional: without them a reply falls back to `reply` variants and to
# quoting the profile's fact as is, so a language a user added before they existed still works.
_REQUIRED = {"greeting": ("default",), "reply": ("other",), "follow_up": _TIMINGS, "check_in": _TIMINGS}
_FOLLOW_UP_KINDS = frozenset({"question", "request", "thanks", "compliment", "news", "opinion", "other"})
AboutSource = Callable[[], About]


def load_templates(extra: Path | None = None) -> Templates:
    """The packaged templates, plus the variants of a user's file in the same layout.

    An extra file adds variants, or a whole language once it has every section's `_REQUIRED`
    keys. The older flat layout (`[es] question = [...]`) still means reply variants.
    """
    templates: Templates = {}
    packaged = resources.files("bot.drafting").joinpath("templates.toml").read_text(encoding="utf-8")
    _add(templates, packaged, "templates.toml")
    if extra is not None:
        try:
            text = extra.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{extra}: cannot read templates: {error.strerror}") from None
        _add(templates, text, str(extra))
    return templates


def _add(templates: Templates, text: str, origin: str) -> None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: invalid TOML: {error}") from None
    for language, sections in data.items():
        if not isinstance(sections, dict):
            raise ConfigError(f"{origin}: [{language}] must be a table of sections")
        for section, kinds in sections.items():
            if isinstance(kinds, list):
                section, kinds = "reply", {section: kinds}
            _check(origin, f"{language}.{section}", section, kinds)
            for kind, variants in kinds.items():
                templates.setdefault(language, {}).setdefault(section, {}).setdefault(kind, []).extend(variants)


def _usable(parts: dict[str, dict[str, list[str]]]) -> bool:
    return all(key in parts.get(section, {}) for section, keys in _REQUIRED.items() for key in keys)


def _check(origin: str, where: str, section: str, kinds: object) -> None:
    if section not in _PLACEHOLDERS or not isinstance(kinds, dict):
        raise ConfigError(f"{origin}: {where}: unknown section (expected one of: {', '.join(_PLACEHOLDERS)})")
    for kind, variants in kinds.items():
        if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
            raise ConfigError(f"{origin}: {where}.{kind}: expected a list of non-empty strings")
        for variant in variants:
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(variant) if f is not None}
            except ValueError as error:
                raise ConfigError(f"{origin}: {where}.{kind}: {error} in {variant!r}") from None
            if not fields <= _PLACEHOLDERS[section]:
                allowed = ", ".join("{" + p + "}" for p in sorted(_PLACEHOLDERS[section]))
                raise ConfigError(f"{origin}: {where}.{kind}: unknown placeholder in {variant!r} (allowed: {allowed})")


class TemplateDrafter:
    name = "template"

    def __init__(self, templates: Templates | None = None, *, clock: Clock | None = None,
                 about: About | AboutSource = NO_ABOUT) -> None:
        """`about` is the owner's profile, or a function that reads the current one."""
        self._templates = templates or load_templates()
        self._about = about if callable(about) else (lambda: about)
        self._languages = tuple(lang for lang, parts in self._templates.items() if _usable(parts))
        if "en" not in self._languages:
            raise ConfigError("templates: English must keep every section (it is the fallback language)")
        self._clock = clock or SystemClock()

    def suggest(
        self, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
    ) -> list[Suggestion]:
        lang = _base_language(language, target, memory, self._languages)
        parts = self._templates[lang]
        topics = topics_to_mention(memory, lang, self._clock.now())
        if target is None:
            texts = _check_ins(parts, contact, topics, lang)
        else:
            kind = reply_kind(target)
            if kind is None:
                return []
            told_about = next((t for t in topics if is_about(target.text, t)), None)
            follow = [t for t in topics if not is_about(target.text, t)] if kind in _FOLLOW_UP_KINDS else []
            seed = _seed(f"{contact.id}:{target.post_id}")
            texts = compose_replies(parts, contact, target, kind, follow, lang, self._about(), seed,
                                    MAX_SUGGESTIONS * 2, told_about)
        return [Suggestion(text, self.name) for text in _distinct(texts, MAX_SUGGESTIONS)]


def reply_kind(target: ReplyTarget) -> str | None:
    """What the reply responds to; None for a request to stop, which gets no reply at all."""
    category = target.category or categorize(target.text).value
    if category == Category.OPT_OUT.value:
        return None
    if asks_if_automated(target.text):
        return "bot_question"
    if category == Category.THANKS.value and not _THANK_WORDS.search(fold(target.text).plain):
        return "compliment"
    return "other" if category == Category.PITCH.value else category


_THANK_WORDS = re.compile(
    r"\b(thanks?|thank you|thx|ty|cheers|grateful|gracias|agradezco|agradecid[oa]|obrigad[oa]|merci)\b"
)
# Asked directly ("are you a bot", "¿eres humano?"): always a question about us.
_ASKS_US = re.compile(
    r"\b(are|r) (you|u) (a |an )?(bot|robot|ai|real|human|person|real person|automated|machine)\b"
    r"|\b(am i|are we) (talking|speaking|chatting) (to|with) (a |an )?(bot|robot|ai|machine|human|person)\b"
    r"|\b(eres|sos) (un |una )?(bot|robot|ia|humano|humana|real|persona|persona real|automatico|maquina)\b"
    r"|\b(hablo|estoy hablando|estamos hablando) con (un |una )?(bot|robot|ia|maquina|humano|persona)\b"
)
# Said about "this": a question only with a question mark ("mi proyecto es un bot" is not).
_ASKS_ABOUT_THIS = re.compile(
    r"\b(is|was) (this|that|it) (a |an )?(bot|robot|ai|automated|auto-?generated|ai[- ]generated|real)\b"
    r"|\b(written|generated) (by|with) (a |an )?(bot|ai|chatgpt|machine)\b"
    r"|\b(es|esto es|eso es) (un |una )?(bot|robot|ia|automatico|automatica|respuesta automatica)\b"
    r"|\b(respuesta|mensaje) automatic[oa]\b|\b(escrito|generado) (por|con) (un |una )?(ia|bot|chatgpt|maquina)\b"
)


def asks_if_automated(text: str) -> bool:
    """True when the message asks whether a bot, a machine or an AI is answering."""
    folded = fold(text).plain
    return bool(_ASKS_US.search(folded)) or ("?" in text and bool(_ASKS_ABOUT_THIS.search(folded)))


def _check_ins(parts: dict[str, dict[str, list[str]]], contact: Contact, topics: list[Topic],
               lang: str) -> Iterator[str]:
    """A message that asks about them; nothing at all when memory holds nothing to ask about."""
    name = first_name(contact.name)
    seed = _seed(f"{contact.id}:check-in:{topics[0].text}") if topics else 0
    for i in range(min(len(topics), MAX_SUGGESTIONS) * 2):
        topic = topics[i % len(topics)]
        yield contract(fill(_nth(parts["check_in"][topic.timing], seed, i), name, topic=topic.text), lang)


def _distinct(texts: Iterable[str], limit: int) -> list[str]:
    chosen: list[str] = []
    for text in texts:
        if text not in chosen:
            chosen.append(text)
            if len(chosen) == limit:
                break
    return chosen


def _base_language(
    language: str | None, target: ReplyTarget | None, memory: ContactMemory, known: tuple[str, ...],
) -> str:
    """The platform's language tag; without one, a guess from the message, or the facts' language.
    English when the templates do not cover it."""
    if not language and target is not None:
        from bot.language import guess_language  # loads a model: only when the platform gave no tag

        language = guess_language(target.text)
    if not language:
        language = next((f.language for f in memory.facts if f.language), None)
    base = (language or "").split("-")[0].lower()
    return base if base in known else "en"


def _seed(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _nth(variants: list[str], seed: int, i: int) -> str:
    return variants[(seed + i) % len(variants)]
