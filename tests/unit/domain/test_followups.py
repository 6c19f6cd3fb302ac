"""Which follow-ups from memory a new draft may use: none under a heavy tone, none already in use."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.decisions import Decision
from bot.domain.drafts import Draft, DraftStatus
from bot.domain.followups import for_drafting, mentions, subject_words, texts_in_use
from bot.domain.memory import ContactMemory, Fact, FactKind
from bot.domain.tone import Tone

NOW = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
COOLDOWN = timedelta(days=30)

MARATHON = Fact(FactKind.OPEN_THREAD, "la maratón de Valencia", "message:3", NOW - timedelta(days=9), "es",
                NOW - timedelta(days=2))
POTTERY = Fact(FactKind.INTEREST, "pottery", "hashtag", NOW - timedelta(days=20), "en")
PODCAST = Fact(FactKind.PROJECT, "the history podcast", "fields", NOW - timedelta(days=20), "en")
NOTE = Fact(FactKind.NOTE, "met at the Valencia meetup", "user", NOW - timedelta(days=40))
MEMORY = ContactMemory((MARATHON, POTTERY, PODCAST, NOTE))


def _draft(text: str, status: DraftStatus, *, sent_days_ago: float | None = None) -> Draft:
    sent = None if sent_days_ago is None else NOW - timedelta(days=sent_days_ago)
    return Draft(id="d_1", account="demo", platform="sandbox", contact_id=1, contact_handle="ana@x.example",
                 target=None, text=text, language="es", status=status, decision=Decision(results=()),
                 created_at=NOW - timedelta(days=40), updated_at=sent or NOW, sent_at=sent)


@pytest.mark.parametrize("tone", [Tone.SAD, Tone.WORRIED, Tone.COMPLAINT])
def test_a_heavy_tone_leaves_no_follow_up_but_keeps_the_notes(tone: Tone) -> None:
    fitted = for_drafting(MEMORY, tone, [])
    assert fitted.facts == (NOTE,)
    assert fitted.open_threads == () and fitted.interests == ()


@pytest.mark.parametrize("tone", [Tone.NEUTRAL, Tone.HAPPY_NEWS])
def test_a_light_tone_with_nothing_in_use_keeps_the_whole_memory(tone: Tone) -> None:
    assert for_drafting(MEMORY, tone, []) is MEMORY


@pytest.mark.parametrize("text", [
    "¡Hola, Ana! ¿Qué tal fue la maratón de Valencia?",
    "¿Qué tal la MARATON?",  # half of its words, case and accents aside
    "Ana, te deseo lo mejor con la maratón de Valencia",
])
def test_a_subject_another_draft_asks_about_is_not_followed_up_again(text: str) -> None:
    fitted = for_drafting(MEMORY, Tone.NEUTRAL, [text])
    assert MARATHON not in fitted.facts and POTTERY in fitted.facts and PODCAST in fitted.facts


def test_an_english_draft_uses_up_an_interest_and_a_project_in_its_words() -> None:
    fitted = for_drafting(MEMORY, Tone.NEUTRAL, ["How is the pottery going? And your history podcast?"])
    assert fitted.facts == (MARATHON, NOTE)


def test_a_draft_about_something_else_leaves_the_subject_free() -> None:
    fitted = for_drafting(MEMORY, Tone.NEUTRAL, ["¡Gracias por escribir! Me alegra leerte"])
    assert fitted is MEMORY


def test_the_subject_words_of_a_phrase_are_folded_and_skip_short_and_turning_words() -> None:
    assert subject_words("Tu MARATÓN de Valencia, con mis amigos") == {"maraton", "valencia", "amigos"}
    assert subject_words("yoga") == {"yoga"}
    assert subject_words("of the, de la, your") == set()


def test_a_fact_without_subject_words_is_never_taken_as_mentioned() -> None:
    empty = Fact(FactKind.INTEREST, "a la", "topic", NOW)
    assert not mentions(empty, {"a", "la"})


@pytest.mark.parametrize(("status", "sent_days_ago", "in_use"), [
    (DraftStatus.PENDING, None, True),
    (DraftStatus.APPROVED, None, True),
    (DraftStatus.SENDING, None, True),
    (DraftStatus.SENT, 5, True),
    (DraftStatus.SENT, 29.9, True),
    (DraftStatus.SENT, 31, False),  # the cooldown is over: it may be asked about again
    (DraftStatus.REJECTED, None, False),  # the user turned it down: nobody read it
    (DraftStatus.BLOCKED, None, False),
    (DraftStatus.EXPIRED, None, False),
    (DraftStatus.FAILED, None, False),
])
def test_drafts_hold_their_follow_ups_while_on_their_way_and_for_the_cooldown_once_sent(
    status: DraftStatus, sent_days_ago: float | None, in_use: bool,
) -> None:
    draft = _draft("¿Qué tal la maratón?", status, sent_days_ago=sent_days_ago)
    assert texts_in_use([draft], NOW, COOLDOWN) == ([draft.text] if in_use else [])


def test_a_zero_cooldown_frees_a_subject_once_the_draft_is_sent() -> None:
    sent = _draft("¿Qué tal la maratón?", DraftStatus.SENT, sent_days_ago=0.01)
    assert texts_in_use([sent], NOW, timedelta(0)) == []


def test_a_sent_draft_without_a_sending_time_counts_from_its_last_change() -> None:
    old = replace(_draft("x", DraftStatus.SENT), sent_at=None, updated_at=NOW - timedelta(days=40))
    recent = replace(old, updated_at=NOW - timedelta(days=2))
    assert texts_in_use([old, recent], NOW, COOLDOWN) == ["x"]


def test_topics_stored_before_they_had_to_name_a_subject_are_not_followed_up() -> None:
    stored = tuple(Fact(FactKind.INTEREST, text, "topic", NOW - timedelta(days=3), language) for text, language in (
        ("triste", "es"), ("sábado", "es"), ("apuntas", "es"), ("Oye", "es"), ("sobrevivimos", "es"),
        ("quick private", "en"), ("private question", "en"), ("reply", "en"), ("previous instructions", "en"),
    ))
    kept = (Fact(FactKind.INTEREST, "huerto urbano", "topic", NOW, "es"),
            Fact(FactKind.INTEREST, "carbon accounting", "topic", NOW, "en"))
    stated = Fact(FactKind.INTEREST, "reply", "hashtag", NOW, "en")  # they tagged it themselves: theirs to say
    fitted = for_drafting(ContactMemory(stored + kept + (stated,)), Tone.NEUTRAL, [])
    assert fitted.facts == (*kept, stated)
