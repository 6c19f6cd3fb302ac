"""Telling a refused token from other refusals in the words servers use, and which replies no
search could confirm: pure functions of the Mastodon adapter, without a server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.models import OutgoingReply, Visibility
from bot.platforms.mastodon_calls import says_token_is_invalid
from bot.platforms.mastodon_history import blind_spot, older_than


@pytest.mark.parametrize("body", [
    "Invalid Bearer token",  # Takahe, plain text with a 400
    '{"error":"invalid_token","error_description":"The access token is invalid"}',  # OAuth
    "The access token is invalid",  # Mastodon's 401
    "The access token was revoked",
    "Token has expired",
])
def test_bodies_that_say_the_token_is_invalid(body: str) -> None:
    assert says_token_is_invalid(body)


@pytest.mark.parametrize("body", [
    "", "Validation failed: Text can't be blank", "Record not found", "Invalid visibility",
    "Tokens of appreciation are invalid here. Really.",
])
def test_other_refusals_are_not_token_failures(body: str) -> None:
    assert not says_token_is_invalid(body)


REPLY = OutgoingReply(draft_id="d1", account="main", text="hi", in_reply_to="", thread=None, to=("a@b.example",),
                      visibility=Visibility.DIRECT, language="en", idempotency_key="rapport-d1")


@pytest.mark.parametrize("visibility", [Visibility.DIRECT, Visibility.PRIVATE])
def test_a_narrow_post_that_answers_nothing_cannot_be_confirmed(visibility: Visibility) -> None:
    reason = blind_spot(replace(REPLY, visibility=visibility))
    assert reason is not None and visibility.value in reason and "cannot be ruled out" in reason


@pytest.mark.parametrize("reply", [
    replace(REPLY, in_reply_to="110"),  # its parent's replies show it on every server
    replace(REPLY, visibility=Visibility.PUBLIC),  # our own statuses show it on every server
    replace(REPLY, visibility=Visibility.UNLISTED),
])
def test_a_reply_with_a_parent_or_in_public_can_be_confirmed(reply: OutgoingReply) -> None:
    assert blind_spot(reply) is None


def test_a_page_served_again_for_max_id_has_nothing_older() -> None:
    page = [{"id": "30"}, {"id": "20"}, {"id": None}]
    assert older_than(page, None) == page
    assert older_than(page, "20") == [{"id": None}]  # an item without id stays, to be counted as unreadable
    assert older_than(page, "25") == [{"id": "20"}, {"id": None}]
