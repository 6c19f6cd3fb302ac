"""Slots: a draft that leaves a gap only the account holder can fill needs their input, and the
policy holds it (it stays in the queue, but nothing approves or sends it) until an edit fills it."""

from __future__ import annotations

import pytest

from bot.domain.contacts import Contact
from bot.domain.decisions import Decision, Outcome
from bot.domain.pitch import load_lexicon
from bot.domain.policy import PolicyConfig, Situation, decide
from bot.domain.slots import needs_input, slot, slots_in
from bot.domain.stages import Stage
from tests.fakes import FakeClock

LEXICON = load_lexicon()
FRIEND = Contact(id=1, account="demo", handle="ana@social.example", name="Ana", stage=Stage.RELATIONSHIP)


def decided(text: str) -> Decision:
    return decide(text, Situation(contact=FRIEND, now=FakeClock().now()), PolicyConfig(), LEXICON)


@pytest.mark.parametrize(("subject", "language", "expected"), [
    ("club de ciclismo por Zaragoza", "es", "[tu respuesta: club de ciclismo por Zaragoza]"),
    ("reading list", "en", "[your answer: reading list]"),
    ("liste de lecture", "fr", "[your answer: liste de lecture]"),  # no label of its own: English
    ("", "es", "[tu respuesta]"),
    ("a [nested] thing", "en", "[your answer: a (nested) thing]"),  # a slot closes only once
])
def test_a_slot_names_the_subject_in_the_persons_language(subject: str, language: str, expected: str) -> None:
    assert slot(subject, language) == expected
    assert needs_input(expected)


@pytest.mark.parametrize("text", [
    "¡Hola, Marta! [tu respuesta: club de ciclismo]",
    "Hi! [Your Answer: reading list] Thanks!",
    "Hi! [your answer] Thanks!",
])
def test_a_text_holding_a_slot_needs_input(text: str) -> None:
    assert needs_input(text)
    assert len(slots_in(text)) == 1


@pytest.mark.parametrize("text", [
    "¡Hola, Marta! Sí, el club Cierzo sale los domingos.",
    "See [1] for the reference.",  # brackets alone are not a slot
    "tu respuesta: sin corchetes",
])
def test_a_filled_text_needs_no_input(text: str) -> None:
    assert not needs_input(text)


def test_the_policy_holds_a_draft_with_a_slot_under_the_needs_input_code() -> None:
    decision = decided("¡Hola, Ana! [tu respuesta: cultivas algo]")
    assert decision.outcome is Outcome.HOLD
    assert decision.needs_input and not decision.approvable
    assert decision.allowed  # it stays in the queue as pending, for the owner to fill
    assert [r.code for r in decision.refusing] == ["needs_input"]
    hold = decision.refusing[0]
    assert "[tu respuesta: cultivas algo]" in hold.message
    assert decision.to_dict()["needs_input"] is True
    assert "needs_input" in {r["code"] for r in decision.to_dict()["reasons"]}


def test_a_filled_slot_is_approvable_again() -> None:
    decision = decided("¡Hola, Ana! Sí, tengo un huerto en la terraza.")
    assert decision.outcome is Outcome.ALLOW and decision.approvable and not decision.needs_input


def test_a_block_outranks_a_hold() -> None:
    blocked = Contact(id=2, account="demo", handle="x@y.example", opted_out=True)
    decision = decide("[your answer: x]", Situation(contact=blocked, now=FakeClock().now()), PolicyConfig(), LEXICON)
    assert decision.outcome is Outcome.BLOCK and not decision.allowed
    assert {r.code for r in decision.refusing} == {"opted_out", "needs_input"}


def test_a_held_decision_round_trips_through_its_dict() -> None:
    decision = decided("Hi! [your answer: reading list]")
    assert Decision.from_dict(decision.to_dict()) == decision
