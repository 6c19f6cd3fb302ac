"""A reply, composed in the order a person would write it: a greeting; a response to what they
told (their news, their opinion, their thanks, naming the thing they named); an answer to what
they asked, from the owner's profile, or a slot the owner fills; only then a follow-up from memory.
A question is never answered with a question: the response before an answer asks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from bot.domain.about import About
from bot.domain.categories import Category, categorize
from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget
from bot.domain.names import first_name
from bot.domain.tone import Tone, read_tone
from bot.drafting.answers import Answer, answer
from bot.drafting.reading import OWNER_WORDS, Reading, content_words, read
from bot.drafting.topics import Topic

Parts = dict[str, dict[str, list[str]]]

MAX_TEXT = 280  # under Bluesky's 300 graphemes, with room for the mention the platform adds
_NOT_ANSWERED = frozenset({"bot_question", "complaint"})  # answered by their own `reply` variants
_ACKNOWLEDGED = {"news": "news", "opinion": "opinion", "thanks": "thanks", "compliment": "compliment"}
_THANK_WORDS = re.compile(r"\b(thanks?|thank you|thx|ty|cheers|grateful|gracias|agradezco|agradecid[oa])\b",
                          re.IGNORECASE)


def compose_replies(parts: Parts, contact: Contact, target: ReplyTarget, kind: str, topics: list[Topic],
                    lang: str, about: About, seed: int, count: int, told_about: Topic | None = None) -> Iterator[str]:
    """`told_about` is an open thread or interest from memory that their message talks about."""
    name = first_name(contact.name)
    reading = read(target.text, lang) if kind != "bot_question" else Reading((), (), None)
    reading = with_thread(reading, told_about)
    answers = [answer(ask, about, lang) for ask in reading.asks] if kind not in _NOT_ANSWERED else []
    mood = _mood(target) or ("complaint" if kind == "complaint" else None)
    if mood:
        topics = []  # no race or garden follow-up under a loss, a worry or a grievance
    for i in range(count):
        response = _response(parts, kind, reading, bool(answers), name, seed, i, mood)
        greeting = "" if name and name in response else opener(parts, kind, name, seed >> 16, i, mood)
        said = [_answer_text(a, parts, lang, (seed >> 24) + i) for a in answers]
        text = _fit(greeting, response, said)
        if topics:
            topic = topics[i % len(topics)]
            tail = _nth(parts["follow_up"][topic.timing], seed >> 32, i).format(topic=topic.text)
            text = join(text, tail) if len(text) + len(tail) < MAX_TEXT else text
        yield contract(text, lang)


def with_thread(reading: Reading, topic: Topic | None) -> Reading:
    """The thing their message names is the remembered thread when it talks about one ("I finished
    the marathon!" with "the Chicago marathon" due): named in the memory's words, unless the
    thing they named already shares a word with it."""
    if topic is None or not reading.statements:
        return reading
    if reading.thing and set(content_words(reading.thing)) & set(content_words(topic.text)):
        return reading
    return replace(reading, thing=topic.text)


def _mood(target: ReplyTarget) -> str | None:
    """"sad", "worried" or "complaint" when the message (or its content warning) reads so: the
    key of the variants that answer in kind. None for everything else, good news included."""
    tone = read_tone(target.text, target.spoiler_text or "")
    return tone.value if tone.heavy else None


def opener(parts: Parts, kind: str, name: str | None, seed: int, i: int, mood: str | None = None) -> str:
    """The greeting: the one place it is chosen, by the tone of the message, then its kind."""
    greetings = (mood and parts["greeting"].get(mood)) or parts["greeting"].get(kind) or parts["greeting"]["default"]
    return fill(_nth(greetings, seed, i), name)


def _response(
    parts: Parts, kind: str, reading: Reading, asked: bool, name: str | None, seed: int, i: int,
    mood: str | None = None,
) -> str:
    """What responds to what they told, in kind with its tone; nothing when the message only asks."""
    acks = parts.get("ack", {})
    if mood and kind != "bot_question" and (reading.statements or not asked):
        if reading.thing and acks.get(mood):
            return fill(_nth(acks[mood], seed, i), name, thing=reading.thing)
        if parts["reply"].get(mood):
            return fill(_nth(parts["reply"][mood], seed, i), name)
    if kind in _NOT_ANSWERED or not reading.statements:
        if asked:
            return ""
        return fill(_nth(parts["reply"].get(kind) or parts["reply"]["other"], seed, i), name)
    told = _told_kind(reading, kind)
    if reading.thing:
        key = "owner" if reading.thing.split()[0].casefold() in OWNER_WORDS else told
        if acks.get(key):
            return fill(_nth(acks[key], seed, i), name, thing=reading.thing)
    variants = parts["reply"].get(told) or parts["reply"]["other"]
    if asked:  # before an answer, a response that asks nothing
        variants = [v for v in variants if "?" not in v] or parts["reply"]["other"]
    return fill(_nth(variants, seed, i), name)


def _told_kind(reading: Reading, kind: str) -> str:
    if kind in _ACKNOWLEDGED:
        return kind
    statements = " ".join(reading.statements)
    told = categorize(statements).value
    if told == Category.THANKS.value and not _THANK_WORDS.search(statements):
        return "compliment"
    return _ACKNOWLEDGED.get(told, "other")


def _answer_text(found: Answer, parts: Parts, lang: str, pick: int) -> str:
    text = found.text(parts.get("answer", {}), pick, lang)
    return text if text.endswith((".", "!", "?", "]")) or found.fact and found.fact.url else text + "."


def _fit(greeting: str, response: str, said: list[str]) -> str:
    """Everything that fits: the answers always, then the response, then the greeting."""
    for pieces in ((greeting, response, *said), (greeting, *said), tuple(said)):
        text = join(*pieces)
        if len(text) <= MAX_TEXT:
            return text
    return join(*said)[:MAX_TEXT]


def join(*pieces: str) -> str:
    return " ".join(p for p in pieces if p)


def contract(text: str, lang: str) -> str:
    """Spanish contracts "de el" and "a el" when a phrase starts with "el"."""
    return re.sub(r"\b(de|a) el\b", lambda m: "del" if m.group(1) == "de" else "al", text) if lang == "es" else text


def fill(variant: str, name: str | None, **values: str) -> str:
    """The variant with the name, or read without it when there is no plain name to use
    ("@ana" would mention "ana" on the account's own server, who may be someone else)."""
    if name is not None:
        return variant.format(name=name, **values)
    return without_name(variant).format(name="", **values)


_NAME = r"(?<!\{)\{name\}(?!\})"  # the placeholder, not an escaped "{{name}}"
_NAME_BETWEEN_COMMAS = re.compile(r",\s*" + _NAME + r"\s*,")  # "Thanks, {name}, for..." -> "Thanks for..."
_NAME_FIRST = re.compile(r"^" + _NAME + r"[,:!.]?\s*")  # "{name}, thanks." -> "thanks."
_NAME_AFTER = re.compile(r"[,\s]*" + _NAME)  # "¡Hola, {name}!" -> "¡Hola!"; "Hi {name}, how" -> "Hi, how"
_EMPTY_MARKS = re.compile(r"¡\s*!|¿\s*\?")  # what "¡{name}!" leaves


def without_name(variant: str) -> str:
    """A template variant as it reads with its {name} taken out, with the commas around it."""
    text = _NAME_BETWEEN_COMMAS.sub("", variant)
    text, at_start = _NAME_FIRST.subn("", text)
    text = _EMPTY_MARKS.sub("", _NAME_AFTER.sub("", text)).strip()
    if at_start:  # the sentence now starts at what followed the name: "¿qué tal?" -> "¿Qué tal?"
        opening = len(text) - len(text.lstrip("¡¿\"“«' "))
        text = text[:opening] + text[opening:opening + 1].upper() + text[opening + 1:]
    return text


def _nth(variants: list[str], seed: int, i: int) -> str:
    return variants[(seed + i) % len(variants)]
