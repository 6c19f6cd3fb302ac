"""Stage changes are recorded as they happen, and migration 0006 replays older stores once;
on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.services import contacts as people
from bot.store.database import MIGRATIONS
from bot.store.schema import contacts, stage_changes
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock
from tests.report_fixture import ANA, DARIO, POLICY, at, build_network


def _history(store: SqlAlchemyStore) -> list[tuple]:
    """(handle, when, from, to, cause) for every recorded change, by handle and time."""
    query = (sa.select(contacts.c.handle, stage_changes.c.at, stage_changes.c.from_stage, stage_changes.c.to_stage,
                       stage_changes.c.cause)
             .join(contacts, contacts.c.id == stage_changes.c.contact_id)
             .order_by(contacts.c.handle, stage_changes.c.at, stage_changes.c.id))
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def test_each_stage_change_is_recorded_with_its_date_and_cause(store: SqlAlchemyStore) -> None:
    build_network(store)
    history = [h for h in _history(store) if h[0] in (ANA.handle, DARIO.handle)]
    assert history == [
        (ANA.handle, at(8, 1), "audience", "first_contact", "message"),
        (ANA.handle, at(8, 10), "first_contact", "acquaintance", "message"),
        (ANA.handle, at(9, 10, 10, 30), "acquaintance", "relationship", "message"),
        (DARIO.handle, at(7, 15), "audience", "first_contact", "message"),
        (DARIO.handle, at(11, 20, 9), "first_contact", "trusted", "trusted"),
    ]


def test_untrusting_records_the_step_back_and_forgetting_erases_the_history(store: SqlAlchemyStore) -> None:
    build_network(store)
    clock = FakeClock(at(11, 25))
    people.set_trust(store, DARIO.handle, False, account="demo", policy=POLICY, clock=clock, actor="test")
    dario = [h for h in _history(store) if h[0] == DARIO.handle]
    assert dario[-1] == (DARIO.handle, at(11, 25, 10), "trusted", "acquaintance", "untrusted")
    people.forget(store, DARIO.handle, account="demo", clock=clock, actor="test")
    assert [h for h in _history(store) if h[0] == DARIO.handle] == []


def _back_to_0005(store: SqlAlchemyStore) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")


def test_the_migration_replays_stored_history_into_the_same_changes(database_url: str) -> None:
    store = SqlAlchemyStore(database_url)
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me@sandbox.example", at(7, 1))
        uow.commit()
    build_network(store)
    recorded = _history(store)
    _back_to_0005(store)
    store.close()
    replayed = _history(SqlAlchemyStore(database_url))
    assert [(h, when, a, b) for h, when, a, b, _ in replayed] == [(h, when, a, b) for h, when, a, b, _ in recorded]
    assert {cause for *_, cause in replayed} == {"replay:message", "replay:trusted"}


def test_the_migration_ends_every_history_at_the_stored_stage(database_url: str) -> None:
    store = SqlAlchemyStore(database_url)
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me@sandbox.example", at(7, 1))
        uow.commit()
    build_network(store)
    _back_to_0005(store)
    with store.engine.begin() as connection:  # as a store with other thresholds would have placed her
        connection.execute(sa.text("UPDATE contacts SET stage = 'acquaintance' WHERE handle = :h"), {"h": ANA.handle})
    store.close()
    ana = [h for h in _history(SqlAlchemyStore(database_url)) if h[0] == ANA.handle]
    assert [(a, b, cause) for _, _, a, b, cause in ana] == [
        ("audience", "first_contact", "replay:message"), ("first_contact", "acquaintance", "replay:message"),
        ("acquaintance", "relationship", "replay:message"), ("relationship", "acquaintance", "replay:stored"),
    ]
