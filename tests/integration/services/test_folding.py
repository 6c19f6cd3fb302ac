"""One person, one reply waiting for a person: their new messages fold into it; on SQLite and
on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.drafts import Draft, DraftStatus, Suggestion
from bot.domain.models import Interaction, InteractionKind, Person, Post, Visibility
from bot.drafting.template import TemplateDrafter
from bot.errors import InvalidTransitionError
from bot.services import review
from bot.services.drafting import draft_replies
from bot.services.ingest import poll_account
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings())
ANA = Person("u-ana", "ana@social.example", "Ana")
TOM = Person("u-tom", "tom@fedi.example", "Tom")
PITCH = "Tengo un curso con un 30% de descuento, escríbeme por privado y te paso precios."


def mention(n: int, at: datetime, *, person: Person = ANA, text: str | None = None,
            visibility: Visibility = Visibility.PUBLIC, spoiler: str = "") -> Interaction:
    """Message `n`, starting a thread of its own (`p-n`)."""
    post = Post(f"p-{n}", text or f"¡Qué bien va el huerto! ({n})", "es", visibility, spoiler_text=spoiler)
    return Interaction(f"n-{n}", InteractionKind.MENTION, at, person, post)


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


def arrive(store: SqlAlchemyStore, platform: FakePlatform, clock, *interactions: Interaction) -> None:  # noqa: ANN001
    platform.push(*interactions)
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())


def draft(store: SqlAlchemyStore, clock, drafter=None, **options):  # noqa: ANN001, ANN003, ANN201
    return draft_replies(store, drafter or TemplateDrafter(), "demo", "sandbox", clock=clock, policy=POLICY,
                         log=RecordingLog(), **options)


def waiting(store: SqlAlchemyStore) -> list[Draft]:
    with store.unit_of_work() as uow:
        return uow.drafts.list(DraftStatus.PENDING) + uow.drafts.list(DraftStatus.BLOCKED)


def folded_posts(store: SqlAlchemyStore, one: Draft) -> list[str]:
    with store.unit_of_work() as uow:
        return [m.post_id for m in uow.drafts.folded_messages(one)]


class Writing:
    """A drafter that writes `text` for the message `post_id`, and the template's reply otherwise."""

    name = "writing"

    def __init__(self, post_id: str, text: str) -> None:
        self.post_id, self.text, self.inner = post_id, text, TemplateDrafter()

    def suggest(self, contact, target, language, memory):  # noqa: ANN001, ANN201
        if target is not None and target.post_id == self.post_id:
            return [Suggestion(self.text, "test")]
        return self.inner.suggest(contact, target, language, memory)


def test_mentions_from_one_person_in_other_threads_fold_into_one_draft_that_answers_the_latest(
    store, platform, clock,  # noqa: ANN001
) -> None:
    arrive(store, platform, clock, mention(1, clock.now()))
    draft(store, clock)
    seen = [waiting(store)[0].id]
    for n in (2, 3):
        clock.advance(minutes=1)
        arrive(store, platform, clock, mention(n, clock.now()))
        report = draft(store, clock)
        assert (report.drafted, report.folded) == (1, 1)
        [one] = waiting(store)
        seen.append(one.id)
    assert one.target.post_id == "p-3" and one.target.thread == "p-3"  # it threads under the latest
    assert len(one.folded) == 2 and folded_posts(store, one) == ["p-1", "p-2"]
    with store.unit_of_work() as uow:
        replaced = [uow.drafts.get(draft_id) for draft_id in seen[:2]]
    assert {d.status for d in replaced} == {DraftStatus.EXPIRED}
    assert [d.note.split(",")[0] for d in replaced] == [f"folded into {seen[1]}", f"folded into {seen[2]}"]


def test_several_waiting_messages_drafted_in_one_pass_leave_one_draft_per_person(
    store, platform, clock,  # noqa: ANN001
) -> None:
    arrive(store, platform, clock, *[mention(n, clock.now(), text=f"¡Hola! ¿Qué tal? {n}") for n in range(1, 6)],
           mention(9, clock.now(), person=TOM))
    draft(store, clock)
    by_person = {d.contact_handle: d for d in waiting(store)}
    assert len(waiting(store)) == 2
    assert by_person[ANA.handle].target.post_id == "p-5" and len(by_person[ANA.handle].folded) == 4
    assert by_person[TOM.handle].folded == ()


def test_a_mention_after_approval_gets_a_draft_of_its_own(store, platform, clock) -> None:  # noqa: ANN001
    arrive(store, platform, clock, mention(1, clock.now()))
    draft(store, clock)
    [first] = waiting(store)
    review.approve(store, first.id, policy=POLICY, clock=clock, actor="test")
    clock.advance(minutes=1)
    arrive(store, platform, clock, mention(2, clock.now()))
    draft(store, clock)
    [second] = waiting(store)
    assert second.id != first.id and second.folded == () and second.target.post_id == "p-2"
    with store.unit_of_work() as uow:
        assert uow.drafts.get(first.id).status is DraftStatus.APPROVED


def test_a_folded_draft_is_decided_again_on_its_own_text_and_message(store, platform, clock) -> None:  # noqa: ANN001
    """The first reply passed; the one answering the later direct message is a pitch to a first
    contact: blocked, and direct like the message it answers."""
    arrive(store, platform, clock, mention(1, clock.now()))
    draft(store, clock)
    clock.advance(minutes=1)
    arrive(store, platform, clock, mention(2, clock.now(), visibility=Visibility.DIRECT, spoiler="privado"))
    draft(store, clock, Writing("p-2", PITCH))
    [one] = waiting(store)
    assert one.status is DraftStatus.BLOCKED and "pitch_stage" in {r.code for r in one.decision.blocking}
    assert (one.reply_visibility, one.spoiler_text, len(one.folded)) == (Visibility.DIRECT, "privado", 1)


def test_a_draft_a_person_edited_is_never_replaced_by_a_drafter(store, platform, clock) -> None:  # noqa: ANN001
    arrive(store, platform, clock, mention(1, clock.now()))
    draft(store, clock)
    [first] = waiting(store)
    review.edit(store, first.id, "¡Hola Ana! Te contesto con calma esta tarde.", policy=POLICY, clock=clock,
                actor="test")
    clock.advance(minutes=1)
    arrive(store, platform, clock, mention(2, clock.now()))
    draft(store, clock)
    drafts = {d.id: d for d in waiting(store)}
    assert drafts[first.id].text == "¡Hola Ana! Te contesto con calma esta tarde."
    [other] = [d for d in drafts.values() if d.id != first.id]
    assert other.target.post_id == "p-2" and other.folded == ()


def test_approving_a_draft_that_was_folded_away_fails_and_names_the_one_that_replaced_it(
    store, platform, clock,  # noqa: ANN001
) -> None:
    """What a person saw is no longer what would go out: nothing is approved."""
    arrive(store, platform, clock, mention(1, clock.now()))
    draft(store, clock)
    [seen] = waiting(store)
    clock.advance(minutes=1)
    arrive(store, platform, clock, mention(2, clock.now()))
    draft(store, clock)
    [now_waiting] = waiting(store)
    with pytest.raises(InvalidTransitionError, match=f"folded into {now_waiting.id}"):
        review.approve(store, seen.id, policy=POLICY, clock=clock, actor="test")
    assert [d.id for d in waiting(store)] == [now_waiting.id]


def test_an_older_message_drafted_late_is_shown_without_replacing_the_newer_reply(
    store, platform, clock,  # noqa: ANN001
) -> None:
    """Two drafters took a person's messages out of order: the reply to the latest stays."""
    arrive(store, platform, clock, mention(1, clock.now()))
    clock.advance(minutes=1)
    arrive(store, platform, clock, mention(2, clock.now()))
    with store.unit_of_work() as uow:
        claim = uow.interactions.claim_for_drafting(1, clock.now())  # another drafter holds message 1
        uow.commit()
    draft(store, clock)
    [newer] = waiting(store)
    with store.unit_of_work() as uow:
        uow.interactions.finish_drafting(1, claim, "pending")  # and gives it back
        uow.commit()
    report = draft(store, clock)
    assert (report.drafted, report.folded) == (0, 1)
    [still] = waiting(store)
    assert (still.id, still.text, still.target.post_id) == (newer.id, newer.text, "p-2")
    assert folded_posts(store, still) == ["p-1"]


def test_every_suggestion_of_the_waiting_reply_is_replaced(store, platform, clock) -> None:  # noqa: ANN001
    arrive(store, platform, clock, mention(1, clock.now()))
    draft(store, clock, suggestions=2)
    assert len(waiting(store)) == 2
    clock.advance(minutes=1)
    arrive(store, platform, clock, mention(2, clock.now()))
    draft(store, clock, suggestions=2)
    now_waiting = waiting(store)
    assert {d.target.post_id for d in now_waiting} == {"p-2"} and all(len(d.folded) == 1 for d in now_waiting)
    with store.unit_of_work() as uow:
        assert len(uow.drafts.list(DraftStatus.EXPIRED)) == 2
        assert len(uow.drafts.alternatives(now_waiting[0])) == len(now_waiting) - 1


class ApprovingMeanwhile:
    """A drafter during whose call the person, in another process, approves the waiting reply."""

    name = "approving"

    def __init__(self, other: SqlAlchemyStore, clock, draft_id: str) -> None:  # noqa: ANN001
        self.other, self.clock, self.draft_id, self.inner = other, clock, draft_id, TemplateDrafter()

    def suggest(self, contact, target, language, memory):  # noqa: ANN001, ANN201
        review.approve(self.other, self.draft_id, policy=POLICY, clock=self.clock, actor="person")
        return self.inner.suggest(contact, target, language, memory)


def test_a_reply_approved_while_the_drafter_works_is_left_approved(
    store, platform, database_url, clock,  # noqa: ANN001
) -> None:
    """What waits is read after drafting, and no transaction is open during it (on SQLite a
    held write lock would make the approval time out)."""
    arrive(store, platform, clock, mention(1, clock.now()))
    draft(store, clock)
    [first] = waiting(store)
    clock.advance(minutes=1)
    arrive(store, platform, clock, mention(2, clock.now()))
    other = SqlAlchemyStore(database_url, busy_timeout=2.0)
    try:
        draft(store, clock, ApprovingMeanwhile(other, clock, first.id))
    finally:
        other.close()
    [second] = waiting(store)
    assert second.target.post_id == "p-2" and second.folded == ()
    with store.unit_of_work() as uow:
        approved = uow.drafts.get(first.id)
    assert approved.status is DraftStatus.APPROVED and approved.target.post_id == "p-1"
