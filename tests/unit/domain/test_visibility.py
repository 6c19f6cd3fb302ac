"""Visibility order: a reply is never more public than what it answers."""

from __future__ import annotations

from itertools import product

import pytest

from bot.domain.models import Visibility

V = Visibility
ORDER = [V.PUBLIC, V.UNLISTED, V.PRIVATE, V.DIRECT]  # most to least public


def test_ranks_go_from_most_to_least_public():
    assert [v.rank for v in ORDER] == [0, 1, 2, 3]


def test_visibility_values_are_the_interface_names():
    assert [v.value for v in ORDER] == ["public", "unlisted", "private", "direct"]


@pytest.mark.parametrize(
    "wanted, answered, expected",
    [
        (V.PUBLIC, V.DIRECT, V.DIRECT),
        (V.PUBLIC, V.PRIVATE, V.PRIVATE),
        (V.PUBLIC, V.UNLISTED, V.UNLISTED),
        (V.PUBLIC, V.PUBLIC, V.PUBLIC),
        (V.DIRECT, V.PUBLIC, V.DIRECT),
        (V.UNLISTED, V.PRIVATE, V.PRIVATE),
        (V.PRIVATE, V.UNLISTED, V.PRIVATE),
    ],
    ids=lambda v: v.value,
)
def test_at_most_gives_the_narrower_visibility(wanted: V, answered: V, expected: V):
    assert wanted.at_most(answered) is expected


@pytest.mark.parametrize("a, b", list(product(ORDER, ORDER)), ids=lambda v: v.value)
def test_at_most_is_symmetric_and_never_more_public_than_either(a: V, b: V):
    narrowed = a.at_most(b)
    assert narrowed is b.at_most(a)
    assert narrowed.rank == max(a.rank, b.rank)


@pytest.mark.parametrize("v", ORDER, ids=lambda v: v.value)
def test_at_most_of_a_visibility_with_itself_is_itself(v: V):
    assert v.at_most(v) is v
