"""The template drafter: replies in the message's language, to its kind, that refer to memory
only when memory holds something, never pitch, and answer "are you a bot?" honestly."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget
from bot.domain.memory import EMPTY_MEMORY, ContactMemory, Fact, FactKind
from bot.domain.pitch import classify, load_lexicon
from bot.drafting.template import TemplateDrafter, load_templates
from bot.errors import ConfigError
from tests.compositions import compositions as build_compositions
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
ANA = Contact(id=7, account="demo", handle="ana@social.example", name="Ana García")
TOM = Contact(id=8, account="demo", handle="tom@fedi.example", name="Tom")
TEMPLATES = load_templates()

MESSAGES = {
    ("es", "question"): "¿Qué libro me recomiendas para empezar con la jardinería?",
    ("es", "thanks"): "¡Gracias por el hilo de ayer, me sirvió mucho!",
    ("es", "compliment"): "Me encanta este hilo, qué claro todo",
    ("es", "news"): "Acabo de empezar un curso de cerámica",
    ("es", "complaint"): "El enlace de tu web no funciona, qué desastre",
    ("es", "opinion"): "Creo que las ciudades necesitan más árboles y menos coches",
    ("en", "question"): "Which book would you recommend to get started with gardening?",
    ("en", "thanks"): "Thanks for yesterday's thread, it helped a lot!",
    ("en", "compliment"): "Great post, love this",
    ("en", "news"): "I just started a pottery class",
    ("en", "complaint"): "The link on your site doesn't work, really annoying",
    ("en", "opinion"): "Cities need more trees and fewer cars",
}
# The category the ingest step stores; compliments are filed as thanks.
CATEGORY = {"compliment": "thanks"}
PITCH_WORDS = re.compile(r"discount|descuento|precio|buy\b|compra|oferta|offer|gratis|free\b|http", re.IGNORECASE)


def drafter(templates: dict | None = None) -> TemplateDrafter:
    return TemplateDrafter(templates, clock=FakeClock(NOW))


def target(text: str, post_id: str = "p-1", category: str | None = None) -> ReplyTarget:
    return ReplyTarget(interaction_id=1, post_id=post_id, text=text, thread=None, visibility="public",
                       category=category)


def thread(text: str, *, due_days: float | None, language: str | None = None, said_days_ago: float = 5) -> Fact:
    due = None if due_days is None else NOW + timedelta(days=due_days)
    return Fact(FactKind.OPEN_THREAD, text, "message:41", NOW - timedelta(days=said_days_ago), language, due)


def interest(text: str, kind: FactKind = FactKind.INTEREST) -> Fact:
    return Fact(kind, text, "fields", NOW - timedelta(days=30))


def texts(contact: Contact, message: ReplyTarget | None, language: str | None,
          memory: ContactMemory = EMPTY_MEMORY) -> list[str]:
    return [s.text for s in drafter().suggest(contact, message, language, memory)]


def compositions(language: str, kind: str, name: str = "Ana", message: str | None = None) -> set[str]:
    """Every reply made of template parts alone (no follow-up): see tests/compositions.py."""
    return build_compositions(TEMPLATES, language, kind, message or MESSAGES.get((language, kind), ""), name)


@pytest.mark.parametrize(("language", "kind"), sorted(MESSAGES))
def test_reply_answers_the_kind_of_message_in_its_language_from_template_parts_alone(language, kind) -> None:
    message = target(MESSAGES[language, kind], category=CATEGORY.get(kind, kind))
    suggestions = drafter().suggest(ANA, message, language, EMPTY_MEMORY)
    assert 1 <= len(suggestions) <= 3
    assert all(s.origin == "template" and s.note is None for s in suggestions)
    assert {s.text for s in suggestions} <= compositions(language, kind)  # nothing invented


@pytest.mark.parametrize(("language", "kind"), sorted(MESSAGES))
def test_uncategorised_messages_are_categorised_by_the_drafter(language, kind) -> None:
    assert set(texts(ANA, target(MESSAGES[language, kind]), language)) <= compositions(language, kind)


def test_a_past_due_open_thread_is_asked_about_in_the_facts_own_words() -> None:
    memory = ContactMemory((thread("el recital", due_days=-2, language="es"),))
    [first, *_] = texts(ANA, target(MESSAGES["es", "thanks"], category="thanks"), "es", memory)
    assert "el recital?" in first
    assert re.search(r"qué tal el recital|cómo te fue con el recital", first, re.IGNORECASE)


def test_an_upcoming_open_thread_gets_good_wishes() -> None:
    memory = ContactMemory((thread("the marathon plan", due_days=20, language="en"),))
    [first, *_] = texts(TOM, target(MESSAGES["en", "opinion"], category="opinion"), "en", memory)
    assert re.search(r"(luck|fingers crossed|the best) (with|for) the marathon plan", first, re.IGNORECASE)


def test_an_undated_open_thread_asks_how_it_is_going() -> None:
    memory = ContactMemory((thread("the marathon plan", due_days=None),))
    [first, *_] = texts(TOM, target(MESSAGES["en", "news"], category="news"), "en", memory)
    assert re.search(r"(how are things going|any news on|how is it going) (with )?the marathon plan", first,
                     re.IGNORECASE)


def test_interests_and_projects_are_followed_up_when_there_is_no_open_thread() -> None:
    memory = ContactMemory((interest("el huerto urbano"), interest("su podcast de historia", FactKind.PROJECT)))
    found = texts(ANA, target(MESSAGES["es", "question"], category="question"), "es", memory)
    assert any("huerto urbano" in text for text in found) and any("podcast de historia" in text for text in found)


def test_open_threads_come_before_interests_and_each_suggestion_can_pick_another() -> None:
    memory = ContactMemory((interest("jazz"), thread("the move to Lisbon", due_days=-1)))
    found = texts(TOM, target(MESSAGES["en", "compliment"], category="thanks"), "en", memory)
    assert "the move to Lisbon" in found[0]
    assert any("jazz" in text for text in found[1:])


def test_phrases_said_in_the_first_person_are_asked_about_in_the_second() -> None:
    english = ContactMemory((thread("Running my first marathon", due_days=-1, language="en"),))
    spanish = ContactMemory((thread("empiezo el curso de cerámica", due_days=3, language="es"),))
    assert "running your first marathon" in texts(TOM, target(MESSAGES["en", "thanks"], category="thanks"), "en",
                                                  english)[0]
    [first, *_] = texts(ANA, target(MESSAGES["es", "thanks"], category="thanks"), "es", spanish)
    assert "el curso de cerámica" in first and "empiezo" not in first


def test_a_phrase_that_cannot_be_turned_toward_them_is_left_out() -> None:
    memory = ContactMemory((thread("Me mudo a Lisboa", due_days=-3, language="es"),))
    assert set(texts(ANA, target(MESSAGES["es", "thanks"], category="thanks"), "es", memory)) <= compositions(
        "es", "thanks")
    assert texts(ANA, None, "es", memory) == []


def test_spanish_contracts_de_el_when_a_topic_starts_with_el() -> None:
    templates = copy.deepcopy(TEMPLATES)
    templates["es"]["follow_up"]["ongoing"] = ["¿Cómo va lo de {topic}?"]
    memory = ContactMemory((thread("El huerto", due_days=None),))
    found = drafter(templates).suggest(ANA, target(MESSAGES["es", "news"], category="news"), "es", memory)
    assert "¿Cómo va lo del huerto?" in found[0].text


@pytest.mark.parametrize("memory", [
    ContactMemory((Fact(FactKind.NOTE, "me debe dinero, no mencionarlo", "user", NOW),)),
    ContactMemory((thread("the trip to Rome", due_days=-200),)),  # stale
    ContactMemory((thread("the trip to Rome", due_days=None, said_days_ago=200),)),  # stale
    ContactMemory((thread("el viaje a Roma", due_days=-2, language="es"),)),  # another language
    ContactMemory((thread("a very long sentence that somebody said once about many different things at length",
                          due_days=-2),)),
    ContactMemory((interest("see https://shop.example"), interest("@bob's band"))),
])
def test_memory_that_is_private_stale_foreign_or_unquotable_is_never_mentioned(memory) -> None:
    found = texts(TOM, target(MESSAGES["en", "thanks"], category="thanks"), "en", memory)
    assert set(found) <= compositions("en", "thanks", "Tom")
    assert texts(TOM, None, "en", memory) == []


def test_no_follow_up_about_the_topic_the_message_is_already_about() -> None:
    memory = ContactMemory((thread("the marathon plan", due_days=-1),))
    found = texts(TOM, target("I finished the marathon yesterday!", category="news"), "en", memory)
    assert set(found) <= compositions("en", "news", "Tom", "I finished the marathon yesterday!")


def test_complaints_get_no_chatty_follow_up() -> None:
    memory = ContactMemory((thread("el recital", due_days=-2),))
    found = texts(ANA, target(MESSAGES["es", "complaint"], category="complaint"), "es", memory)
    assert set(found) <= compositions("es", "complaint")


@pytest.mark.parametrize(("language", "message"), [
    ("en", "are you a bot?"), ("en", "Is this automated?"), ("en", "Wait, am I talking to a bot?"),
    ("en", "r u human"), ("es", "¿Eres un bot?"), ("es", "¿esto es automático?"), ("es", "¿Eres humana?"),
    ("es", "¿Hablo con una IA?"),
])
def test_asking_if_it_is_a_bot_gets_an_honest_answer(language, message) -> None:
    memory = ContactMemory((thread("the marathon plan", due_days=-1),))
    found = texts(ANA, target(message, category="question"), language, memory)
    assert found
    for text in found:
        if language == "en":
            assert "I use a tool that helps me keep up with replies" in text
            assert "I read and approve every message myself" in text
        else:
            assert "uso una herramienta que me ayuda" in text and "lo leo y lo apruebo personalmente" in text
        assert not re.search(r"human|humano|humana|not a bot|no soy un bot|marathon", text, re.IGNORECASE)


@pytest.mark.parametrize("message", ["Mi proyecto es un bot de Telegram", "I built a bot for my club"])
def test_talking_about_bots_is_not_asking_if_we_are_one(message) -> None:
    assert not any("herramienta" in t or "tool" in t for t in texts(ANA, target(message), None))


def test_a_check_in_asks_about_an_open_thread_by_name() -> None:
    memory = ContactMemory((thread("la mudanza a Lisboa", due_days=-3, language="es"),))
    found = texts(ANA, None, "es", memory)
    assert found and all(text.startswith(("Hola", "¡Hola", "Ana")) and "la mudanza a Lisboa" in text for text in found)
    assert all("Ana" in text for text in found)


def test_a_check_in_falls_back_to_an_interest() -> None:
    found = texts(TOM, None, "en", ContactMemory((interest("urban gardening"),)))
    assert found and all("Tom" in text and "urban gardening" in text for text in found)


def test_no_check_in_without_something_to_ask_about() -> None:
    assert texts(ANA, None, "es", EMPTY_MEMORY) == []


def test_a_request_to_stop_gets_no_reply() -> None:
    assert texts(ANA, target("Deja de escribirme, por favor", category="opt_out"), "es") == []
    assert texts(ANA, target("please stop tagging me"), "en") == []


def test_the_same_message_always_gets_the_same_suggestions() -> None:
    memory = ContactMemory((thread("el recital", due_days=-2),))
    message = target(MESSAGES["es", "news"], "p-9", "news")
    assert texts(ANA, message, "es", memory) == texts(ANA, message, "es", memory)


def test_different_posts_get_different_replies() -> None:
    firsts = {texts(ANA, target(MESSAGES["en", "news"], f"p-{n}", "news"), "en")[0] for n in range(12)}
    assert len(firsts) >= 4


def test_suggestions_are_distinct_and_at_most_three() -> None:
    memory = ContactMemory((thread("el recital", due_days=-2), interest("la cerámica")))
    found = texts(ANA, target(MESSAGES["es", "opinion"], category="opinion"), "es", memory)
    assert len(found) == 3 and len(set(found)) == 3


def test_no_suggestion_ever_pitches() -> None:
    lexicon = load_lexicon()
    memories = [EMPTY_MEMORY, ContactMemory((thread("el recital", due_days=-2), interest("the pottery class"),
                                             thread("the marathon plan", due_days=9)))]
    outputs = [text for (language, kind), message in MESSAGES.items() for memory in memories for n in range(4)
               for text in texts(ANA, target(message, f"p-{n}", CATEGORY.get(kind, kind)), language, memory)]
    outputs += texts(ANA, None, "es", memories[1]) + texts(ANA, None, "en", memories[1])
    assert outputs
    for text in outputs:
        assert not PITCH_WORDS.search(text), text
        assert not classify(text, lexicon).pitch, text


@pytest.mark.parametrize("language", sorted(TEMPLATES))
def test_no_composition_of_the_packaged_templates_reads_as_a_pitch(language: str) -> None:
    """The pitch detector judges these replies more than anything else: any of them read as a
    pitch would be blocked for every new contact. Names include a handle's ("P12")."""
    lexicon = load_lexicon()
    kinds = TEMPLATES[language]["reply"]
    pitches = [text for kind in kinds for name in ("Ana", "P12", "lu", "Ximena")
               for text in compositions(language, kind, name) if classify(text, lexicon).pitch]
    assert pitches == []


def test_name_is_the_first_word_of_the_display_name_and_never_the_handle() -> None:
    """"@lu" would mention whoever is "lu" on the account's own Mastodon server."""
    nameless = Contact(id=9, account="demo", handle="lu@social.example")
    assert all("Ana" in t for t in texts(ANA, target(MESSAGES["es", "thanks"], category="thanks"), "es"))
    found = texts(nameless, target(MESSAGES["es", "thanks"], category="thanks"), "es")
    assert found and not any("@" in t or "lu" in t.split() for t in found), found


def test_language_tags_pick_the_templates_and_unknown_languages_get_english() -> None:
    message = target(MESSAGES["es", "thanks"], category="thanks")
    assert set(texts(ANA, message, "es-MX")) <= compositions("es", "thanks")
    assert set(texts(ANA, target("Obrigada pelo fio!", category="thanks"), "pt")) <= compositions("en", "thanks")


def test_without_a_language_tag_the_message_language_is_guessed() -> None:
    found = texts(ANA, target("¿Qué tal el huerto este año?", category="question"), None)
    assert set(found) <= compositions("es", "question", message="¿Qué tal el huerto este año?")


def test_an_extra_template_file_adds_variants_in_either_layout(tmp_path: Path) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text('[es.reply]\nthanks = ["¡Mil gracias, {name}!"]\n[en]\nthanks = ["Cheers, {name}!"]\n',
                     encoding="utf-8")
    templates = load_templates(extra)
    assert "¡Mil gracias, {name}!" in templates["es"]["reply"]["thanks"]
    assert "Cheers, {name}!" in templates["en"]["reply"]["thanks"]
    assert len(templates["es"]["reply"]["thanks"]) == len(TEMPLATES["es"]["reply"]["thanks"]) + 1


@pytest.mark.parametrize(("content", "message"), [
    ('[es.reply]\nthanks = ["Gracias, {nombre}"]\n', "unknown placeholder"),
    ('[es.reply]\nthanks = "Gracias"\n', "expected a list"),
    ('[es.saludo]\ndefault = ["Hola"]\n', "unknown section"),
    ("[es.reply\n", "invalid TOML"),
])
def test_a_broken_extra_template_file_is_a_config_error_naming_the_key(tmp_path: Path, content, message) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_templates(extra)


CHEER = re.compile(r"¡qué (?:bien|alegría|ilusión)|me alegra|great news|how lovely|so glad|lovely to hear|congrat",
                   re.IGNORECASE)
HEAVY = [
    ("es", "sad", "Ayer murió mi abuela; el funeral es el sábado.", ""),
    ("es", "sad", "Se nos han muerto las tomateras del balcón.", "jardinería triste"),
    ("es", "worried", "Mañana me operan de la rodilla y estoy bastante nerviosa.", ""),
    ("en", "sad", "Our old dog passed away this morning.", ""),
    ("en", "worried", "The biopsy results come on Friday and I'm scared.", ""),
    ("en", "sad", "Not a great week.", "death in the family"),
]


@pytest.mark.parametrize(("language", "tone", "text", "warning"), HEAVY)
def test_bad_news_and_worries_get_no_cheer_and_no_follow_up(language: str, tone: str, text: str, warning: str) -> None:
    memory = ContactMemory((thread("la maratón de Valencia" if language == "es" else "the Valencia marathon",
                                  due_days=-3, language=language),), NOW)
    news = ReplyTarget(interaction_id=1, post_id="p-9", text=text, thread=None, visibility="public",
                       spoiler_text=warning, category="news")
    replies = [s.text for s in drafter().suggest(ANA, news, language, memory)]
    assert replies
    for reply in replies:
        assert not CHEER.search(reply), reply
        assert "marat" not in reply.lower(), reply  # no race follow-up under a loss or a worry
        assert not reply.startswith(("¡", "Hi Ana!", "Hey", "Hello, Ana!")), reply  # a quiet greeting
    said = " ".join(replies).lower()
    kind_words = {"sad": ("siento", "sorry"), "worried": ("ánimo", "preocup", "hope", "worr", "fingers crossed",
                                                          "ojalá", "hang in")}[tone]
    assert any(word in said for word in kind_words), replies


def test_good_news_still_gets_its_congratulations() -> None:
    news = target("¡Por fin me han dado la plaza en el conservatorio!", category="news")
    replies = [s.text for s in drafter().suggest(ANA, news, "es", EMPTY_MEMORY)]
    assert any(CHEER.search(reply) for reply in replies), replies
