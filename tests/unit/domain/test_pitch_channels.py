"""Where a pitch sends the reader: a channel to order through, a pointer to the profile, a phone
number to ring, a private app. Alone most of these are only contact; with anything commercial
they make a pitch. Also the currencies they come in."""

from __future__ import annotations

import pytest

from bot.domain.pitch import classify
from tests.pitch_rules import RULES, kinds

@pytest.mark.parametrize("text", [
    "Sourdough loaves every Friday, DM us to order yours 🍞",
    "Hand-bound notebooks are back. Message me to place an order!",
    "Whatsapp us for bookings, we deliver across town",
    "Tortas personalizadas 🎂 escribinos para pedidos",
    "Hacemos mudanzas los findes, mandame un mensaje para reservar",
])
def test_a_channel_named_to_order_or_book_is_a_pitch(text: str) -> None:
    result = classify(text, RULES)
    assert result.pitch, result
    assert "contact_for_price" in kinds(text)


@pytest.mark.parametrize("text", [
    "A stranger DMed me asking to buy my old bike, I said no",
    "Me escribió una vecina para comprar huevos y no me quedaban",
    "Can you text me to book the table? I'm hopeless with phones",
])
def test_talk_about_orders_and_bookings_between_people_is_not_a_pitch(text: str) -> None:
    assert not classify(text, RULES).pitch


@pytest.mark.parametrize(("text", "pitch"), [
    ("Earn from home in 2 hrs a day 💸 msg me for details", True),
    ("¿Ganar dinero desde casa? Escribime al priv para más info", True),
    ("We meet at the library on Thursdays, message me for details", False),
    ("Organizamos la quedada del club el sábado, escríbeme para más info", False),
])
def test_asking_to_be_messaged_for_details_needs_something_commercial_too(text: str, pitch: bool) -> None:
    assert classify(text, RULES).pitch is pitch
    assert "call_to_action" in kinds(text)


@pytest.mark.parametrize("text", [
    "Vintage denim restocked ✨ catalogue in my bio, 20% off this week",
    "Clases de cerámica con plazas limitadas, toda la info en mi perfil",
    "gana dinero desde casa, info en mi b1o",
])
def test_pointing_to_the_profile_for_what_is_sold_is_a_pitch(text: str) -> None:
    assert classify(text, RULES).pitch


@pytest.mark.parametrize("text", [
    "As it says in my bio, I'm a night-shift nurse, so forgive the 3am replies",
    "Lo dice mi bio: soy de Rosario y de Central, no hay vuelta atrás",
    "My number is in my bio if your car ever breaks down near the farm again",
])
def test_a_profile_mentioned_in_passing_is_not_a_pitch(text: str) -> None:
    assert not classify(text, RULES).pitch


@pytest.mark.parametrize(("text", "number"), [
    ("Boiler service £60, call us on 0161 496 0000", "0161 496 0000"),
    ("Clases de apoyo a domicilio, llámanos al 611 22 33 44", "611 22 33 44"),
    ("Gutters cleared this week only, text 07700 900123", "07700 900123"),
])
def test_a_phone_number_to_ring_is_a_contact_line(text: str, number: str) -> None:
    contact = [s.text for s in classify(text, RULES).signals if s.kind == "contact"]
    assert any(found.endswith(number) for found in contact), contact
    assert classify(text, RULES).pitch


@pytest.mark.parametrize("text", [
    "call me at 10, I'll be home by then",
    "The bus was the 4065123 service, which never comes",
    "Llamé al 112 y vinieron en cinco minutos",
])
def test_a_time_a_count_or_a_short_number_is_no_phone(text: str) -> None:
    assert "contact" not in kinds(text)


@pytest.mark.parametrize(("text", "amount"), [
    ("Ankara dresses from ₦8,000 this week", "₦8,000"),
    ("Safari day trips KSh 6,500 per person", "ksh 6,500"),
    ("Menú del día S/ 25 con bebida", "s/ 25"),
    ("Lavado completo $U 690", "$u 690"),
    ("Tour de tres días por 900 Bs", "900 bs"),
])
def test_amounts_in_more_currencies_are_prices(text: str, amount: str) -> None:
    assert amount in [s.text for s in classify(text, RULES).signals if s.kind == "price"]

@pytest.mark.parametrize("text", [
    "hola! ¿me pasás presupuesto por privado? Quiero arreglar la persiana",
    "Vi tus cuadros en la feria, pasame precios por privado porfa",
    "¿Tienes precios para grupos? Escríbeme cuando puedas",
    "Love your quilts! Could you DM me your rates for a king size?",
    "Can you send me a quote for two chairs? DM is fine",
])
def test_a_customer_asking_the_reader_for_prices_is_not_a_pitch(text: str) -> None:
    """Who quotes whom: "pásame precios por privado" asks for the reader's prices, while
    "te paso precios por privado" would offer the writer's."""
    assert not classify(text, RULES).pitch
    assert classify("te paso precios por privado", RULES).pitch
