"""Each person's copy of an announcement: about them first, the news, then how to stop these."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.announcements import ends_with_opt_out
from bot.domain.categories import is_opt_out
from bot.domain.contacts import Contact
from bot.domain.memory import EMPTY_MEMORY, ContactMemory, Fact, FactKind
from bot.drafting.announcement import OPT_OUT_LINES, compose

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
ANA = Contact(id=1, account="demo", handle="ana@es.example", name="Ana López")
NEWS = {"es": "Empiezo un trabajo nuevo en enero.", "en": "I'm starting a new job in January."}


def _memory(*facts: Fact) -> ContactMemory:
    return ContactMemory(facts)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_message_ends_with_an_opt_out_line_in_their_language_that_says_stop(lang: str) -> None:
    text = compose(ANA, EMPTY_MEMORY, NEWS[lang], lang, NOW)
    assert text.endswith(OPT_OUT_LINES[lang]) and ends_with_opt_out(text)
    assert NEWS[lang] in text
    # What the line asks them to answer is what the opt-out rule recognises.
    assert is_opt_out("stop") and is_opt_out("@me stop")


def test_a_plan_whose_day_went_by_opens_the_message_in_spanish() -> None:
    race = Fact(FactKind.OPEN_THREAD, "la maratón de Valencia", "message:1", NOW - timedelta(days=10), "es",
                due=NOW - timedelta(days=3))
    text = compose(ANA, _memory(race), NEWS["es"], "es", NOW)
    assert text.startswith("Hola Ana, ¿qué tal fue la maratón de Valencia? Por cierto, quería contarte una cosa:")


def test_a_known_interest_opens_the_message_in_english() -> None:
    pottery = Fact(FactKind.INTEREST, "pottery", "hashtag", NOW, "en")
    text = compose(ANA, _memory(pottery), NEWS["en"], "en", NOW)
    assert text.startswith("Hi Ana, since I know you're into pottery, I wanted to tell you myself.")


def test_the_interest_that_matched_the_topic_is_the_one_named() -> None:
    facts = _memory(Fact(FactKind.INTEREST, "montaña", "hashtag", NOW, "es"),
                    Fact(FactKind.INTEREST, "cerámica", "hashtag", NOW - timedelta(days=1), "es"))
    text = compose(ANA, facts, NEWS["es"], "es", NOW, interests=["cerámica"])
    assert "te interesa cerámica" in text and "montaña" not in text


def test_without_a_plain_name_or_memory_it_still_greets_them_and_never_uses_a_handle() -> None:
    nameless = Contact(id=2, account="demo", handle="x@es.example", name="🌱 x.example")
    text = compose(nameless, EMPTY_MEMORY, NEWS["es"], "es", NOW)
    assert text.startswith("Hola, quería contártelo a ti directamente.") and "@" not in text


def test_a_language_the_product_does_not_speak_gets_english() -> None:
    text = compose(ANA, EMPTY_MEMORY, NEWS["en"], "pt-BR", NOW)
    assert text.endswith(OPT_OUT_LINES["en"])
