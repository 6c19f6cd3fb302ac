"""A bad record is skipped with one clear error, the rest of its batch stored, and it never
blocks a later poll, whichever adapter delivered it (FakePlatform hands over domain objects as
any adapter would); on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.errors import StoreError
from bot.services.ingest import poll_account
from bot.store.contacts import ContactRepository
from bot.store.schema import contacts, interactions
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings())
ANA = Person("u-ana", "ana@social.example", "Ana", "Huerto urbano.")


def mention(event_id: str, at: datetime, text: str = "¿Qué tal el huerto?", person: Person = ANA) -> Interaction:
    return Interaction(event_id, InteractionKind.MENTION, at, person, Post(f"p-{event_id}", text, "es"))


def poll(store, platform: FakePlatform, clock, log: RecordingLog | None = None):  # noqa: ANN001, ANN201
    return poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=log or RecordingLog())


def stored_ids(store) -> list[str]:  # noqa: ANN001
    with store.engine.connect() as connection:
        return list(connection.execute(select(interactions.c.event_id).order_by(interactions.c.id)).scalars())


def poison(clock) -> dict[str, Interaction]:  # noqa: ANN001
    """One of each kind of record that used to stop all ingestion, every run."""
    now = clock.now()
    return {
        "early-overflow": mention("early", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))),
        "late-overflow": mention("late", datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-1)))),
        "long-handle": mention("long-handle", now, person=Person("u-long", "l" * 600 + "@x.example")),
        "long-id": mention("i" * 600, now),
        "long-author-id": mention("long-author", now, person=Person("u" * 600, "zoe@x.example")),
        "bidi-handle": mention("bidi", now, person=Person("u-evil", "ana\u202e@social.example")),
    }


@pytest.mark.parametrize("kind", ["early-overflow", "late-overflow", "long-handle", "long-id", "long-author-id",
                                  "bidi-handle"])
def test_a_poison_record_is_skipped_with_one_error_and_the_rest_of_its_batch_stored(store, clock, kind) -> None:  # noqa: ANN001
    platform, log = FakePlatform(), RecordingLog()
    platform.push(mention("n-1", clock.now()), poison(clock)[kind], mention("n-2", clock.now()))
    report = poll(store, platform, clock, log)
    assert stored_ids(store) == ["n-1", "n-2"]
    assert (report.stored, report.skipped) == (2, 1)
    [error] = log.named("interaction.rejected")
    assert error["level"] == "error" and error["account"] == "demo" and error["error"]
    assert "\n" not in error["error"] and len(error["interaction"]) <= 82


def test_a_poison_record_never_blocks_a_later_poll(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(*poison(clock).values())
    platform.push(mention("n-later", clock.now()))
    poll(store, platform, clock)
    assert stored_ids(store) == ["n-later"]
    with store.unit_of_work() as uow:
        assert uow.state.poll_state("demo").cursor == "2"  # moved past every poison record
    again = poll(store, platform, clock)
    assert (again.stored, again.skipped) == (0, 0)


def test_nul_in_text_is_removed_alike_on_every_backend(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    nul_ana = replace(ANA, name="A\x00na", bio="Huerto\x00 urbano.")
    platform.push(mention("n-1", clock.now(), "¿Qué tal\x00 el huerto?", person=nul_ana))
    assert poll(store, platform, clock).stored == 1
    with store.engine.connect() as connection:
        assert connection.execute(select(interactions.c.text)).scalar_one() == "¿Qué tal el huerto?"
        assert connection.execute(select(contacts.c.name, contacts.c.bio)).one() == ("Ana", "Huerto urbano.")


def test_a_record_that_fails_in_storage_is_undone_alone_without_rolling_back_its_batch(
    store, clock, monkeypatch,  # noqa: ANN001
) -> None:
    """A statement the database refuses aborts a PostgreSQL transaction: only a savepoint
    around each record lets the others be stored, and undoes the bad one's contact too."""
    real_touch = ContactRepository.touch

    def touch_failing_for_zoe(self: ContactRepository, contact_id: int, at: datetime, *, signal: bool) -> None:
        handle = self._c.execute(select(contacts.c.handle).where(contacts.c.id == contact_id)).scalar_one()
        if handle.startswith("zoe"):  # a constraint the database enforces, as a record's value might break
            self._c.execute(text("INSERT INTO accounts (name, platform, handle, created_at)"
                                 " SELECT name, platform, handle, created_at FROM accounts"))
        real_touch(self, contact_id, at, signal=signal)

    monkeypatch.setattr(ContactRepository, "touch", touch_failing_for_zoe)
    platform, log = FakePlatform(), RecordingLog()
    platform.push(mention("n-1", clock.now()), mention("n-zoe", clock.now(), person=Person("u-zoe", "zoe@x.example")),
                  mention("n-2", clock.now()))
    report = poll(store, platform, clock, log)
    assert stored_ids(store) == ["n-1", "n-2"] and report.skipped == 1
    with store.engine.connect() as connection:
        assert connection.execute(select(contacts.c.handle)).scalars().all() == ["ana@social.example"]
    [error] = log.named("interaction.rejected")
    assert error["interaction"] == "n-zoe" and "unique" in error["error"].lower()
    assert "INSERT" not in error["error"]  # the driver's reason, not the statement and its values


def test_a_database_outage_is_not_taken_for_a_bad_record(store, clock, monkeypatch) -> None:  # noqa: ANN001
    """Skipping records while the database is down would lose them: the batch is given up and
    its cursor stays, so the next poll reads it again."""

    def locked(self: ContactRepository, *args: object, **kwargs: object) -> None:
        raise OperationalError("UPDATE contacts ...", {}, Exception("database is locked"))

    monkeypatch.setattr(ContactRepository, "touch", locked)
    platform = FakePlatform()
    platform.push(mention("n-1", clock.now()), mention("n-2", clock.now()))
    with pytest.raises(StoreError, match="database is locked"):
        poll(store, platform, clock)
    monkeypatch.undo()
    assert stored_ids(store) == []
    with store.unit_of_work() as uow:
        assert uow.state.poll_state("demo").cursor is None
    platform.delivered = 0
    assert poll(store, platform, clock).stored == 2
