"""The draft status machine, draft ids and idempotency keys."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.domain.decisions import Decision
from bot.domain.drafts import Draft, DraftStatus, can_transition, new_draft_id
from bot.errors import InvalidTransitionError, RapportError
from tests.fakes import FakeClock

S = DraftStatus
NOW = FakeClock().now()
ID_SHAPE = re.compile(r"^d_[0-9A-HJKMNP-TV-Z]{26}$")  # Crockford base32: no I, L, O, U
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def draft(status: DraftStatus = S.PENDING, id: str = "d_01JTEST0000000000000000000") -> Draft:
    return Draft(
        id=id, account="demo", platform="sandbox", contact_id=1, contact_handle="ana@social.example",
        target=None, text="¡Qué buena pregunta!", language="es", status=status,
        decision=Decision(results=()), created_at=NOW, updated_at=NOW,
    )


ALLOWED = [
    (S.PENDING, S.APPROVED), (S.PENDING, S.REJECTED), (S.PENDING, S.BLOCKED), (S.PENDING, S.EXPIRED),
    (S.BLOCKED, S.APPROVED), (S.BLOCKED, S.REJECTED), (S.BLOCKED, S.PENDING),
    (S.APPROVED, S.SENDING), (S.APPROVED, S.REJECTED), (S.APPROVED, S.BLOCKED), (S.APPROVED, S.PENDING),
    (S.APPROVED, S.EXPIRED),
    (S.SENDING, S.SENT), (S.SENDING, S.FAILED), (S.SENDING, S.APPROVED),
    (S.FAILED, S.APPROVED), (S.FAILED, S.REJECTED),
]

REFUSED = [
    (S.PENDING, S.SENDING), (S.PENDING, S.SENT), (S.PENDING, S.FAILED),
    (S.BLOCKED, S.SENDING), (S.BLOCKED, S.SENT),
    (S.APPROVED, S.SENT),
    (S.SENDING, S.REJECTED),
    (S.FAILED, S.SENDING), (S.FAILED, S.SENT),
]

TERMINAL = [S.SENT, S.REJECTED, S.EXPIRED]


@pytest.mark.parametrize("current, target", ALLOWED, ids=lambda s: s.value)
def test_allowed_transition_is_accepted(current: DraftStatus, target: DraftStatus):
    assert can_transition(current, target) is True


@pytest.mark.parametrize("current, target", REFUSED, ids=lambda s: s.value)
def test_refused_transition_is_rejected(current: DraftStatus, target: DraftStatus):
    assert can_transition(current, target) is False


@pytest.mark.parametrize("terminal", TERMINAL, ids=lambda s: s.value)
@pytest.mark.parametrize("target", list(DraftStatus), ids=lambda s: s.value)
def test_sent_rejected_and_expired_are_terminal(terminal: DraftStatus, target: DraftStatus):
    assert can_transition(terminal, target) is False


@pytest.mark.parametrize("current", list(DraftStatus), ids=lambda s: s.value)
def test_only_an_approved_draft_can_start_sending(current: DraftStatus):
    # `sending -> sending` renews the lease of a send already under way.
    assert can_transition(current, S.SENDING) is (current in {S.APPROVED, S.SENDING})


@pytest.mark.parametrize("current", list(DraftStatus), ids=lambda s: s.value)
def test_only_a_sending_draft_can_become_sent(current: DraftStatus):
    assert can_transition(current, S.SENT) is (current is S.SENDING)


def test_failed_draft_can_be_approved_again_for_a_retry():
    retried = draft(S.FAILED).moved_to(S.APPROVED, NOW + timedelta(minutes=5))
    assert retried.status is S.APPROVED


def test_moved_to_changes_status_time_and_given_fields_only():
    original = draft(S.PENDING)
    later = NOW + timedelta(hours=1)
    approved = original.moved_to(S.APPROVED, later, text="edited text")
    assert (approved.status, approved.updated_at, approved.text) == (S.APPROVED, later, "edited text")
    assert approved.created_at == NOW
    assert (original.status, original.updated_at, original.text) == (S.PENDING, NOW, "¡Qué buena pregunta!")


@pytest.mark.parametrize(
    "current, target",
    [(S.SENT, S.APPROVED), (S.PENDING, S.SENDING), (S.REJECTED, S.PENDING), (S.EXPIRED, S.APPROVED)],
    ids=lambda s: s.value,
)
def test_moved_to_a_refused_status_raises_with_a_clear_message(current: DraftStatus, target: DraftStatus):
    with pytest.raises(InvalidTransitionError) as raised:
        draft(current, id="d_X").moved_to(target, NOW)
    assert str(raised.value) == f"draft d_X is {current.value}; it cannot become {target.value}"
    assert isinstance(raised.value, RapportError)


def test_draft_status_values_are_the_interface_names():
    assert [s.value for s in DraftStatus] == [
        "pending", "approved", "sending", "sent", "rejected", "blocked", "failed", "expired",
    ]


def test_new_draft_id_is_d_and_26_crockford_characters():
    for _ in range(200):
        assert ID_SHAPE.match(new_draft_id())


def test_new_draft_id_encodes_its_millisecond_time_in_the_first_ten_characters():
    millis = 1_795_000_000_123
    encoded = new_draft_id(millis)[2:12]
    decoded = 0
    for char in encoded:
        decoded = decoded * 32 + CROCKFORD.index(char)
    assert decoded == millis


def test_new_draft_ids_sort_by_creation_time():
    times = [0, 1, 999, 1000, 1_700_000_000_000, 1_795_000_000_000, 1_795_000_000_001, 2**48 - 1]
    ids = [new_draft_id(ms) for ms in times]
    assert sorted(ids) == ids
    assert sorted(reversed(ids)) == ids


def test_new_draft_ids_made_in_the_same_millisecond_share_the_time_prefix():
    first, second = new_draft_id(1_795_000_000_000), new_draft_id(1_795_000_000_000)
    assert first[:12] == second[:12]
    assert first != second


def test_new_draft_ids_are_unique_over_many_calls():
    ids = [new_draft_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)


def test_idempotency_key_is_derived_from_the_draft_id():
    assert draft(id="d_01JABC").idempotency_key == "rapport-d_01JABC"


def test_idempotency_key_survives_status_changes_and_edits():
    pending = draft()
    sending = pending.moved_to(S.APPROVED, NOW, text="edited").moved_to(S.SENDING, NOW + timedelta(seconds=1))
    retried = sending.moved_to(S.APPROVED, NOW + timedelta(minutes=1), attempts=1)
    assert pending.idempotency_key == sending.idempotency_key == retried.idempotency_key


def test_different_drafts_have_different_idempotency_keys():
    assert draft(id=new_draft_id()).idempotency_key != draft(id=new_draft_id()).idempotency_key


def test_a_reply_goes_out_no_more_public_than_the_message_it_answers_under_its_content_warning():
    """`queue show` reads these; the sender builds the post from the same properties."""
    from dataclasses import replace

    from bot.domain.drafts import ReplyTarget
    from bot.domain.models import Visibility

    answered = ReplyTarget(7, "p-7", "¿Y la cosecha?", "p-7", "private", spoiler_text="comida")
    reply = replace(draft(), target=answered, visibility="public")
    assert reply.reply_visibility is Visibility.PRIVATE
    assert reply.spoiler_text == "comida"
    assert reply.recipients == ("ana@social.example",)
    checkin = draft()
    assert (checkin.reply_visibility, checkin.spoiler_text) == (Visibility.PUBLIC, "")


def test_a_later_message_is_told_by_its_time_and_a_tie_by_its_stored_order():
    from bot.domain.drafts import ReplyTarget

    first = ReplyTarget(3, "p-3", "a", None, "public", at=NOW)
    second = ReplyTarget(2, "p-2", "b", None, "public", at=NOW + timedelta(seconds=1))
    tie = ReplyTarget(4, "p-4", "c", None, "public", at=NOW)
    assert second.is_later_than(first) and not first.is_later_than(second)
    assert tie.is_later_than(first) and not first.is_later_than(tie)
