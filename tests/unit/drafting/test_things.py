"""The thing a statement names: a noun phrase that stops where the phrase does (at a verb, a
pronoun, an adverb, a contraction), and, without an article, a name, the subject before "is/es",
or a bare noun phrase after a preposition. Never a time word or a function word."""

from __future__ import annotations

import pytest

from bot.drafting.things import named_thing


@pytest.mark.parametrize(("language", "sentence", "thing"), [
    # Spanish adjectives said before the noun belong to the phrase.
    ("es", "Acabo de terminar mi primera gran carrera de montaña", "tu primera gran carrera de montaña"),
    ("es", "Para mí el mejor momento fue la cena", "el mejor momento"),
    # A question word ends the phrase; an article followed by "de" is no thing ("la del taller").
    ("es", "Tu guía sobre cómo empezar es muy útil", "mi guía"),
    ("es", "Soy la del puesto de cerámica de Teruel", "el puesto de cerámica de Teruel"),
    # Spanish adjectives and participles after the noun belong to it too; a verb does not.
    ("es", "El software libre va a ganar en las escuelas", "el software libre"),
    ("es", "Las tutorías semanales de grupo me salvaron", "las tutorías semanales de grupo"),
    ("es", "El taller abierto funciona muy bien", "el taller abierto"),
    ("es", "El huerto crece solo", "el huerto"),
    # Half of something is a quantity said before the noun.
    ("es", "Han cerrado medio departamento de ventas", "medio departamento de ventas"),
    # English: verbs, modals, pronouns, adverbs, numbers and contractions end the phrase.
    ("en", "My article on river pollution got published today", "your article on river pollution"),
    ("en", "My brother would love a copy", "your brother"),
    ("en", "The gallery cancelled the opening", "the gallery"),
    ("en", "Our funding wasn't extended", "your funding"),
    ("en", "That oak chair you made is lovely", "that oak chair"),
    ("en", "The quiet coffee still beats the loud party", "the quiet coffee"),
    ("en", "Thanks for the tip about my resume, two interviews already", "the tip about your resume"),
    ("en", "I have a job interview coming up", "the job interview"),
    ("en", "The craft market opens tomorrow", "the craft market"),
    ("es", "El mercado de artesanía abre el sábado", "el mercado de artesanía"),
    # "for a while" is time, "the one who" is no thing: the phrase after them is.
    ("en", "Been around for a while, I'm the one who teaches the pottery course", "the pottery course"),
])
def test_a_noun_phrase_stops_where_the_phrase_does(language: str, sentence: str, thing: str) -> None:
    assert named_thing(sentence, language) == thing


@pytest.mark.parametrize(("language", "sentence", "thing"), [
    ("en", "We said goodbye to Pepper this morning", "Pepper"),
    ("es", "Ayer nos despedimos de Canela para siempre", "Canela"),
    ("en", "Open offices are bad for focus", "open offices"),
    ("es", "Programar juntos es lo más útil", "programar juntos"),
    ("en", "Waiting on scan results next week", "scan results"),
    ("es", "Llevo días pensando sobre teletrabajo rural", "teletrabajo rural"),
])
def test_without_an_article_a_name_a_subject_or_what_follows_a_preposition(
        language: str, sentence: str, thing: str) -> None:
    assert named_thing(sentence, language) == thing


@pytest.mark.parametrize(("language", "sentence"), [
    ("en", "I'm up north in February"),  # a month is no name
    ("en", "Thinking of starting soon"),  # "-ing" after a preposition is an action
    ("es", "No me entero de nada"),
    ("es", "Estoy pensando en cambiar de aires"),  # "en" + a verb: no thing
    ("es", "Solo si tienes un rato"),
])
def test_time_words_nothing_and_actions_are_not_things(language: str, sentence: str) -> None:
    assert named_thing(sentence, language) is None
