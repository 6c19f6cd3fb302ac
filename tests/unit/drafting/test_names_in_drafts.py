"""A display name that is not a plain name never reaches a draft, from the templates or through a
model's prompt: the reply greets without a name instead, in Spanish and in English."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget
from bot.domain.memory import EMPTY_MEMORY, ContactMemory, Fact, FactKind
from bot.domain.pitch import classify, load_lexicon
from bot.drafting.prompt import build_messages, conversation
from bot.drafting.template import MAX_TEXT, TemplateDrafter, load_templates, without_name
from tests.compositions import compositions
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
TEMPLATES = load_templates()
HOSTILE = {
    "mention": "@victim@other.example",
    "name_then_mention": "Ana @victim@other.example",
    "url": "Ana https://shop.example/deal",
    "domain": "shop.example",
    "wall_of_text": "An" + "a" * 5000,
    "bidi_override": "Ana\u202eelpmaxe.rehto@mitciv",
    "hashtag": "Ana #ad",
    "ansi": "Ana\x1b]8;;https://shop.example\x07",
}
MESSAGES = {
    "es": {"thanks": "¡Gracias por el hilo de ayer!", "question": "¿Qué libro me recomiendas?",
           "news": "Acabo de empezar un curso de cerámica", "complaint": "El enlace no funciona, qué desastre"},
    "en": {"thanks": "Thanks for yesterday's thread!", "question": "Which book would you recommend?",
           "news": "I just started a pottery class", "complaint": "The link doesn't work, really annoying"},
}
MEMORY = {
    "es": ContactMemory((Fact(FactKind.OPEN_THREAD, "el recital", "message:41", NOW - timedelta(days=6), "es",
                              NOW - timedelta(days=2)),)),
    "en": ContactMemory((Fact(FactKind.OPEN_THREAD, "the marathon plan", "message:41", NOW - timedelta(days=6), "en",
                              NOW + timedelta(days=3)),)),
}
LEAKS = re.compile(r"@|victim|https?:|shop|example|#|\x1b|\u202e|aaaa", re.IGNORECASE)


def someone(name: str) -> Contact:
    return Contact(id=7, account="demo", handle="victim@other.example", name=name)


def target(text: str, category: str) -> ReplyTarget:
    return ReplyTarget(interaction_id=1, post_id="p-1", text=text, thread=None, visibility="public",
                       category=category)


def drafts(name: str, language: str, kind: str | None, memory: ContactMemory = EMPTY_MEMORY) -> list[str]:
    message = None if kind is None else target(MESSAGES[language][kind], kind)
    drafter = TemplateDrafter(clock=FakeClock(NOW))
    return [s.text for s in drafter.suggest(someone(name), message, language, memory)]


def nameless_compositions(language: str, kind: str) -> set[str]:
    """Every greeting-and-response reply, as it reads without a name."""
    return compositions(TEMPLATES, language, kind, MESSAGES[language].get(kind, ""), None)


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_display_name_never_reaches_a_reply(language: str, name: str) -> None:
    for kind in MESSAGES[language]:
        for memory in (EMPTY_MEMORY, MEMORY[language]):
            found = drafts(name, language, kind, memory)
            assert found, (kind, memory)
            for text in found:
                assert not LEAKS.search(text), text
                assert len(text) <= MAX_TEXT


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_display_name_never_reaches_a_check_in(language: str, name: str) -> None:
    found = drafts(name, language, None, MEMORY[language])
    assert found
    assert not any(LEAKS.search(text) for text in found), found


@pytest.mark.parametrize(("language", "kind"), [(lang, kind) for lang in MESSAGES for kind in MESSAGES[lang]])
def test_without_a_usable_name_the_reply_greets_without_one(language: str, kind: str) -> None:
    found = drafts("@victim@other.example", language, kind)
    assert set(found) <= nameless_compositions(language, kind)


def test_spanish_and_english_greetings_read_naturally_without_a_name() -> None:
    spanish = drafts("@victim@other.example", "es", "thanks")
    english = drafts("@victim@other.example", "en", "thanks")
    assert all(re.match(r"(¡Hola!|Hola\.|¡Buenas!|¡Muchas gracias|Gracias|¡Qué amable)", t) for t in spanish), spanish
    assert all(re.match(r"(Hi[!.]|Hey!|Hello!|Thanks|Thank|You're|So glad|My pleasure)", t) for t in english), english
    assert not any(re.search(r"\s[,.!?]|,\s*[.!]|^[,.]", t) for t in spanish + english)


@pytest.mark.parametrize(("language", "expected"), [("es", "Ana"), ("en", "Ana")])
def test_a_plain_display_name_still_greets_by_first_name(language: str, expected: str) -> None:
    found = drafts("Ana García", language, "thanks")
    assert found and all("Ana" in text and "García" not in text for text in found), found


@pytest.mark.parametrize(("variant", "expected"), [
    ("¡Hola, {name}!", "¡Hola!"),
    ("Hola {name}, ¿qué tal {topic}?", "Hola, ¿qué tal {topic}?"),
    ("{name}, ¿qué tal {topic}?", "¿Qué tal {topic}?"),
    ("Gracias a ti, {name}, por escribir.", "Gracias a ti por escribir."),
    ("Hi {name}.", "Hi."),
    ("{name}, thank you!", "Thank you!"),
    ("Thanks, {name}, for writing.", "Thanks for writing."),
])
def test_a_variant_without_its_name_loses_the_commas_around_it(variant: str, expected: str) -> None:
    assert without_name(variant) == expected


@pytest.mark.parametrize("language", sorted(TEMPLATES))
def test_no_nameless_composition_reads_as_a_pitch(language: str) -> None:
    lexicon = load_lexicon()
    pitches = [text for kind in TEMPLATES[language]["reply"] for text in nameless_compositions(language, kind)
               if classify(text, lexicon).pitch]
    assert pitches == []


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_model_is_never_told_a_hostile_display_name(name: str) -> None:
    [turn] = build_messages(someone(name), target(MESSAGES["es"]["thanks"], "thanks"), "es", MEMORY["es"],
                            voice="", now=NOW)
    data = conversation(someone(name), target(MESSAGES["es"]["thanks"], "thanks"), MEMORY["es"], NOW)
    assert data["person"] == {}
    assert json.dumps(data, ensure_ascii=False, indent=1) in turn["content"]  # the data the model gets
    assert not LEAKS.search(json.dumps(data, ensure_ascii=False)), data


def test_a_model_is_told_a_plain_first_name() -> None:
    [turn] = build_messages(someone("Ana García"), None, "es", MEMORY["es"], voice="", now=NOW)
    assert conversation(someone("Ana García"), None, MEMORY["es"], NOW)["person"] == {"name": "Ana"}
    assert '"name": "Ana"' in turn["content"]
