"""Each waiting message is drafted once, however many drafters run at once, and none is
stranded by a drafter that died; on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.drafting.template import TemplateDrafter
from bot.services.drafting import CLAIM_LEASE, draft_replies
from bot.services.ingest import poll_account
from bot.store.schema import interactions
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings())


def seed(store: SqlAlchemyStore, clock, count: int) -> None:  # noqa: ANN001
    """`count` people, each with one message waiting for a reply."""
    platform = FakePlatform()
    platform.push(*[
        Interaction(f"n-{i}", InteractionKind.MENTION, clock.now(), Person(f"u-{i}", f"p{i}@x.example", f"P{i}"),
                    Post(f"p-{i}", "¿Qué tal el huerto?", "es"))
        for i in range(count)
    ])
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())


def draft(store: SqlAlchemyStore, clock, drafter=None, **options):  # noqa: ANN001, ANN003, ANN201
    return draft_replies(store, drafter or TemplateDrafter(), "demo", "sandbox", clock=clock, policy=POLICY,
                         log=RecordingLog(), **options)


def drafted_messages(store: SqlAlchemyStore) -> list[int]:
    with store.unit_of_work() as uow:
        return sorted(d.target.interaction_id for d in uow.drafts.list(None))


def states(store: SqlAlchemyStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(interactions.c.draft_state).order_by(interactions.c.id)).scalars())


class Interleaving:
    """A drafter during whose call a second process drafts the same account: the race that made
    24,479 drafts out of 20,000 messages, made certain."""

    name = "interleaving"

    def __init__(self, other: SqlAlchemyStore, clock) -> None:  # noqa: ANN001
        self._other, self._clock, self._inner = other, clock, TemplateDrafter()
        self.second_pass = None

    def suggest(self, contact, target, language, memory):  # noqa: ANN001, ANN201
        if self.second_pass is None:
            self.second_pass = draft(self._other, self._clock)
        return self._inner.suggest(contact, target, language, memory)


@pytest.fixture
def second_store(database_url: str):  # noqa: ANN201
    """Another process's view of the same database; it waits at most 2 s for a lock."""
    other = SqlAlchemyStore(database_url, busy_timeout=2.0)
    yield other
    other.close()


def test_a_message_a_second_drafter_reads_while_the_first_drafts_it_is_drafted_once(
    store, second_store, clock,  # noqa: ANN001
) -> None:
    seed(store, clock, 1)
    drafter = Interleaving(second_store, clock)
    first = draft(store, clock, drafter)
    assert (first.drafted, drafter.second_pass.drafted) == (1, 0)
    assert len(drafted_messages(store)) == 1


def test_no_transaction_is_open_while_the_drafter_works(store, second_store, clock) -> None:  # noqa: ANN001
    """A drafter may be a model minutes away: another process must be able to write meanwhile."""
    seed(store, clock, 1)
    drafter = Interleaving(second_store, clock)
    draft(store, clock, drafter)  # on SQLite a held write lock makes the inner pass time out
    assert drafter.second_pass is not None


def test_two_drafters_at_once_draft_each_message_once(store, second_store, clock) -> None:  # noqa: ANN001
    seed(store, clock, 40)
    reports, errors = [], []

    def run(on: SqlAlchemyStore) -> None:
        try:
            reports.append(draft(on, clock))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in (store, second_store)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert drafted_messages(store) == list(range(1, 41))
    assert sum(r.drafted for r in reports) == 40


def test_a_claim_left_by_a_drafter_that_died_waits_for_the_lease_then_is_drafted(store, clock) -> None:  # noqa: ANN001
    seed(store, clock, 1)
    with store.unit_of_work() as uow:
        assert uow.interactions.claim_for_drafting(1, clock.now())  # then the process was killed
        uow.commit()
    assert draft(store, clock).drafted == 0  # it may still be drafting: leave it
    clock.advance(seconds=CLAIM_LEASE.total_seconds() - 60)
    assert draft(store, clock).drafted == 0
    clock.advance(minutes=2)
    assert draft(store, clock).drafted == 1
    assert draft(store, clock).drafted == 0
    assert states(store) == ["drafted"]


def test_a_drafter_that_fails_gives_its_message_back_at_once(store, clock) -> None:  # noqa: ANN001
    class Failing:
        name = "failing"

        def suggest(self, *args: object) -> list:
            raise RuntimeError("the model crashed")

    seed(store, clock, 1)
    with pytest.raises(RuntimeError):
        draft(store, clock, Failing())
    assert states(store) == ["pending"]
    assert draft(store, clock).drafted == 1


def test_a_drafter_whose_claim_lapsed_and_passed_on_records_nothing(store, second_store, clock) -> None:  # noqa: ANN001
    """A drafter stuck past the lease: the message went to another, whose drafts stand alone."""

    class Stuck:
        name = "stuck"

        def __init__(self) -> None:
            self.inner = TemplateDrafter()

        def suggest(self, contact, target, language, memory):  # noqa: ANN001, ANN201
            clock.advance(seconds=CLAIM_LEASE.total_seconds() + 60)
            draft(second_store, clock)  # sees a lapsed claim, and drafts the message itself
            return self.inner.suggest(contact, target, language, memory)

    seed(store, clock, 1)
    assert draft(store, clock, Stuck()).drafted == 0
    assert len(drafted_messages(store)) == 1


def test_messages_that_need_no_draft_are_skipped_once(store, clock) -> None:  # noqa: ANN001
    seed(store, clock, 3)
    clock.advance(days=30)
    report = draft(store, clock, max_age=timedelta(days=7))
    assert (report.drafted, report.skipped) == (0, 3)
    assert states(store) == ["skipped"] * 3
