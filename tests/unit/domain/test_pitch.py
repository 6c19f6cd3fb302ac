"""The commercial-pitch detector: what is a pitch, what is not, and the disguises it sees through.

The word model behind the rules, and the scores on the labelled sets, are in `test_pitch_model.py`.
"""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources

import pytest

from bot.domain.normalize import fold, fold_term
from bot.domain.pitch import PitchResult, Signal, classify, load_lexicon

LEXICON = load_lexicon()
# The rules alone, for tests that pin what a rule does whatever the trained model adds.
RULES_ONLY = dataclasses.replace(LEXICON, model=None)


def _kinds(text: str, lexicon=LEXICON) -> set[str]:
    return {signal.kind for signal in classify(text, lexicon).signals}


def _bold(text: str) -> str:
    """Mathematical sans-serif bold letters, as pasted from 'fancy text' generators."""
    return "".join(
        chr(0x1D5D4 + ord(c) - 65) if "A" <= c <= "Z"
        else chr(0x1D5EE + ord(c) - 97) if "a" <= c <= "z" else c
        for c in text
    )


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- what is and is not a pitch -------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Our app fixes exactly this. Plans from $29/month, book a demo: https://example.com/demo",
    "Nuestra app resuelve justo esto. Planes desde 29 €/mes, reserva una demo: https://example.com/demo",
])
def test_price_with_a_call_to_action_is_a_pitch(text: str) -> None:
    result = classify(text, LEXICON)
    assert result.pitch
    assert {"price", "call_to_action"} <= {signal.kind for signal in result.signals}


@pytest.mark.parametrize("text", ["DM me for pricing", "Escríbeme por privado y te paso precios"])
def test_asking_to_be_contacted_for_prices_is_a_pitch_on_its_own(text: str) -> None:
    result = classify(text, RULES_ONLY)
    assert result.pitch
    assert [signal.kind for signal in result.signals] == ["contact_for_price"]


@pytest.mark.parametrize("text", [
    "Everything in the shop is 40% off this week: https://shop.example.com",
    "Toda la tienda con un 40% de descuento esta semana: https://tienda.example.com",
])
def test_an_offer_with_a_link_is_a_pitch(text: str) -> None:
    assert classify(text, LEXICON).pitch


@pytest.mark.parametrize("text", [
    "The ticket was 50 euros, are you going?",
    "La entrada costaba 50 euros, ¿vas a ir?",
    "Free software is about freedom, not price.",
    "El software libre va de libertad, no de precio.",
    "I watched the demo of the new Zelda and it looks great.",
    "Vi la demo del nuevo Zelda y pinta genial.",
    "Compré tomates en el mercado, a 3 euros el kilo.",
    "Bought tomatoes at the market, $4 a pound.",
    "Fifty percent of the people I asked use Mastodon, 50% of them daily.",
    "El 50% de la gente que conozco no sabe qué es el fediverso.",
])
def test_ordinary_talk_about_money_and_shopping_is_not_a_pitch(text: str) -> None:
    assert not classify(text, LEXICON).pitch


@pytest.mark.parametrize("text", [
    "Here's the bug report: https://github.com/example/project/issues/12",
    "Aquí tienes el enlace a la charla: https://video.example.org/w/abc",
])
def test_a_link_alone_is_not_a_pitch(text: str) -> None:
    result = classify(text, LEXICON)
    assert not result.pitch
    assert [signal.kind for signal in result.signals] == ["link"]


@pytest.mark.parametrize("text", [
    "The meetup is free, sign up here if you're coming",
    "El meetup es gratis, apúntate aquí si vienes",
])
def test_signing_up_for_a_free_community_event_is_not_a_pitch(text: str) -> None:
    assert not classify(text, LEXICON).pitch


@pytest.mark.parametrize("text", [
    "@shopnow@example.social thanks, see you there",
    "@compraya@example.social gracias, nos vemos",
])
def test_a_mention_of_an_account_is_not_read_as_a_call_to_action(text: str) -> None:
    assert classify(text, LEXICON).signals == ()


# --- disguises ----------------------------------------------------------------------------------

DISGUISES = [
    # (name, plain, disguised)
    ("spaced letters", "buy now for $49", "b u y  n o w for $49"),
    ("spaced letters", "compra ya por 49€", "c o m p r a  y a por 49€"),
    ("dotted letters", "book a demo, plans from $29", "b.o.o.k a d.e.m.o, plans from $29"),
    ("dotted letters", "reserva una demo, planes desde 29€", "r.e.s.e.r.v.a una d.e.m.o, planes desde 29€"),
    ("zero-width characters", "book a demo, plans from $29",
     "bo\u200bok a de\u200dmo, plans from $29"),
    ("zero-width characters", "reserva una demo, planes desde 29€",
     "res\u200berva una de\u2060mo, planes desde 29€"),
    ("soft hyphens", "subscribe to my channel", "sub\u00adscribe to my chan\u00adnel"),
    ("soft hyphens", "suscríbete a mi canal", "suscrí\u00adbete a mi ca\u00adnal"),
    ("bold letters", "DM me for pricing", _bold("DM me for pricing")),
    ("bold letters", "pregunta precios por MD", _bold("pregunta precios por MD")),
    ("full-width forms", "book a demo, plans from $29", _full_width("book a demo, plans from $29")),
    ("full-width forms", "reserva una demo, planes desde 29€",
     _full_width("reserva una demo, planes desde") + " 29€"),
    ("digits for letters", "hire me, DM for rates", "h1re me, DM for r4tes"),
    ("digits for letters", "contrátame, te paso tarifas por MD",
     "c0ntrátame, te p4so t4rifas por MD"),
    ("digits for letters", "mitad de precio, te lo paso por privado",
     "m1t4d d3 pr3c10, t3 lo p4so por privado"),
    ("currency symbols as letters", "free trial, sign up today", "fr€€ tri@l, $ign up today"),
    ("currency symbols as letters", "envío gratis, inscríbete ya", "envío gr@ti$, inscríb€t€ ya"),
    ("look-alike letters", "sign up now for 30% off", "sіgn uр nоw for 30% off"),  # Cyrillic і, р, о
    ("look-alike letters", "inscríbete ya con 30% de descuento",
     "іnscrіbete yа con 30% de descuento"),
    ("accents and capitals", "inscribete ya, plazas limitadas", "INSCRÍBETE YA, PLAZAS LIMITADAS"),
    ("accents and capitals", "book a demo today, plans from $29",
     "BÓOK A DÉMO TODAY, PLANS FROM $29"),
]


@pytest.mark.parametrize(
    ("name", "plain", "disguised"), DISGUISES, ids=[f"{d[0]}: {d[1]}" for d in DISGUISES]
)
def test_disguises_do_not_hide_a_pitch(name: str, plain: str, disguised: str) -> None:
    assert classify(plain, LEXICON).pitch
    assert classify(disguised, LEXICON).pitch
    assert _kinds(disguised) == _kinds(plain)


@pytest.mark.parametrize(("text", "words"), [
    ("m1t4d d3 pr3c10", "mitad de precio"),
    ("4k video, 3d print, 5g plan", "4k video, 3d print, 5g plan"),
    ("2x1 en 24h por $49", "2x1 en 24h por $49"),
    # A few short words start with a digit; sizes and counts do not turn into them.
    ("l1nk 1n my b1o", "link in my bio"),
    ("d3tails 0n the site", "details on the site"),
    ("₱ersonal training", "personal training"),
    ("my 4k tv and 3d glasses, 1s later", "my 4k tv and 3d glasses, 1s later"),
])
def test_digits_read_as_letters_only_inside_words(text: str, words: str) -> None:
    assert fold(text).words == words


@pytest.mark.parametrize("text", ["b.u.y n.o.w $49", "c.o.m.p.r.a y.a 49€"])
def test_spaced_letters_do_not_hide_buy_now(text: str) -> None:
    assert "purchase" in _kinds(text)


@pytest.mark.parametrize(("text", "words"), [
    # Dots mark the letters of one word, so a plain space between dotted runs ends a word.
    ("e.m.a.i.l m.e f.o.r p.r.i.c.e.s", "email me for prices"),
    ("p.i.d.e-m.e p.r.e.c.i.o", "pideme precio"),
    # With spaces alone, single spaces join letters and wider gaps end words.
    ("c o m p r a  y a", "compra ya"),
])
def test_dotted_runs_keep_their_word_breaks(text: str, words: str) -> None:
    assert fold(text).words == words


@pytest.mark.parametrize("text", ["great deals here: bit.ly/3xYz9Q", "las mejores ofertas: tinyurl.com/abc987"])
def test_link_shorteners_are_a_signal(text: str) -> None:
    assert "shortener" in _kinds(text)


def test_an_affiliate_query_parameter_marks_the_link_as_affiliate() -> None:
    assert "affiliate" in _kinds("this one: https://store.example.com/item/12?tag=myname-20")


def test_a_percentage_next_to_an_amount_of_digits_read_as_letters_is_still_a_discount() -> None:
    assert "discount" in _kinds("everything 40% 0ff")


@pytest.mark.parametrize("text", [
    "If you want one, I have a discount code for the chair I use.",
    "Si quieres una, tengo un código de descuento para la silla que uso.",
])
def test_having_a_discount_code_to_pass_on_is_an_affiliate_signal(text: str) -> None:
    assert "affiliate" in _kinds(text, RULES_ONLY)


@pytest.mark.parametrize(("text", "kinds"), [
    ("The tool I work for is running a promo for new accounts",
     {"product", "discount", "sales_terms"}),
    ("La herramienta donde trabajo tiene una promo para cuentas nuevas",
     {"product", "offer", "sales_terms"}),
])
def test_naming_the_product_one_works_on_and_courting_newcomers_are_signals(
    text: str, kinds: set[str]
) -> None:
    assert _kinds(text, RULES_ONLY) == kinds


# --- the owner's config -------------------------------------------------------------------------


def test_a_link_to_a_configured_commercial_domain_is_a_commercial_link() -> None:
    lexicon = load_lexicon(commercial_domains=["https://www.acme-tools.example/"])
    result = classify("see https://shop.acme-tools.example/plans", lexicon)
    assert Signal("commercial_link", "https://shop.acme-tools.example/plans") in result.signals


def test_a_configured_commercial_domain_is_found_without_a_scheme_whatever_its_ending() -> None:
    lexicon = load_lexicon(commercial_domains=["acme.tools"])
    assert "commercial_link" in _kinds("pricing is on acme.tools/pricing", lexicon)


def test_a_configured_product_name_is_a_product_signal() -> None:
    lexicon = load_lexicon(products=["FlowPilot Pro"])
    assert "product" in _kinds("have you tried flowpilot-pro yet?", lexicon)


def test_an_extra_term_from_config_is_enough_for_a_pitch() -> None:
    lexicon = load_lexicon(extra_terms=["grab the bundle"])
    result = classify("Grab the bundle before Friday", lexicon)
    assert result.pitch
    assert Signal("extra_term", "grab the bundle") in result.signals


def test_an_extra_term_may_name_its_kind() -> None:
    lexicon = load_lexicon(extra_terms=["purchase:llévatelo hoy"])
    assert "purchase" in _kinds("Llévatelo hoy", lexicon)


# --- the result ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es-MX", None])
def test_the_result_reports_the_language_it_was_given(language: str | None) -> None:
    assert classify("hello there", LEXICON, language).language == language


@pytest.mark.parametrize(("text", "tag"), [
    ("Escríbeme por privado y te paso precios", "en"),
    ("DM me for pricing", "es"),
])
def test_both_languages_are_checked_whatever_the_tag(text: str, tag: str) -> None:
    assert classify(text, LEXICON, tag).pitch


def test_to_dict_has_the_cli_json_shape() -> None:
    result = classify("Only $49! Book a demo", RULES_ONLY, "en")
    assert result.to_dict("m1") == {
        "id": "m1",
        "pitch": True,
        "score": result.score,
        "language": "en",
        "signals": [{"kind": "call_to_action", "text": "book a demo"}, {"kind": "price", "text": "$49"}],
    }
    assert "id" not in result.to_dict()


@pytest.mark.parametrize("text", ["", "hola", "Only $49! Book a demo", "DM me for pricing, 50% off, bit.ly/x"])
def test_the_score_is_between_0_and_1_with_two_decimals(text: str) -> None:
    score = classify(text, LEXICON).score
    assert 0.0 <= score <= 1.0
    assert score == round(score, 2)


def test_a_pitch_result_is_immutable() -> None:
    result = classify("DM me for pricing", LEXICON)
    assert isinstance(result, PitchResult)
    with pytest.raises(AttributeError):
        result.pitch = False  # type: ignore[misc]


# --- the data file ------------------------------------------------------------------------------


def _data_file() -> dict:
    packaged = resources.files("bot.domain").joinpath("data/pitch_terms.toml")
    return tomllib.loads(packaged.read_text("utf-8"))


def test_every_signal_kind_in_the_data_file_has_a_weight() -> None:
    data = _data_file()
    kinds = {kind for terms in data["terms"].values() for kind in terms}
    kinds |= {frame["kind"] for frame in data["frame"]}
    kinds |= {"price", "link", "shortener", "storefront", "commercial_link", "affiliate", "sponsored"}
    assert kinds - set(data["weights"]) == set()


def test_each_phrase_in_the_data_file_is_listed_once_per_language() -> None:
    """All lists load into one table, so a phrase filed under a second kind silently takes that
    kind's weight ("te cotizo" as a mere offer rather than asking to be contacted for a price),
    and a second listing under the same kind is dead weight."""
    listed: dict[tuple[str, str], list[str]] = {}
    kinds_of: dict[str, set[str]] = {}
    for language, terms in _data_file()["terms"].items():
        for kind, phrases in terms.items():
            for phrase in phrases:
                key = fold_term(phrase)
                listed.setdefault((language, key), []).append(kind)
                kinds_of.setdefault(key, set()).add(kind)
    assert {key: kinds for key, kinds in listed.items() if len(kinds) > 1} == {}
    assert {key: kinds for key, kinds in kinds_of.items() if len(kinds) > 1} == {}


@pytest.mark.parametrize("text", [
    "Check out my channel and subscribe, DM me for prices",
    "dm me dm me for rates please, and like if you agree",
    "Escríbeme por privado y te paso precios; mira mi canal y suscríbete",
    "i i i we we do weddings for couples, send me your dates",
    "Nothing here at all, just a quiet evening",
])
def test_frames_tried_only_where_one_can_begin_find_what_a_full_scan_finds(text: str) -> None:
    from bot.domain.pitch import _frame_matches, _readable

    words = _readable(fold(text).words, LEXICON)
    assert LEXICON.frames is not None
    expected = [(m.span(), m.lastgroup) for m in LEXICON.frames.finditer(words)]
    assert [(m.span(), m.lastgroup) for m in _frame_matches(words, LEXICON)] == expected
