"""The commercial-pitch detector: what is a pitch, what is not, and the disguises it sees through."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from bot.domain.pitch import (
    PitchLexicon, PitchModel, PitchResult, Signal, classify, load_lexicon, model_features,
)

LEXICON = load_lexicon()
# The rules alone, for tests that pin what a rule does whatever the trained model adds.
RULES_ONLY = dataclasses.replace(LEXICON, model=None)
PROJECT = Path(__file__).resolve().parents[3]
LABELLED = Path(__file__).resolve().parents[2] / "data"
LANGUAGES = ("en", "es")


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


@pytest.mark.parametrize("text", ["b.u.y n.o.w $49", "c.o.m.p.r.a y.a 49€"])
def test_spaced_letters_do_not_hide_buy_now(text: str) -> None:
    assert "purchase" in _kinds(text)


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


# --- the word model -----------------------------------------------------------------------------


def _with_model(weights: dict[str, float]) -> PitchLexicon:
    """The rules plus a hand-made model: a message with none of its words has probability 0.12,
    and the model alone calls a pitch from 0.7."""
    model = PitchModel(weights=weights, bias=-2.0, threshold=0.7, floor=0.15)
    return dataclasses.replace(RULES_ONLY, model=model)


def test_the_packaged_word_model_is_loaded() -> None:
    model = LEXICON.model
    assert model is not None
    assert len(model.weights) >= 1000
    assert 0.0 < model.threshold < 1.0
    assert 0.0 < model.floor < LEXICON.threshold


def test_the_packaged_word_model_is_part_of_the_installed_package() -> None:
    """Without it a wheel (the container's install) would run on the rules alone, silently."""
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["bot"]
    assert any(fnmatch.fnmatch("domain/data/pitch_model.json", pattern) for pattern in patterns)


def test_model_evidence_alone_can_make_a_pitch() -> None:
    result = classify("zorblax zorblax!", _with_model({"zorblax": 4.0}))
    assert result.pitch
    assert result.signals == (Signal("model", "zorblax"),)


def test_weak_model_evidence_adds_to_a_rule_signal_that_is_not_enough_alone() -> None:
    lexicon = _with_model({"zorblax": 1.9})
    assert not classify("zorblax", lexicon).pitch
    assert not classify("The ticket was 50 euros", lexicon).pitch
    result = classify("Zorblax, the ticket was 50 euros", lexicon)
    assert result.pitch
    assert {signal.kind for signal in result.signals} == {"price", "model"}


def test_model_evidence_under_its_floor_is_ignored() -> None:
    result = classify("zorblax, the ticket was 50 euros", _with_model({"zorblax": 0.5}))
    assert result == classify("zorblax, the ticket was 50 euros", RULES_ONLY)


def test_words_a_rule_has_matched_do_not_count_again_for_the_model() -> None:
    result = classify("Subscribe", _with_model({"subscribe": 4.0}))
    assert not result.pitch
    assert [signal.kind for signal in result.signals] == ["subscription"]


@pytest.mark.parametrize("text", [
    "Your garden is looking amazing this year.",
    "Tu jardín está precioso este año.",
])
def test_a_text_with_neither_rule_nor_model_evidence_is_not_a_pitch(text: str) -> None:
    result = classify(text, LEXICON)
    assert (result.pitch, result.score, result.signals) == (False, 0.0, ())
    # Words the model does not know are no evidence either way.
    assert classify(text, _with_model({"zorblax": 4.0})).signals == ()


def test_the_word_model_never_reads_links_or_amounts() -> None:
    features = model_features("See https://shop.example.com/buy-now for $49 now", LEXICON)
    assert features == ["see", "for", "now", "see for", "for now"]


@pytest.mark.parametrize("text", [
    "Hi guys, I make beats, please give me a chance and follow",
    "Guys please like and share, I am trying to get noticed",
])
def test_the_packaged_model_catches_an_ask_for_attention_no_rule_names(text: str) -> None:
    result = classify(text, LEXICON)
    assert not classify(text, RULES_ONLY).signals
    assert result.pitch
    assert [signal.kind for signal in result.signals] == ["model"]


# --- the data file ------------------------------------------------------------------------------


def test_every_signal_kind_in_the_data_file_has_a_weight() -> None:
    packaged = resources.files("bot.domain").joinpath("data/pitch_terms.toml")
    data = tomllib.loads(packaged.read_text("utf-8"))
    kinds = {kind for terms in data["terms"].values() for kind in terms}
    kinds |= {frame["kind"] for frame in data["frame"]}
    kinds |= {"price", "link", "shortener", "storefront", "commercial_link", "affiliate", "sponsored"}
    assert kinds - set(data["weights"]) == set()


# --- quality on the labelled sets ---------------------------------------------------------------


def _labelled(language: str) -> list[dict]:
    with (LABELLED / f"pitch_{language}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _recall_and_fpr(rows: list[dict]) -> tuple[float, float]:
    predicted = [(classify(row["text"], LEXICON, row["id"][:2]).pitch, row["pitch"]) for row in rows]
    pitches = sum(truth for _, truth in predicted)
    caught = sum(guess and truth for guess, truth in predicted)
    false_alarms = sum(guess and not truth for guess, truth in predicted)
    return caught / pitches, false_alarms / (len(rows) - pitches)


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_is_well_formed(language: str) -> None:
    rows = _labelled(language)
    assert len(rows) >= 160
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(re.fullmatch(rf"{language}-\d{{3}}", row["id"]) for row in rows)
    assert all(row["pitch"] == (row["kind"] in {"overt", "subtle", "evasive"}) for row in rows)
    assert {row["kind"] for row in rows} == {"overt", "subtle", "evasive", "genuine", "hard_negative"}
    assert 0.30 <= sum(row["pitch"] for row in rows) / len(rows) <= 0.40


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_false_positive_rate_is_at_most_3_percent(language: str) -> None:
    _, fpr = _recall_and_fpr(_labelled(language))
    assert fpr <= 0.03


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_recall_is_at_least_90_percent(language: str) -> None:
    recall, _ = _recall_and_fpr(_labelled(language))
    assert recall >= 0.90


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_recall_does_not_fall_below_its_measured_level(language: str) -> None:
    """A ratchet above the 0.90 target: raise it when recall improves."""
    recall, _ = _recall_and_fpr(_labelled(language))
    assert recall >= 0.92
