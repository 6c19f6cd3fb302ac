"""Asking for numbers (likes, shares, follows, subscribers) and offering one's own service are
pitches; the parts of the lexicon that tell them from ordinary talk: imperatives, clause ends,
weak signals that only count together, ordinary phrases."""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain.pitch import classify, load_lexicon
from tests.pitch_rules import RULES, kinds


@pytest.mark.parametrize("text", [
    "Subscribe!",
    "Come subscribe :)",
    "Like this post if you agree",
    "like if you remember the old forum",
    "Thumbs up if you're reading this on a train",
    "please give it a like",
    "Share my video please",
    "Follow me.",
    "like & subscribe",
    "Smash that like button",
    "Dale like si te gustó",
    "¡Suscríbete!",
    "dale like y comparte",
    "Sígueme 🙏",
    "Activa la campanita",
    "¡Comparte este vídeo!",
])
def test_asking_for_likes_shares_follows_or_subscribers_is_a_pitch(text: str) -> None:
    result = classify(text, RULES)
    assert result.pitch, text
    # "Share my video" is also self-promotion; either names the ask.
    assert kinds(text) & {"engagement_ask", "self_promotion"}


@pytest.mark.parametrize("text", [
    # The words without the ask: statements, not imperatives.
    "I like this comment a lot",
    "I gave it a like",
    "I just subscribed, the first issue was lovely",
    "Me gusta si es picante",
    # A comma keeps "like" a filler word.
    "Like, if you think about it, it works",
    # An imperative with an object that is not the writer's own.
    "Subscribe to the project's mailing list if you want release notes",
    "Share this video with your sister, she'd love it",
    "comparte este vídeo con tu madre",
    # An idiom, not "follow me".
    "Sígueme el rollo, que luego te cuento",
    # Thanking for a follow, and following up.
    "Thanks for the follow! Loved your thread on local history",
    "¡Gracias por el follow!",
    "I'll follow up on your question about rate limits on Monday",
])
def test_the_same_words_in_ordinary_talk_are_not_an_engagement_ask(text: str) -> None:
    assert "engagement_ask" not in kinds(text)
    assert not classify(text, RULES).pitch, text


def test_ordinary_phrases_are_hidden_from_the_word_model_too() -> None:
    lexicon = dataclasses.replace(
        RULES, model=dataclasses.replace(load_lexicon().model, weights={"follow": 9.0})
    )
    assert classify("Thanks for the follow", lexicon).signals == ()
    assert classify("please follow", lexicon).pitch


def test_a_percentage_discount_counts_once_not_also_as_a_bare_offer() -> None:
    text = "Me hicieron un 20% de descuento en la bici porque era el modelo del año pasado"
    assert kinds(text) == {"discount", "offer"}
    assert classify(text, RULES).score == RULES.weights["discount"]
    assert not classify(text, RULES).pitch


@pytest.mark.parametrize(("text", "quoted"), [
    ("Models from $180, with a warranty", "from $180"),
    ("tenemos modelos desde 180 € con garantía", "desde 180 €"),
    ("Clases a partir de 15 euros", "a partir de 15 euros"),
    ("Get the full pack for only $9", "for only $9"),
    ("Llévate el pack por solo 9,99 €", "por solo 9,99 €"),
])
def test_a_price_given_as_a_starting_point_is_a_price_list(text: str, quoted: str) -> None:
    signals = classify(text, RULES).signals
    assert ("pricing", quoted) in {(signal.kind, signal.text) for signal in signals}


def test_a_price_paid_is_not_a_price_list() -> None:
    assert kinds("The ticket was 50 euros, are you going?") == {"price"}


@pytest.mark.parametrize("text", [
    "The workshop is starting at 9am, for just a couple of hours",
    "Mi banco me cobra 5 euros al mes solo por existir",
    "Lo pregunto solo por curiosidad",
])
def test_bargain_words_without_an_amount_after_them_are_no_price_list(text: str) -> None:
    assert "pricing" not in kinds(text)


def test_a_run_of_currency_signs_is_a_price() -> None:
    assert "price" in kinds("Make $$$ while you sleep")


@pytest.mark.parametrize("text", [
    "I'm a certified sleep consultant, want me to pencil you in for a chat on Thursday?",
    "We roast a single-origin bean that would pair well with this. Mind if I send you a sample?",
    "Soy asesora de lactancia, si quieres te guardo un hueco esta semana y lo hablamos.",
    "Fabricamos cintas calefactoras para telescopios; si te interesa te mando una para que la pruebes.",
    # The trade named as a habit, and room made for the reader in ordinary words.
    "Lovely old wireless! I refurbish valve radios and could turn yours round by Friday.",
    "Cracked tiles again? That's the kind of job I do a lot, send me a photo and I'll tell you.",
    "We're a two-person mural crew and still have Saturday morning open if you haven't found anyone.",
    "Restauro relojes de pared; si quieres me paso el sábado y le echo un vistazo al tuyo.",
    "Qué pena lo del toldo. Tengo un taller de lonas en Getafe, tráelo y te lo miro sin prisa.",
])
def test_a_provider_offering_something_to_the_reader_is_a_pitch(text: str) -> None:
    assert {"provider", "offer_to_reader"} <= kinds(text)
    assert classify(text, RULES).pitch


@pytest.mark.parametrize("text", [
    # Each weak signal alone is ordinary talk.
    "I'm a designer too! Loved the colours in this one.",
    "Our team had the same debate and we ended up with a monorepo.",
    "Want me to send you the recipe? It's my grandmother's.",
    "Si quieres te paso el enlace de la noticia.",
    "I refurbish valve radios as a hobby, the smell of warm dust is half the fun.",
    "Could turn the heating down a notch, honestly, it's like a sauna in here.",
    "Restauro relojes de pared por afición, me relaja muchísimo.",
    # A would-be customer asking about the reader's work is not the writer's offer.
    "¿Tienes tarifas para encargos? Mándame un DM cuando puedas, me encantó tu cartel.",
])
def test_a_provider_or_an_offer_alone_is_not_a_pitch(text: str) -> None:
    assert len(kinds(text) & {"provider", "offer_to_reader"}) <= 1
    assert not classify(text, RULES).pitch


@pytest.mark.parametrize("text", [
    "El tren sale a las 8 y el billete cuesta 20 euros",
    "avisen cuándo sale la preventa del disco",
])
def test_the_spanish_verb_sale_is_not_the_english_sale_word(text: str) -> None:
    """Both languages' phrases are matched in every message, so an English term must not also
    be an everyday Spanish word: "sale" counts only in a sale context ("on sale", "flash sale")."""
    assert "offer" not in kinds(text)


def test_a_bare_sale_word_adds_nothing_to_a_discount() -> None:
    text = "Got 20% off my yarn order with the newsletter discount, finally bought the alpaca blend"
    assert kinds(text) == {"discount", "offer"}
    assert classify(text, RULES).score == RULES.weights["discount"]
