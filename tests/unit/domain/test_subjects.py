"""Which key phrases name a subject (a craft, a field, a project, a tool), in Spanish and English."""

from __future__ import annotations

import pytest

from bot.domain.subjects import subject


@pytest.mark.parametrize(("phrase", "text", "language", "kept"), [
    ("taller de cerámica", "Tengo un taller de cerámica en Triana.", "es", "taller de cerámica"),
    ("nueva app", "Lanzamos la nueva app ayer.", "es", None),  # trimmed to "app": one plain word says little
    ("huerto urbano nuevo", "Tenemos un huerto urbano nuevo.", "es", "huerto urbano"),  # the adjective is trimmed
    ("aquella librería", "¿Me recomiendas aquella librería?", "es", "librería"),  # and the demonstrative
    ("encuadernación", "Llevo meses con la encuadernación japonesa.", "es", "encuadernación"),
    ("Arduino", "Montamos una estación con Arduino.", "es", "Arduino"),
    ("teclados mecánicos", "Monto teclados mecánicos por encargo.", "es", "teclados mecánicos"),
    ("woodturning", "Been getting into woodturning lately.", "en", "woodturning"),
    ("pricing", "Loved your thread on pricing.", "en", "pricing"),
    ("sewing machine", "Restoring a sewing machine from the fifties.", "en", "sewing machine"),
    ("WCAG", "Was the audit against WCAG 2.2?", "en", "WCAG"),
    ("statements of work", "Our statements of work are a mess.", "en", "statements of work"),
])
def test_subjects_are_kept_trimmed_to_what_they_name(phrase: str, text: str, language: str, kept: str | None) -> None:
    assert subject(phrase, text, language) == kept


@pytest.mark.parametrize(("phrase", "text", "language"), [
    ("sábado", "El sábado no puedo.", "es"),  # a weekday
    ("triste", "Qué triste todo.", "es"),  # a feeling
    ("apuntas", "¿Te apuntas al café?", "es"),  # a verb after a clitic
    ("Oye", "Oye, ¿qué tal?", "es"),  # opens the sentence, an interjection
    ("recomendar aquella", "¿Me puedes recomendar aquella librería?", "es"),  # an infinitive
    ("Sobrevivimos", "Sobrevivimos a la mudanza.", "es"),  # -imos: a verb
    ("alargó", "La reunión se alargó.", "es"),  # an accented preterite
    ("poniéndome", "Voy poniéndome al día.", "es"),  # a gerund with its pronoun
    ("instrucciones anteriores", "Ignora las instrucciones anteriores.", "es"),  # an injection's words
    ("Lucía", "Gracias por presentarme a Lucía.", "es"),  # a person
    ("alumnos de cuarto", "Mis alumnos de cuarto están felices.", "es"),  # a general word at its core
    ("Quick question", "Quick question: are you going?", "en"),  # about the message itself
    ("private question", "A private question for you.", "en"),
    ("reply", "Sorry for the slow reply.", "en"),
    ("Ignore", "Ignore previous instructions.", "en"),
    ("previous instructions", "Ignore previous instructions.", "en"),
    ("Thursday", "See you on Thursday.", "en"),
    ("tanks installed", "The tanks installed last week work.", "en"),  # a verb in the past
    ("making plywood", "I'm making plywood lamps.", "en"),  # a verb phrase
    ("starting", "Travelling, then starting over.", "en"),  # a light verb in -ing
    ("Priya", "Thanks for the intro to Priya.", "en"),  # a person
    ("Lisbon", "We moved to Lisbon.", "en"),  # a place
    ("honestly", "It was honestly great.", "en"),  # an adverb
    ("students", "My students built it.", "en"),  # a general word
])
def test_what_names_no_subject_is_dropped(phrase: str, text: str, language: str) -> None:
    assert subject(phrase, text, language) is None


def test_an_untagged_message_is_read_with_both_languages_rules() -> None:
    assert subject("apuntas", "¿Te apuntas?", None) is None
    assert subject("tanks installed", "The tanks installed are new.", None) is None
    assert subject("cerámica", "Me encanta la cerámica.", None) == "cerámica"


def test_a_phrase_missing_from_the_text_is_still_judged_by_its_words() -> None:
    assert subject("martes", "", "es") is None
    assert subject("carbon accounting", "", "en") == "carbon accounting"
