"""People are found by their handle however it is typed: handles meet on a stored case-folded key,
on SQLite (whose `lower()` folds only ASCII) and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.domain.handles import handle_key
from bot.domain.models import Person
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock

NOW = FakeClock().now()
EMILIE = Person(platform_id="u-emilie", handle="Émilie@Rive.example", name="Émilie")


def stored_keys(store: SqlAlchemyStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(text("SELECT handle_key FROM contacts ORDER BY id")).scalars())


@pytest.mark.parametrize("typed", ["Émilie@Rive.example", "émilie@rive.example", "ÉMILIE@RIVE.EXAMPLE",
                                   "@émilie@rive.example", "E\u0301milie@rive.example"])
def test_a_handle_with_a_non_ascii_capital_is_found_however_it_is_typed(store: SqlAlchemyStore, typed: str) -> None:
    with store.unit_of_work() as uow:
        stored = uow.contacts.resolve("demo", EMILIE, NOW)
        uow.commit()
    with store.unit_of_work() as uow:
        assert [c.id for c in uow.contacts.find(typed)] == [stored.id]
        assert [c.id for c in uow.contacts.find(typed, "demo")] == [stored.id]
        assert uow.contacts.find(typed, "other") == []


def test_every_new_contact_stores_its_folded_key(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        uow.contacts.resolve("demo", EMILIE, NOW)
        uow.contacts.resolve("demo", Person(platform_id=None, handle="@Straße@Berlin.example"), NOW)
        uow.commit()
    assert stored_keys(store) == ["émilie@rive.example", "strasse@berlin.example"]


def test_a_sent_message_to_a_known_person_in_another_case_adds_no_second_contact(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        known = uow.contacts.resolve("demo", EMILIE, NOW)
        again = uow.contacts.resolve("demo", Person(platform_id=None, handle="émilie@rive.example"), NOW)
        uow.commit()
    with store.unit_of_work() as uow:
        assert again.id == known.id and len(uow.contacts.list()) == 1
        assert uow.contacts.get(known.id).handle == "Émilie@Rive.example"  # the platform's spelling stays


def test_a_person_first_known_from_a_sent_message_is_adopted_when_they_write(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        by_handle = uow.contacts.resolve("demo", Person(platform_id=None, handle="ÉMILIE@RIVE.EXAMPLE"), NOW)
        by_id = uow.contacts.resolve("demo", EMILIE, NOW)
        uow.commit()
    with store.unit_of_work() as uow:
        [only] = uow.contacts.list()
    assert by_id.id == by_handle.id == only.id and only.platform_id == "u-emilie"
    assert only.handle == "Émilie@Rive.example" and stored_keys(store) == ["émilie@rive.example"]


def test_a_changed_handle_is_found_by_its_new_spelling_only(store: SqlAlchemyStore) -> None:
    with store.unit_of_work() as uow:
        uow.contacts.resolve("demo", EMILIE, NOW)
        uow.contacts.resolve("demo", Person(platform_id="u-emilie", handle="Émilie@Mer.example"), NOW)
        uow.commit()
    with store.unit_of_work() as uow:
        assert [c.handle for c in uow.contacts.find("émilie@mer.example")] == ["Émilie@Mer.example"]
        assert uow.contacts.find("émilie@rive.example") == []


def test_a_handle_whose_key_folds_longer_than_the_column_is_stored_and_found(store: SqlAlchemyStore) -> None:
    """ "ß" folds to "ss": 200 of them make a 400-character key, which PostgreSQL would refuse uncut."""
    handle = "ß" * 200 + "@x.example"
    with store.unit_of_work() as uow:
        stored = uow.contacts.resolve("demo", Person(platform_id="u-long", handle=handle), NOW)
        uow.commit()
    with store.unit_of_work() as uow:
        assert [c.id for c in uow.contacts.find(handle.upper())] == [stored.id]
    assert stored_keys(store) == [handle_key(handle)[:255]]


def test_contacts_stored_before_the_key_existed_are_found_after_the_upgrade(database_url: str) -> None:
    from bot.store.database import create_database_engine, upgrade

    engine = create_database_engine(database_url)
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (name, platform, handle, created_at) VALUES ('old', 'sandbox', 'me', :at)"
        ), {"at": NOW.replace(tzinfo=None)})
        connection.execute(text(
            "INSERT INTO contacts (account, handle, name, bio, fields, bot, stage, stage_reason, conversations,"
            " conversation_days, reciprocal_conversations, known_facts, signals, trusted, opted_out,"
            " exchanges_since_pitch) VALUES ('old', 'Émilie@Rive.example', 'Émilie', '', '[]', false, 'audience',"
            " '', 0, 0, 0, 0, 0, false, false, 0)"
        ))
    engine.dispose()
    store = SqlAlchemyStore(database_url)
    with store.unit_of_work() as uow:
        [found] = uow.contacts.find("ÉMILIE@RIVE.EXAMPLE")
        adopted = uow.contacts.resolve("old", Person(platform_id=None, handle="émilie@rive.example"), NOW)
    assert found.handle == "Émilie@Rive.example" and adopted.id == found.id
    store.close()
