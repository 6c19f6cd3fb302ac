"""What kind of message a person sent, in Spanish and English; a request to stop wins over all."""

from __future__ import annotations

import pytest

from bot.domain.categories import Category, categorize, is_opt_out, is_request

OPT_OUTS = [
    "stop",
    "STOP.",
    "Stop!",
    "unsubscribe",
    "Please unsubscribe me from this",
    "leave me alone",
    "please don't message me again",
    "Stop messaging me, thanks",
    "I want to opt out",
    "no me escribas más",
    "No me menciones, por favor",
    "para ya",
    "¡Basta ya!",
    "PARA",
    "Para ya de etiquetarme en todo",
    "déjame en paz",
    "Dejadme en paz de una vez",
    "dejad de mencionarme",
    "Deja de escribirme",
    "No quiero recibir más mensajes",
    "¿Cómo me puedo dar de baja? Quiero darme de baja",
]

NOT_OPT_OUTS = [
    "I can't stop laughing",
    "Don't stop believing!",
    "la parada del bus",
    "para mí es lo mejor",
    "Lo compré para mi hermana",
    "We need to stop climate change",
    "Leave the door open, I'll be back",
    # an exclamation about someone else, at the end of a complaint: answered, not obeyed
    "Otra vez un cliente pidiendo cuarenta páginas para mañana a precio de risa. Basta ya.",
    "Cada semana cierran otra librería del barrio, para ya con tanto alquiler turístico",
]


@pytest.mark.parametrize("text", OPT_OUTS)
def test_request_to_stop_is_an_opt_out(text: str):
    assert is_opt_out(text) is True
    assert categorize(text) is Category.OPT_OUT


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_everyday_words_stop_or_para_are_not_an_opt_out(text: str):
    assert is_opt_out(text) is False
    assert categorize(text) is not Category.OPT_OUT


def test_stop_after_a_mention_is_an_opt_out():
    assert categorize("@me@sandbox.example STOP") is Category.OPT_OUT


def test_dont_message_me_with_a_typographic_apostrophe_is_an_opt_out():
    assert is_opt_out("Please don’t message me again") is True


def test_no_me_vuelvas_a_escribir_is_an_opt_out():
    assert is_opt_out("No me vuelvas a escribir") is True


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What tools do you use for composting?", Category.QUESTION),
        ("¿Qué herramientas usas para compostar?", Category.QUESTION),
        ("how do you keep the tomatoes alive", Category.QUESTION),
        ("Cómo haces para que no se mueran los tomates", Category.QUESTION),
        ("Thanks for sharing this!", Category.THANKS),
        ("¡Muchas gracias por compartirlo!", Category.THANKS),
        ("Great thread, well said", Category.THANKS),
        ("Me encanta este hilo", Category.THANKS),
        ("I just started a new job at the library", Category.NEWS),
        ("Acabo de empezar en un trabajo nuevo", Category.NEWS),
        ("We're moving to Valencia next week", Category.NEWS),
        ("Este finde corro mi primera media maratón", Category.NEWS),
        ("The app is broken again, really disappointed", Category.COMPLAINT),
        ("La app no funciona otra vez, qué horrible", Category.COMPLAINT),
        ("I think federated networks are the future", Category.OPINION),
        ("Creo que las redes federadas son el futuro", Category.OPINION),
    ],
)
def test_message_shape_gives_its_category(text: str, expected: Category):
    assert categorize(text) is expected


@pytest.mark.parametrize(
    "text",
    ["Check out my course, link in bio", "Mira mi curso, enlace en la bio", "This is broken, buy mine instead"],
)
def test_pitch_flag_makes_any_message_a_pitch(text: str):
    assert categorize(text, is_pitch=True) is Category.PITCH


@pytest.mark.parametrize("text", ["STOP", "unsubscribe", "déjame en paz", "no me escribas más"])
def test_opt_out_wins_over_the_pitch_flag(text: str):
    assert categorize(text, is_pitch=True) is Category.OPT_OUT


def test_complaint_wins_over_question_mark():
    assert categorize("Why is this broken again?") is Category.COMPLAINT
    assert categorize("¿Por qué no funciona otra vez?") is Category.COMPLAINT


def test_category_values_are_stable_names():
    assert [c.value for c in Category] == [
        "opt_out", "pitch", "question", "request", "thanks", "complaint", "news", "opinion",
    ]


@pytest.mark.parametrize("text", [
    "¿Podrías pasarme las diapositivas?",
    "Hola, ¿me pasas el enlace de la charla?",
    "¿Puedes compartir la grabación?",
    "Mándame la receta cuando puedas",
    "¿Dónde puedo encontrar el vídeo?",
    "Could you share the slides?",
    "Can you send me the link to the recording?",
    "Please send the reading list!",
    "Where can I find the video of your talk?",
    "Would you mind sharing your notes?",
])
def test_requests_are_their_own_class_in_both_languages(text: str):
    assert categorize(text) is Category.REQUEST
    assert is_request(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Do you keep a reading list?", Category.QUESTION),  # asks about them, asks for nothing to be sent
    ("¿Sabes de algún club de ciclismo por Zaragoza?", Category.QUESTION),
    ("I shared the slides with my team", Category.OPINION),
    ("Déjame en paz", Category.OPT_OUT),  # "déjame" is no request to send something
    ("Can you send me the link? It doesn't work", Category.COMPLAINT),
])
def test_what_is_not_a_request(text: str, expected: Category):
    assert categorize(text) is expected
