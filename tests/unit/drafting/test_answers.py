"""Questions and requests are answered from the owner's profile or left as a visible slot, never
deflected; a reply responds to what was told before what was asked, and never answers a
question with a question."""

from __future__ import annotations

import re

import pytest

from bot.domain.about import About, AboutFact
from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget
from bot.domain.memory import EMPTY_MEMORY
from bot.domain.slots import needs_input
from bot.drafting.answers import same_word
from bot.drafting.reading import read
from bot.drafting.template import TemplateDrafter
from tests.fakes import FakeClock

ANA = Contact(id=7, account="demo", handle="ana@social.example", name="Ana Ruiz")
GARDEN = AboutFact("interest", "Tengo un huerto pequeño en la terraza.", keywords=("cultivar", "plantas"),
                   language="es")
SLIDES = AboutFact("resource", "Las diapositivas de la charla están aquí", url="https://me.example/charla",
                   keywords=("diapositivas",), language="es")
READING = AboutFact("resource", "This is the reading list I keep", url="https://me.example/reading",
                    keywords=("reading list",), language="en")
WORK = AboutFact("work", "Enseño biología en un instituto de Zaragoza.", language="es")
PROFILE = About((GARDEN, SLIDES, READING, WORK))
DEFLECTIONS = re.compile(
    r"get back to you|proper answer soon|let me (think|look)|te (contesto|respondo|digo algo)|lo miro"
    r"|d[ée]jame pensarlo|buena pregunta|good question|what'?s your take|t[uú] c[oó]mo lo ves", re.IGNORECASE)


def drafts(text: str, language: str, about: About = PROFILE, post: str = "p-1") -> list[str]:
    message = ReplyTarget(interaction_id=1, post_id=post, text=text, thread=None, visibility="public")
    drafter = TemplateDrafter(clock=FakeClock(), about=about)
    return [s.text for s in drafter.suggest(ANA, message, language, EMPTY_MEMORY)]


def test_a_question_the_profile_answers_is_answered_with_the_owners_own_words() -> None:
    found = drafts("Por fin cosechamos las calabazas del balcón. ¿Tú cultivas algo?", "es")
    assert found
    for text in found:
        assert "Tengo un huerto pequeño en la terraza." in text
        assert re.search(r"¡(Pues )?[Ss]í!", text)  # a yes/no question gets its yes
        assert not needs_input(text)


def test_a_request_for_a_resource_gets_its_link() -> None:
    found = drafts("Hola, vi tu charla sobre comunidades. ¿Podrías pasarme las diapositivas?", "es")
    assert found and all("https://me.example/charla" in t and "mi charla sobre comunidades" in t for t in found)


def test_an_english_question_is_answered_from_an_english_resource_only() -> None:
    found = drafts("Thanks for the thread on mutual aid networks! Do you keep a reading list?", "en")
    assert found and all("This is the reading list I keep: https://me.example/reading" in t for t in found)
    assert not any("huerto" in t or "Zaragoza" in t for t in found)


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Oye, ¿sabes de algún club de ciclismo tranquilo por Zaragoza?", "es",
     "[tu respuesta: club de ciclismo tranquilo por Zaragoza]"),
    ("Are you still looking for volunteers for the repair café?", "en",
     "[your answer: volunteers for the repair café]"),
    ("Do you keep a reading list?", "es", "[tu respuesta: reading list]"),  # the English fact is not for Spanish
    ("¿Me pasas la receta del bizcocho?", "es", "[tu respuesta: receta del bizcocho]"),
])
def test_what_nothing_in_the_profile_answers_is_left_as_a_slot_in_their_words(text, language, expected) -> None:
    found = drafts(text, language)
    assert found and all(expected in t for t in found), found


def test_a_word_in_common_by_chance_is_no_answer() -> None:
    """"Zaragoza" is in the work fact, but the question is about a cycling club: a slot, not a wrong answer."""
    found = drafts("¿Sabes de algún club de ciclismo por Zaragoza?", "es")
    assert all("biología" not in t and needs_input(t) for t in found)


def test_a_request_is_answered_by_a_resource_only() -> None:
    about = About((AboutFact("interest", "Me encanta la receta de bizcocho de mi abuela.", language="es"),))
    assert all(needs_input(t) for t in drafts("¿Me pasas la receta del bizcocho?", "es", about))


def test_without_a_profile_every_question_and_request_holds_a_slot_and_nothing_deflects() -> None:
    messages = [("¿Qué libro me recomiendas para empezar con la jardinería?", "es"),
                ("Which book would you recommend to get started with gardening?", "en"),
                ("¿Podrías pasarme las diapositivas?", "es"), ("Could you share the slides?", "en"),
                ("Do you keep a reading list?", "en"), ("¿Tú cultivas algo?", "es")]
    for text, language in messages:
        for post in range(6):
            for draft in drafts(text, language, About(), f"p-{post}"):
                assert needs_input(draft), draft
                assert not DEFLECTIONS.search(draft), draft
                assert "?" not in draft, draft  # no question answered with a question


def test_news_is_responded_to_by_name_before_the_question_is_answered() -> None:
    for post in range(6):
        for text in drafts("Por fin cosechamos las calabazas del balcón. ¿Tú cultivas algo?", "es", post=f"p-{post}"):
            assert text.index("las calabazas del balcón") < text.index("Tengo un huerto")
            assert "?" not in text[: text.index("Tengo un huerto")]


def test_their_news_is_named_and_turned_toward_them() -> None:
    assert read("I just finished my first marathon!", "en").thing == "your first marathon"
    assert read("Acabo de empezar un curso de cerámica", "es").thing == "el curso de cerámica"
    assert read("Vi tu charla sobre comunidades.", "es").thing == "mi charla sobre comunidades"
    assert read("El sábado expongo mis tomates en la feria.", "es").thing == "tus tomates en la feria"
    assert read("Gracias, me la leí en dos tardes.", "es").thing is None  # "la" there is no article


@pytest.mark.parametrize(("a", "b", "same"), [
    ("cultivas", "cultivar", True), ("slide", "slides", True), ("reading", "read", True),
    ("casa", "casado", False), ("list", "listen", False), ("plan", "planta", False),
])
def test_words_match_across_an_ending_only(a: str, b: str, same: bool) -> None:
    assert same_word(a, b) is same


def test_a_language_added_without_ack_or_answer_sections_still_answers_from_the_profile(tmp_path) -> None:
    from bot.drafting.template import load_templates

    extra = tmp_path / "fr.toml"
    timings = "\n".join(f'{t} = ["Et {{topic}} ?"]' for t in ("past", "upcoming", "ongoing", "interest"))
    extra.write_text(f'[fr.greeting]\ndefault = ["Salut {{name}} !"]\n[fr.reply]\nother = ["Merci !"]\n'
                     f'[fr.follow_up]\n{timings}\n[fr.check_in]\n{timings}\n', encoding="utf-8")
    potager = AboutFact("interest", "J'ai un petit potager sur le balcon.", keywords=("cultiver",), language="fr")
    message = ReplyTarget(interaction_id=1, post_id="p-1", text="Tu cultives quelque chose ?", thread=None,
                          visibility="public")
    drafter = TemplateDrafter(load_templates(extra), clock=FakeClock(), about=About((potager,)))
    found = [s.text for s in drafter.suggest(ANA, message, "fr", EMPTY_MEMORY)]
    assert found == ["Salut Ana ! J'ai un petit potager sur le balcon."]
