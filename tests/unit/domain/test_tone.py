"""Reading the tone of a message, in Spanish and English, content warning included."""

from __future__ import annotations

import pytest

from bot.domain.tone import Tone, read_tone


@pytest.mark.parametrize(("text", "tone"), [
    ("Se me han muerto las tomateras, todas. Tanto cuidarlas para nada", Tone.SAD),
    ("Ayer falleció mi abuela. Gracias por estar ahí", Tone.SAD),
    ("Hemos perdido a nuestro perro esta mañana 💔", Tone.SAD),
    ("Me han despedido después de ocho años", Tone.SAD),
    ("Qué pena, al final cancelaron el festival", Tone.SAD),
    ("My dad passed away on Sunday", Tone.SAD),
    ("I was laid off this morning along with half the team", Tone.SAD),
    ("Sadly the launch got cancelled", Tone.SAD),
    ("Estoy muy preocupada, mi padre sigue en el hospital", Tone.WORRIED),
    ("Mañana me operan de la rodilla y estoy hecha un manojo de nervios", Tone.WORRIED),
    ("Really nervous about the interview tomorrow", Tone.WORRIED),
    ("Waiting on the biopsy results, fingers crossed", Tone.WORRIED),
    ("Tres semanas esperando y la app sigue sin funcionar. Harta.", Tone.COMPLAINT),
    ("Qué vergüenza de servicio, nunca más", Tone.COMPLAINT),
    ("Still waiting for my refund, this is ridiculous", Tone.COMPLAINT),
    ("I'm fed up with this bank", Tone.COMPLAINT),
    ("¡Aprobé la oposición! 🎉", Tone.HAPPY_NEWS),
    ("Buenas noticias: nos casamos en junio", Tone.HAPPY_NEWS),
    ("I got the job!!", Tone.HAPPY_NEWS),
    ("So happy to share that our shop opens on Monday", Tone.HAPPY_NEWS),
    ("Acabo de publicar un artículo sobre precios para consultoras", Tone.NEUTRAL),
    ("What do you think about pricing per project?", Tone.NEUTRAL),
])
def test_the_tone_of_a_message_is_read_in_both_languages(text: str, tone: Tone) -> None:
    assert read_tone(text) is tone


def test_sad_news_wins_over_happy_words_in_the_same_message() -> None:
    assert read_tone("Good news, I finished the course. Sadly my grandmother died before she could see it") is Tone.SAD
    assert read_tone("¡Qué alegría veros! Aunque mi perro murió la semana pasada") is Tone.SAD


@pytest.mark.parametrize("text", [
    "No worries at all, take your time",
    "No te preocupes, no corre prisa",
    "I'm not worried about it",
    "No estoy nada preocupada, de verdad",
    "Vale la pena probarlo",
    "Estoy muerta, vaya semana de reuniones",  # tired, not a death
    "That setup is dead simple",
    "¡Feliz Navidad a todo el equipo!",  # a greeting, not news
    "Highly engaged community of founders and coaches",
])
def test_negations_and_set_phrases_are_not_cues(text: str) -> None:
    assert read_tone(text) is Tone.NEUTRAL


def test_a_content_warning_counts_as_part_of_the_message() -> None:
    assert read_tone("Las tomateras no han aguantado el granizo", "Malas noticias") is Tone.SAD
    assert read_tone("The tomatoes did not make it", "sad news") is Tone.SAD
    assert read_tone("Long thread, sorry", "cw: death, grief") is Tone.SAD
    assert read_tone("Un hilo largo sobre estas semanas", "salud mental") is Tone.SAD


def test_a_worry_behind_a_heavy_warning_stays_a_worry() -> None:
    assert read_tone("Tomorrow they operate on my mum, I'm so scared", "cw: hospital") is Tone.WORRIED


def test_a_content_warning_about_a_light_subject_leaves_the_tone_to_the_text() -> None:
    assert read_tone("¡Aprobé el examen de conducir! 🥳", "comida") is Tone.HAPPY_NEWS
    assert read_tone("Thoughts on the new season", "spoilers") is Tone.NEUTRAL


def test_accents_capitals_and_typographic_apostrophes_do_not_hide_a_cue() -> None:
    assert read_tone("FALLECIÓ ayer") is Tone.SAD
    assert read_tone("It doesn’t work, again") is Tone.COMPLAINT
    assert read_tone("Don’t worry about it") is Tone.NEUTRAL


@pytest.mark.parametrize(("tone", "heavy"), [
    (Tone.SAD, True), (Tone.WORRIED, True), (Tone.COMPLAINT, True), (Tone.HAPPY_NEWS, False), (Tone.NEUTRAL, False),
])
def test_heavy_tones_are_loss_worry_and_grievance(tone: Tone, heavy: bool) -> None:
    assert tone.heavy is heavy


@pytest.mark.parametrize("text", ["My dad is in hospital again, waiting for news",
                                  "Mi abuela sigue ingresada en el hospital", "Llevaron a mi hermano al hospital"])
def test_someone_in_hospital_is_a_worry(text: str) -> None:
    assert read_tone(text) is Tone.WORRIED


@pytest.mark.parametrize("text", ["We just signed a hospital group as our first customer!",
                                  "¡Hemos cerrado el contrato con un hospital de Zaragoza!"])
def test_a_hospital_as_a_client_or_a_place_is_no_worry(text: str) -> None:
    assert read_tone(text) is not Tone.WORRIED
