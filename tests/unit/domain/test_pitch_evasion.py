"""Spelling a pitch word out, or hiding characters inside it, does not hide the pitch; initials
and one-letter words in ordinary replies are not read as spelled-out words.

Each disguised offer is checked against the same offer written plainly: both are pitches, and
the rules find the same kinds of evidence in both. How the text is folded is pinned in
`test_normalize.py`.
"""

from __future__ import annotations

import pytest

from bot.domain.normalize import fold
from bot.domain.pitch import classify, load_lexicon

LEXICON = load_lexicon()

ZWSP, ZWJ, SHY = "\u200b", "\u200d", "\u00ad"  # zero-width space, zero-width joiner, soft hyphen

EVASIONS = [
    # (language, how, plain, disguised)
    ("en", "spaced letters", "Use promo code SPRING for 25% off everything, order today",
     "Use p r o m o code SPRING for 25% off everything, order today"),
    ("en", "dotted letters", "Big discount on annual plans this week only: $99, sign up here",
     "Big d.i.s.c.o.u.n.t on annual plans this week only: $99, sign up here"),
    ("en", "hyphenated letters", "Limited-time offer: two coaching sessions for $150, book your slot",
     "Limited-time o-f-f-e-r: two coaching sessions for $150, book your slot"),
    ("en", "zero-width space", "Members get a discount of 30% on the toolkit, grab yours before Friday",
     f"Members get a dis{ZWSP}count of 30% on the toolkit, grab yours before Friday"),
    ("en", "zero-width joiner", "Flash sale: every course at $19, enrol now",
     f"Flash s{ZWJ}a{ZWJ}l{ZWJ}e: every course at $19, enrol now"),
    ("en", "soft hyphen", "Exclusive discount for my followers: $10 off your first box, order now",
     f"Exclusive dis{SHY}count for my followers: $10 off your first box, order now"),
    ("en", "spaced look-alikes", "Start your free trial today, then $12 a month",
     "Start your f r \u0435 \u0435 trial today, then $12 a month"),  # Cyrillic е
    ("en", "small capitals", "Start your free trial today, then $12 a month",
     "Start your ꜰʀᴇᴇ trial today, then $12 a month"),
    ("en", "middle dots", "Promo for new clients: logo design from $80, message me",
     "p·r·o·m·o for new clients: logo design from $80, message me"),
    ("en", "spelled-out phrase", "Sign up today and save 15% on the bootcamp",
     "s i g n  u p  t o d a y and save 15% on the bootcamp"),
    ("es", "spaced letters", "oferta de lanzamiento: 2 sesiones por 60 €, reserva ya",
     "o f e r t a de lanzamiento: 2 sesiones por 60 €, reserva ya"),
    ("es", "dotted letters", "descuento del 40% solo este finde, compra en la web",
     "d.e.s.c.u.e.n.t.o del 40% solo este finde, compra en la web"),
    ("es", "hyphenated letters", "promo de verano: clases a 15 €, apúntate hoy",
     "p-r-o-m-o de verano: clases a 15 €, apúntate hoy"),
    ("es", "zero-width space", "descuento del 25% en todos los cursos, inscríbete ya",
     f"des{ZWSP}cuento del 25% en todos los cursos, inscríbete ya"),
    ("es", "zero-width joiner", "rebajas: zapatillas a 39 €, compra ya",
     f"reba{ZWJ}jas: zapatillas a 39 €, compra ya"),
    ("es", "soft hyphen", "envío gratis y 20% de descuento, pide el tuyo",
     f"envío gra{SHY}tis y 20% de des{SHY}cuento, pide el tuyo"),
    ("es", "spaced look-alikes", "oferta exclusiva: 3 meses por 9,99 €, suscríbete",
     "\u043e f \u0435 r t \u0430 exclusiva: 3 meses por 9,99 €, suscríbete"),  # Cyrillic о, е, а
    ("es", "small capitals with underscores", "oferta exclusiva: 3 meses por 9,99 €, suscríbete",
     "ᴏ_ғ_ᴇ_ʀ_ᴛ_ᴀ exclusiva: 3 meses por 9,99 €, suscríbete"),
    ("es", "spaced slashes", "promo para nuevos clientes: diseño de logo desde 80 €, escríbeme",
     "p / r / o / m / o para nuevos clientes: diseño de logo desde 80 €, escríbeme"),
]


def _kinds(text: str) -> set[str]:
    return {signal.kind for signal in classify(text, LEXICON).signals}


@pytest.mark.parametrize(
    ("language", "how", "plain", "disguised"), EVASIONS, ids=[f"{e[0]}: {e[1]}" for e in EVASIONS]
)
def test_a_disguised_pitch_word_reads_as_the_plain_one(language: str, how: str, plain: str, disguised: str) -> None:
    assert classify(plain, LEXICON).pitch
    assert classify(disguised, LEXICON).pitch
    assert _kinds(disguised) == _kinds(plain)


@pytest.mark.parametrize(
    ("language", "how", "plain", "disguised"), EVASIONS, ids=[f"{e[0]}: {e[1]}" for e in EVASIONS]
)
def test_a_disguised_offer_folds_to_the_words_of_the_plain_one(
    language: str, how: str, plain: str, disguised: str
) -> None:
    assert fold(disguised).words.split() == fold(plain).words.split()


def test_there_are_seven_kinds_of_evasion_in_each_language() -> None:
    for language in ("en", "es"):
        assert len({how for lang, how, _, _ in EVASIONS if lang == language}) >= 7


ORDINARY = [
    "Rereading J. R. R. Tolkien this winter; the map at the start is still my favourite part",
    "We land at 9 a.m. and the U.S.A. leg starts Monday, then the U.K. after that",
    "The options were a) b) or c), and I'd go with b every time",
    "Is it x-y-z or z-y-x? The e-mail from the self-made founder didn't say",
    "Plan A or B, it's fine by me: I just need the T-shirt size by Friday",
    "Leí a J. R. R. Tolkien en E.E.U.U., p. ej. El hobbit, y me encantó",
    "Voy a y vuelvo, tú y/o tu hermana esperad aquí a las 9 a.m.",
    "Entre a y b hay 3 km; o vas a pie o en bici, y si llueve e intentas correr, peor",
    "El plan a o b me da igual, pero la camiseta c/u la pagamos a medias",
    "Apunta la fórmula: x - y - z, y luego me cuentas qué te sale",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_initials_and_one_letter_words_in_ordinary_replies_are_not_a_pitch(text: str) -> None:
    assert not classify(text, LEXICON).pitch
