"""Links in the pitch detector: a bare link dropped on someone promotes; a link in talk does not."""

from __future__ import annotations

import pytest

from bot.domain.pitch import classify, load_lexicon

LEXICON = load_lexicon()


@pytest.mark.parametrize("text", [
    "https://shop.example.com/p/123",
    "@ana https://www.example.org/my-channel",
    "mira https://ejemplo.es/tienda",
    "look http://promo.example/x ﻿",
])
def test_a_message_that_is_only_a_link_is_a_pitch(text: str) -> None:
    result = classify(text, LEXICON)
    assert result.pitch and "link_drop" in {s.kind for s in result.signals}


@pytest.mark.parametrize("text", [
    "Here is the paper you asked about: https://arxiv.org/abs/1234.5678",
    "Aquí tienes el artículo del que hablamos ayer: https://ejemplo.es/articulo",
    "The ticket was 50 euros, are you going? https://venue.example/event",
    "free software is about freedom",
])
def test_a_link_inside_a_conversation_is_not_a_pitch(text: str) -> None:
    assert not classify(text, LEXICON).pitch
