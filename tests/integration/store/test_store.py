"""The store on SQLite and PostgreSQL: schema, idempotent ingestion, drafts and claims."""

from __future__ import annotations

import os
import stat
import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.domain.decisions import Decision, Outcome, RuleResult
from bot.domain.drafts import Draft, DraftStatus, ReplyTarget, new_draft_id
from bot.domain.models import Interaction, InteractionKind, Person, Post, Visibility
from bot.store.schema import metadata
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock

NOW = FakeClock().now()
ANA = Person(platform_id="u-ana", handle="ana@social.example", name="Ana", bio="Huerto urbano.")


def mention(event_id: str = "n-1", visibility: Visibility = Visibility.PUBLIC) -> Interaction:
    return Interaction(event_id, InteractionKind.MENTION, NOW, ANA, Post("p-1", "¿Qué tal?", "es", visibility))


def test_migrations_build_exactly_the_declared_schema(store: SqlAlchemyStore) -> None:
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_opening_twice_applies_no_migration_the_second_time(database_url: str) -> None:
    first = SqlAlchemyStore(database_url)
    second = SqlAlchemyStore(database_url, migrate=False)
    assert second.upgrade() is False
    first.close()
    second.close()


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "sub" / "rapport.db"
    store = SqlAlchemyStore(f"sqlite:///{path}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.close()


def test_the_same_notification_stored_twice_is_one_row(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        contact = uow.contacts.resolve("demo", ANA, NOW)
        first = uow.interactions.add("demo", contact.id, mention(), now=NOW)
        second = uow.interactions.add("demo", contact.id, mention(), now=NOW)
        uow.commit()
    assert first is not None and second is None
    with store.unit_of_work() as uow:
        assert len(uow.interactions.for_contact(contact.id)) == 1


def test_a_contact_known_by_handle_is_adopted_when_its_id_appears(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        by_handle = uow.contacts.resolve("demo", Person(platform_id=None, handle="ANA@social.example"), NOW)
        by_id = uow.contacts.resolve("demo", ANA, NOW)
        uow.commit()
    assert by_handle.id == by_id.id
    assert by_id.platform_id == "u-ana" and by_id.bio == "Huerto urbano."


def test_a_changed_handle_keeps_the_contact(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        before = uow.contacts.resolve("demo", ANA, NOW)
        after = uow.contacts.resolve("demo", Person(platform_id="u-ana", handle="ana@new.example"), NOW)
        uow.commit()
    assert before.id == after.id and after.handle == "ana@new.example"


def test_leaving_a_unit_of_work_without_commit_keeps_nothing(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        uow.contacts.resolve("demo", ANA, NOW)
    with store.unit_of_work() as uow:
        assert uow.contacts.list() == []


def _draft(store: SqlAlchemyStore, status: DraftStatus = DraftStatus.APPROVED, **changes) -> Draft:  # noqa: ANN003
    with store.unit_of_work() as uow:
        contact = uow.contacts.resolve("demo", ANA, NOW)
        row = uow.interactions.add("demo", contact.id, mention(new_draft_id(), Visibility.DIRECT), now=NOW)
        decision = Decision((RuleResult("pitch_stage", Outcome.ALLOW, "not a pitch"),), stage="first_contact")
        draft = Draft(
            id=new_draft_id(), account="demo", platform="sandbox", contact_id=contact.id,
            contact_handle=contact.handle,
            target=ReplyTarget(row, "p-1", "¿Qué tal?", "p-1", "direct", at=NOW), text="¡Muy bien!", language="es",
            status=status, decision=decision, created_at=NOW, updated_at=NOW, visibility="direct", **changes,
        )
        uow.drafts.add(draft)
        uow.commit()
    return draft


def test_a_draft_round_trips_with_its_decision_and_target(store: SqlAlchemyStore) -> None:
    draft = _draft(store, DraftStatus.PENDING)
    with store.unit_of_work() as uow:
        loaded = uow.drafts.get(draft.id)
    assert loaded is not None
    assert loaded.decision == draft.decision
    assert loaded.target == draft.target
    assert (loaded.text, loaded.status, loaded.visibility, loaded.created_at) == (
        "¡Muy bien!", DraftStatus.PENDING, "direct", NOW)
    assert loaded.contact_stage == "audience"


def test_claiming_takes_due_approved_drafts_once(store: SqlAlchemyStore) -> None:
    due = _draft(store)
    later = _draft(store, not_before=NOW + timedelta(hours=1))
    _draft(store, DraftStatus.PENDING)
    with store.unit_of_work() as uow:
        claimed = uow.drafts.claim_sendable("me", NOW, timedelta(minutes=5))
        uow.commit()
    assert [d.id for d in claimed] == [due.id]
    assert claimed[0].status is DraftStatus.SENDING and claimed[0].attempts == 1
    with store.unit_of_work() as uow:
        assert uow.drafts.claim_sendable("other", NOW, timedelta(minutes=5)) == []
        assert [d.id for d in uow.drafts.claim_sendable("other", NOW + timedelta(hours=2), timedelta(hours=5))] == [later.id]


def test_a_lapsed_sending_claim_is_taken_again(store: SqlAlchemyStore) -> None:
    draft = _draft(store)
    with store.unit_of_work() as uow:
        uow.drafts.claim_sendable("crashed", NOW, timedelta(minutes=5))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.drafts.claim_sendable("me", NOW + timedelta(minutes=4), timedelta(minutes=5)) == []
        again = uow.drafts.claim_sendable("me", NOW + timedelta(minutes=6), timedelta(minutes=5))
    assert [d.id for d in again] == [draft.id] and again[0].attempts == 2


@pytest.mark.postgres
def test_concurrent_claimers_never_take_the_same_draft(store: SqlAlchemyStore) -> None:
    if store.backend != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are a PostgreSQL feature; SQLite serialises writers")
    ids = {_draft(store).id for _ in range(12)}
    taken: list[str] = []
    barrier = threading.Barrier(4)

    def claimer(name: str) -> None:
        barrier.wait()
        while True:
            with store.unit_of_work() as uow:
                got = uow.drafts.claim_sendable(name, NOW, timedelta(minutes=5), limit=1)
                uow.commit()
            if not got:
                return
            taken.extend(d.id for d in got)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(ids)


def test_a_writer_waits_for_a_concurrent_writer_instead_of_failing(database_url: str) -> None:
    store = SqlAlchemyStore(database_url)
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me", NOW)
        uow.commit()
    holding = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with store.unit_of_work() as uow:
            uow.contacts.resolve("demo", ANA, NOW)  # takes the write lock
            holding.set()
            release.wait(5)
            uow.commit()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    holding.wait(5)
    threading.Timer(0.5, release.set).start()
    with store.unit_of_work() as uow:
        uow.contacts.resolve("demo", Person("u-bo", "bo@x.example"), NOW)
        uow.commit()
    holder.join()
    with store.unit_of_work() as uow:
        assert {c.handle for c in uow.contacts.list()} == {"ana@social.example", "bo@x.example"}
    store.close()


def test_upgrading_from_the_first_schema_keeps_the_data(database_url: str) -> None:
    from bot.store.database import create_database_engine, current_revision, upgrade

    engine = create_database_engine(database_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (name, platform, handle, created_at) VALUES ('old', 'sandbox', 'me', :at)"
        ), {"at": NOW.replace(tzinfo=None)})
        connection.execute(text(
            "INSERT INTO contacts (account, handle, name, bio, fields, bot, stage, stage_reason, conversations,"
            " conversation_days, reciprocal_conversations, known_facts, signals, trusted, opted_out,"
            " exchanges_since_pitch) VALUES ('old', 'Émilie@X', 'Émilie', '', '[]', false, 'first_contact', '',"
            " 1, 1, 0, 0, 0, false, false, 0)"
        ))
    engine.dispose()
    store = SqlAlchemyStore(database_url)
    assert current_revision(store.engine) == "0007"
    with store.unit_of_work() as uow:
        [emilie] = uow.contacts.list("old")
    assert emilie.handle == "Émilie@X" and emilie.stage.value == "first_contact" and emilie.last_checkin_at is None
    with store.engine.connect() as connection:
        key = connection.execute(text("SELECT handle_key FROM contacts")).scalar_one()
    assert key == "émilie@x"  # the key is filled in for contacts stored before it existed
    store.close()


def test_the_schema_head_constant_is_alembics_head() -> None:
    from bot.store.database import SCHEMA_HEAD, head_revision

    assert SCHEMA_HEAD == head_revision()


def test_a_reader_does_not_wait_for_a_writer(database_url: str) -> None:
    # A reader that waited would fail after this timeout: the writer holds on until it has read.
    store = SqlAlchemyStore(database_url, busy_timeout=2)
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me", NOW)
        uow.commit()
    holding, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with store.unit_of_work() as uow:
            uow.contacts.resolve("demo", ANA, NOW)
            holding.set()
            release.wait(10)
            uow.commit()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    holding.wait(5)
    try:
        with store.unit_of_work(read_only=True) as uow:
            seen = uow.contacts.list()
    finally:
        release.set()
        holder.join()
    assert seen == []  # the last committed state, read while the writer still held its lock
    store.close()
