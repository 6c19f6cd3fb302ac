"""The interests kept from messages are subjects: precision on the held-out half of the labelled sets."""

from __future__ import annotations

import pytest

from bot.keywords import topics
from tests.interest_scoring import LANGUAGES, TUNING_ROWS, Row, halves, load, score


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_labelled_set_holds_100_messages_with_unique_ids(language: str) -> None:
    rows = load(language)
    assert len(rows) == 2 * TUNING_ROWS == 100
    assert len({r.id for r in rows}) == 100 and all(r.id.startswith(f"{language}-") for r in rows)
    assert sum(1 for r in rows if not r.interests) >= 20  # chatter, scheduling, injections: nothing to keep


@pytest.mark.parametrize("language", LANGUAGES)
def test_interests_kept_from_held_out_messages_are_subjects_nine_times_in_ten(language: str) -> None:
    _, held_out = halves(language)
    result = score(held_out, lambda text: topics(text, language, limit=2))
    assert result.kept >= 30  # it keeps something: precision over a handful of phrases means little
    assert result.precision >= 0.9, result.wrong
    assert result.recall >= 0.6


def test_scoring_counts_sub_phrases_of_a_label_as_right_and_other_words_as_wrong() -> None:
    rows = [Row("x-1", "", ("taller de cerámica",)), Row("x-2", "", ())]
    kept = {"": ["cerámica", "sábado"]}
    result = score(rows, lambda text: kept[text])
    # Row x-1 keeps "cerámica" (right) and "sábado" (wrong); so does x-2, where both are wrong.
    assert (result.kept, result.right, result.labelled, result.found) == (4, 1, 1, 1)
    assert result.wrong == (("x-1", "sábado"), ("x-2", "cerámica"), ("x-2", "sábado"))
