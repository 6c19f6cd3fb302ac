"""What a model's answer is worth as a draft: the checks that refuse it, each with its reason."""

from __future__ import annotations

import pytest

from bot.drafting.reply_checks import check_reply, numbered_replies


def test_a_reply_that_opens_with_a_slot_is_not_taken_for_json() -> None:
    reply = "[tu respuesta: club de ciclismo en Zaragoza] es el que más me gusta, ¡pruébalo!"
    assert check_reply(reply, "es", 280).text == reply


@pytest.mark.parametrize(("reply", "language", "problem"), [
    ("<|eot_id|>", "en", "chat-template tokens in the reply"),
    ("<start_of_turn>model\nThanks!", "en", "chat-template tokens in the reply"),
    ('{"reply": "Thanks', "en", "JSON instead of a reply"),
    ("```\nThanks!\n```", "en", "markup in the reply"),
    ("## Reply\nThanks!", "en", "markup in the reply"),
    ("Muchas gracias por tu mensaje, me alegra mucho leerte.", "en", "reply not in the message's language (en)"),
    ("Thanks, Ana! " * 30, "en", "reply too long (389 characters)"),
])
def test_what_is_not_a_reply_is_refused_with_its_reason(reply: str, language: str, problem: str) -> None:
    assert check_reply(reply, language, 280).problem == problem


def test_a_short_or_untagged_reply_is_not_judged_on_its_language() -> None:
    assert check_reply("Un placer.", "en", 280).text == "Un placer."  # too short to tell
    assert check_reply("Danke schön für die Nachricht!", None, 280).text is not None  # no language to hold it to


def test_a_numbered_answer_gives_each_reply_and_an_unnumbered_one_gives_itself() -> None:
    assert numbered_replies("<think>hm</think>1. Uno.\n2) **Dos.**\n\n3. Tres.") == ["Uno.", "**Dos.**", "Tres."]
    assert numbered_replies("¡Gracias, Ana!") == ["¡Gracias, Ana!"]
