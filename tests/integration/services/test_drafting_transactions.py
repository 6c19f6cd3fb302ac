"""A fast drafter's messages are claimed a chunk per statement and their drafts recorded in one
transaction (SQLAlchemy costs some 50-80 us a statement, more than the drafting itself), while a
message whose recording fails costs no other message its draft; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event, select

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.drafting.template import TemplateDrafter
from bot.services import drafting
from bot.services.deciding import Policy
from bot.services.drafting import draft_replies
from bot.services.ingest import poll_account
from bot.store.schema import interactions
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakePlatform, RecordingLog
from tests.integration.services.mentions import seed_mentions

POLICY = policy_from_settings(Settings())


def seed(store: SqlAlchemyStore, clock, count: int) -> None:  # noqa: ANN001
    seed_mentions(store, clock, count, policy=POLICY)


def draft(store: SqlAlchemyStore, clock, policy: Policy = POLICY):  # noqa: ANN001, ANN201
    return draft_replies(store, TemplateDrafter(), "demo", "sandbox", clock=clock, policy=policy,
                         log=RecordingLog())


@dataclass
class Statements:
    """Each statement run, with the number of the transaction it ran in."""

    seen: list[tuple[int, str]] = field(default_factory=list)
    transaction: int = 0

    def count(self, start: str) -> int:
        return sum(1 for _, text in self.seen if text.startswith(start))

    def transactions_of(self, start: str) -> set[int]:
        return {number for number, text in self.seen if text.startswith(start)}


@contextmanager
def watching(store: SqlAlchemyStore) -> Iterator[Statements]:
    statements = Statements()

    def begun(conn) -> None:  # noqa: ANN001
        statements.transaction += 1

    def executed(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        statements.seen.append((statements.transaction, " ".join(statement.split())))

    event.listen(store.engine, "begin", begun)
    event.listen(store.engine, "before_cursor_execute", executed)
    try:
        yield statements
    finally:
        event.remove(store.engine, "begin", begun)
        event.remove(store.engine, "before_cursor_execute", executed)


def states(store: SqlAlchemyStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(interactions.c.draft_state).order_by(interactions.c.id)).scalars())


def test_a_fast_drafters_batch_is_claimed_in_two_statements_and_recorded_in_one_transaction(
    store, clock, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    # A generous time, so that a loaded machine cannot make the template look as slow as a model.
    monkeypatch.setattr(drafting, "OUTGOING_BATCH_SECONDS", 60.0)
    seed(store, clock, 20)
    with watching(store) as statements:
        assert draft(store, clock).drafted == 20
    claims = [t for _, t in statements.seen if t.startswith("UPDATE interactions SET draft_state=") and "(SELECT" in t]
    assert len(claims) == 2  # one message while the drafter's pace is unknown, then the other nineteen at once
    assert statements.count("UPDATE interactions SET draft_state=") == 3  # and one to mark all twenty drafted
    assert statements.count("INSERT INTO drafts") == 20
    assert len(statements.transactions_of("INSERT INTO drafts")) == 1
    assert statements.count("INSERT INTO audit_log") == 1  # the twenty "drafted" entries, together
    assert states(store) == ["drafted"] * 20


def test_a_slow_drafter_claims_one_message_at_a_time(
    store, clock, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    monkeypatch.setattr(drafting, "OUTGOING_BATCH_SECONDS", 0.0)  # every call as slow as a model's
    seed(store, clock, 3)
    with watching(store) as statements:
        assert draft(store, clock).drafted == 3
    assert len(statements.transactions_of("INSERT INTO drafts")) == 3
    assert statements.count("UPDATE interactions SET draft_state=") == 6  # claimed, then drafted, each


class FailingOn(Policy):
    """Deciding about the reply to one message fails (a bug, a corrupt row): its recording fails."""

    def decide_text(self, uow, contact, text, now, **options):  # noqa: ANN001, ANN003, ANN201
        if contact.handle == "p2@x.example":
            raise RuntimeError("deciding failed")
        return super().decide_text(uow, contact, text, now, **options)


def test_a_message_whose_recording_fails_keeps_the_drafts_before_it_and_gives_the_rest_back(
    store, clock,  # noqa: ANN001
) -> None:
    seed(store, clock, 5)
    failing = FailingOn(POLICY.config, POLICY.lexicon, POLICY.thresholds)
    with pytest.raises(RuntimeError, match="deciding failed"):
        draft(store, clock, failing)
    assert states(store) == ["drafted", "drafted", "pending", "pending", "pending"]
    with store.unit_of_work() as uow:
        assert sorted(d.target.interaction_id for d in uow.drafts.list(None)) == [1, 2]
    assert draft(store, clock).drafted == 3  # nothing was left claimed


def test_a_message_another_transaction_holds_is_passed_by_not_waited_for(store, clock) -> None:  # noqa: ANN001
    """PostgreSQL: replicas claiming overlapping batches neither wait on each other nor deadlock
    (SQLite has one writer at a time, and no row locks to skip)."""
    if store.backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    seed(store, clock, 3)
    other = SqlAlchemyStore(str(store.engine.url.render_as_string(hide_password=False)), migrate=False)
    try:
        with other.engine.connect() as holder:  # another drafter, claiming message 2 this moment
            holder.execute(select(interactions.c.id).where(interactions.c.id == 2).with_for_update())
            assert draft(store, clock).drafted == 2
            assert states(store) == ["drafted", "pending", "drafted"]
            holder.rollback()
    finally:
        other.close()
    assert draft(store, clock).drafted == 1


def test_a_batch_decides_with_what_was_sent_to_each_person_today_counted_at_once(
    store, clock, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    from datetime import timedelta

    monkeypatch.setattr(drafting, "OUTGOING_BATCH_SECONDS", 60.0)
    ana, bea = Person("u-ana", "ana@x.example", "Ana"), Person("u-bea", "bea@x.example", "Bea")
    platform = FakePlatform()
    platform.push(
        Interaction("s-1", InteractionKind.SENT, clock.now() - timedelta(days=2), ana, Post("s-1", "Hola Ana", "es")),
        Interaction("s-2", InteractionKind.SENT, clock.now() - timedelta(hours=2), ana, Post("s-2", "¿Qué tal?", "es")),
        Interaction("s-3", InteractionKind.SENT, clock.now() - timedelta(hours=1), ana, Post("s-3", "¡Hasta!", "es")),
        Interaction("s-4", InteractionKind.SENT, clock.now() - timedelta(days=1), bea, Post("s-4", "Hola Bea", "es")),
        Interaction("n-1", InteractionKind.MENTION, clock.now(), ana, Post("p-1", "¿Qué tal el huerto?", "es")),
        Interaction("n-2", InteractionKind.MENTION, clock.now(), bea, Post("p-2", "¿Qué tal el huerto?", "es")),
    )
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())
    with watching(store) as statements:
        assert draft(store, clock).drafted == 2
    assert statements.count("SELECT count(*) AS count_1 FROM interactions WHERE interactions.contact_id") == 0
    with store.unit_of_work() as uow:
        rates = {d.contact_handle: next(r.message for r in d.decision.results if r.code == "contact_rate")
                 for d in uow.drafts.list(None)}
    limit = POLICY.config.max_messages_per_day
    assert rates == {"ana@x.example": f"2 of {limit} messages today", "bea@x.example": f"0 of {limit} messages today"}
