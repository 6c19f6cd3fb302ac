"""Polling a platform into the store: each batch and its cursor in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.models import Batch, Interaction
from bot.domain.validation import validate_interaction
from bot.errors import InvalidRecordError, StoreError
from bot.ports import Clock, PlatformClient
from bot.services.deciding import Policy
from bot.services.reading import Reading, prepare_page, read
from bot.services.recording import record_interaction
from bot.store.interactions import database_faults
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork

Progress = Callable[[str, int], None]  # (account, interactions stored so far): for a progress bar


@dataclass
class PollReport:
    account: str
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    batches: int = 0
    contacts: set[int] = field(default_factory=set)  # everyone seen in this poll


@dataclass
class _Poll:
    """One poll of one account: what every step needs, and the report they fill in."""

    store: SqlAlchemyStore
    client: PlatformClient
    account: str
    clock: Clock
    policy: Policy
    log: Any
    should_stop: Callable[[], bool]
    progress: Progress | None
    report: PollReport


def poll_account(
    store: SqlAlchemyStore, client: PlatformClient, account: str, *, clock: Clock, policy: Policy,
    log: Any, backfill_days: int = 0, should_stop: Callable[[], bool] = lambda: False,
    progress: Progress | None = None,
) -> PollReport:
    """Fetch new interactions until the platform has no more, then backfill history once."""
    poll = _Poll(store, client, account, clock, policy, log, should_stop, progress, PollReport(account))
    while not should_stop():
        with store.unit_of_work() as uow:
            cursor = uow.state.poll_state(account).cursor
        batch = client.fetch_new(cursor)
        _store_batch(poll, batch, cursor_key="cursor")
        if not batch.more:
            break
    if backfill_days and not should_stop():
        _backfill(poll, clock.now() - timedelta(days=backfill_days))
    with store.unit_of_work() as uow:
        uow.state.save_poll_state(account, last_poll_at=clock.now(), last_error=None,
                                  backoff_until=client.backoff_until())
        uow.commit()
    r = poll.report
    log.info("poll.done", account=account, stored=r.stored, known=r.duplicates, unreadable=r.skipped)
    return r


def _backfill(poll: _Poll, since: datetime) -> None:
    while not poll.should_stop():
        with poll.store.unit_of_work() as uow:
            state = uow.state.poll_state(poll.account)
        if state.backfill_done:
            return
        batch = poll.client.fetch_history(state.backfill_cursor, since)
        _store_batch(poll, batch, cursor_key="backfill_cursor", done=not batch.more)
        if batch.interactions:
            poll.log.info("backfill.progress", account=poll.account, stored=poll.report.stored)
        if not batch.more:
            return


def _store_batch(poll: _Poll, batch: Batch, *, cursor_key: str, done: bool | None = None) -> None:
    report, account = poll.report, poll.account
    now = poll.clock.now()
    report.batches += 1
    report.fetched += len(batch.interactions)
    report.skipped += batch.skipped
    readings = _read_page(poll, batch.interactions)  # before the transaction: it holds the write lock
    with poll.store.unit_of_work() as uow:
        outcomes = _store_together(poll, uow, readings, now)
        if outcomes is None:  # one record failed: the batch again, each record on its own
            uow.rollback()
            outcomes = [_store_one(poll, uow, reading, now) for reading in readings]
        values: dict[str, object] = {cursor_key: batch.cursor}
        if done is not None:
            values["backfill_done"] = done
        uow.state.save_poll_state(account, **values)
        uow.commit()  # the cursor moves only together with what it covers
    for reading, outcome in zip(readings, outcomes, strict=True):
        _count(poll, reading.interaction, outcome)
    if poll.progress is not None:
        poll.progress(account, report.stored)


def _read_page(poll: _Poll, interactions: tuple[Interaction, ...]) -> list[Reading]:
    """Each record validated and read (`bot.services.reading`); a bad one is skipped with one
    error line, the page goes on."""
    valid = []
    for interaction in interactions:
        try:
            valid.append(validate_interaction(interaction))
        except Exception as error:  # noqa: BLE001 - whatever one record does, the others are stored
            _rejected(poll, interaction, error)
    with poll.store.unit_of_work(read_only=True) as uow:  # a re-poll need not read them again
        stored = uow.interactions.stored_events(poll.account, [i.id for i in valid])
    prepare_page([i for i in valid if i.id not in stored], poll.policy)
    readings = []
    for interaction in valid:
        try:
            readings.append(Reading(interaction, analysed=False) if interaction.id in stored
                            else read(interaction, poll.policy))
        except Exception as error:  # noqa: BLE001
            _rejected(poll, interaction, error)
    return readings


def _rejected(poll: _Poll, interaction: Interaction, error: Exception) -> None:
    poll.report.skipped += 1
    poll.log.error("interaction.rejected", account=poll.account, interaction=_shown(interaction.id),
                   error=_reason(error))


# What storing a record came to: its contact's id, None if it was stored already, or why it was refused.
_Outcome = int | None | Exception


def _store_together(poll: _Poll, uow: SqlUnitOfWork, readings: list[Reading], now: datetime) -> list[_Outcome] | None:
    """Every record of the batch in the batch's transaction, with no savepoint around each (two
    statements a record); None when one of them fails, and then nothing of what they wrote may
    be kept (on PostgreSQL the transaction is aborted)."""
    outcomes: list[_Outcome] = []
    for reading in readings:
        try:
            with database_faults():
                outcomes.append(record_interaction(uow, poll.account, reading.interaction, now=now,
                                                   policy=poll.policy, reading=reading))
        except StoreError:
            raise  # the database itself: nothing of the batch is kept, and it is read again next time
        except Exception:  # noqa: BLE001 - the batch is stored again record by record
            return None
    return outcomes


def _store_one(poll: _Poll, uow: SqlUnitOfWork, reading: Reading, now: datetime) -> _Outcome:
    """One record on its own: a bad one is skipped with one error line, the batch goes on.

    Here, not in the adapters, so that no adapter can let one record stop a whole account:
    the batch's cursor then moves past it, and it never blocks a later poll either.
    """
    try:
        with uow.interactions.isolated():
            return record_interaction(uow, poll.account, reading.interaction, now=now, policy=poll.policy,
                                      reading=reading)
    except StoreError:
        raise  # the database itself: nothing of the batch is kept, and it is read again next time
    except Exception as error:  # noqa: BLE001 - whatever one record does, the others are stored
        return error


def _count(poll: _Poll, interaction: Interaction, contact_id: _Outcome) -> None:
    """Report what storing one record came to, once its batch is committed."""
    report = poll.report
    if isinstance(contact_id, Exception):
        _rejected(poll, interaction, contact_id)
        return
    if contact_id is None:
        report.duplicates += 1
        return
    report.stored += 1
    report.contacts.add(contact_id)
    poll.log.debug("interaction.stored", account=poll.account, interaction=interaction.id,
                   kind=interaction.kind.value)


def _shown(value: object) -> str:
    """An id fit for a log line, whatever the platform sent: bounded, controls escaped."""
    text = str(value)
    return text if len(text) <= 80 and text.isprintable() else repr(text[:80])


def _reason(error: Exception) -> str:
    """One line: what the record's data broke. A driver error says it in `orig`; its own text
    would repeat the statement and the record's values."""
    if isinstance(error, InvalidRecordError):
        return str(error)
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line[:200]}"
