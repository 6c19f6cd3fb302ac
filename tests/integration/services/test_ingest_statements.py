"""Storing a batch runs only the statements it needs (SQLAlchemy costs some 50-80 us a statement):
no savepoint around each record unless one of them fails, nothing looked up about a contact
created a moment ago; and it stores what it stored before; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.services.ingest import poll_account
from bot.store.schema import conversations
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings())
ANA = Person("u-ana", "ana@social.example", "Ana", "Urban gardener. Nurse at a hospital.")


@contextmanager
def statements(store: SqlAlchemyStore) -> Iterator[list[str]]:
    seen: list[str] = []

    def executed(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        seen.append(" ".join(statement.split()))

    event.listen(store.engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", executed)


def mention(n: int, clock, person: Person, thread: str | None = None) -> Interaction:  # noqa: ANN001
    return Interaction(f"n-{n}", InteractionKind.MENTION, clock.now() + timedelta(minutes=n), person,
                       Post(f"p-{n}", f"¿Qué tal el huerto? Mañana planto tomates ({n})", "es", thread=thread))


def poll(store: SqlAlchemyStore, platform: FakePlatform, clock):  # noqa: ANN001, ANN201
    return poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())


def test_a_batch_of_good_records_takes_no_savepoints_and_looks_up_nothing_of_new_contacts(
    store, clock,  # noqa: ANN001
) -> None:
    platform = FakePlatform()
    platform.push(*[mention(n, clock, Person(f"u-{n}", f"p{n}@x.example", f"P{n}", "Nurse.")) for n in range(5)])
    with statements(store) as seen:
        assert poll(store, platform, clock).stored == 5
    assert not [s for s in seen if "SAVEPOINT" in s]
    assert not [s for s in seen if s.startswith(("SELECT conversations", "SELECT count(*) AS count_1 FROM conv"))]
    assert not [s for s in seen if s.startswith("SELECT facts")]


def test_a_persons_second_message_in_the_same_batch_is_counted_into_the_same_conversation(
    store, clock,  # noqa: ANN001
) -> None:
    platform = FakePlatform()
    platform.push(mention(1, clock, ANA), mention(2, clock, ANA, thread="p-1"))
    assert poll(store, platform, clock).stored == 2
    with store.unit_of_work() as uow:
        [contact] = uow.contacts.find("ana@social.example")
        facts = uow.contacts.facts(contact.id)
    with store.engine.connect() as connection:
        assert connection.execute(select(conversations.c.inbound)).scalars().all() == [2]
    assert (contact.counters.conversations, contact.counters.conversation_days) == (1, 1)
    assert contact.exchanges_since_pitch == 2
    assert contact.counters.known_facts == sum(1 for f in facts if f.source != "topic") > 0
