"""Turning stored messages into reply drafts for a person to review."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.categories import Category
from bot.domain.contacts import Contact
from bot.domain.draft_context import DraftContext
from bot.domain.drafts import Suggestion
from bot.domain.memory import ContactMemory
from bot.domain.models import StoredInteraction
from bot.domain.stages import Stage
from bot.ports import Clock, Drafter
from bot.services.deciding import Policy
from bot.services.draft_records import record_drafts, reply_target
from bot.services.drafter_calls import THREAD_LOOKBACK, ask_drafter, context_for, moved_on
from bot.services.followups import FOLLOWUP_COOLDOWN, memory_for_reply, replaceable
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork


@dataclass
class DraftReport:
    account: str
    drafted: int = 0
    blocked: int = 0
    skipped: int = 0
    folded: int = 0  # messages folded into a reply already waiting for a person
    fell_back: int = 0  # messages drafted by the fallback drafter because the model failed
    fallback: str | None = None  # the last of those: "template (model failed: timeout after 30 s)"


# How long a drafter may hold a message before another may take it: far longer than any
# drafting call (the model's requests time out well before), so that only a drafter that died
# (a crash, SIGKILL, a container lost with its host) ever loses its claim. A live drafter
# slower than this loses only its own work: it records only under the claim it took, which
# the next drafter replaced, so there are never two drafts for one message.
CLAIM_LEASE = timedelta(minutes=15)

# Messages drafted before their suggestions are assessed together, so that the encoder reads
# them in one call (a sentence costs it a fraction of what a call does). Gathering stops after
# `OUTGOING_BATCH_SECONDS`, so that a slow drafter's replies are recorded one by one. The
# outgoing detector's cache (512 verdicts) holds a batch's suggestions, up to three a message.
OUTGOING_BATCH = 32
OUTGOING_BATCH_SECONDS = 1.0


@dataclass
class _Drafting:
    """One drafting pass over one account: what every step needs, and the report they fill in."""

    store: SqlAlchemyStore
    drafter: Drafter
    platform: str
    clock: Clock
    policy: Policy
    log: Any
    max_age: timedelta | None
    suggestions: int
    report: DraftReport
    followup_cooldown: timedelta = FOLLOWUP_COOLDOWN
    pace: float | None = None  # seconds the drafter took a message so far: how many to claim at once
    taken: int = 0  # messages claimed so far


def draft_replies(
    store: SqlAlchemyStore, drafter: Drafter, account: str, platform: str, *, clock: Clock,
    policy: Policy, log: Any, max_age: timedelta | None = None, suggestions: int = 1,
    should_stop: Callable[[], bool] = lambda: False, claim_lease: timedelta = CLAIM_LEASE,
    followup_cooldown: timedelta = FOLLOWUP_COOLDOWN,
) -> DraftReport:
    """Draft a reply for every stored message that still awaits one, each by one drafter only.

    Several processes may draft one account at once (two `run --once`, replicas): a message is
    claimed with a conditional update, and the claim committed, before the drafter is called,
    so the others pass it by (on PostgreSQL, one being claimed is passed by too). A drafter that
    dies holding a claim leaves its message `drafting:<minute>`; once `claim_lease` has passed,
    the next pass puts it back in the queue.
    A subject from memory is followed up once per `followup_cooldown` (see `followups`).
    """
    run = _Drafting(store, drafter, platform, clock, policy, log, max_age, suggestions, DraftReport(account),
                    followup_cooldown)
    with store.unit_of_work() as uow:
        released = uow.interactions.release_lapsed_claims(account, clock.now() - claim_lease)
        uow.commit()
    if released:
        log.warning("draft.claims_released", account=account, messages=released,
                    why="a drafter stopped before finishing them")
    while not should_stop():
        with store.unit_of_work() as uow:
            waiting = deque(uow.interactions.awaiting_draft(account, limit=200))
        if not waiting:
            break
        taken = run.taken
        while waiting and not should_stop():
            _finish(run, _ask_some(run, waiting, should_stop))
        if run.taken == taken:
            break  # all of them another drafter's, or held by one this moment: it drafts them
    return run.report


@dataclass
class _Asked:
    """A message claimed and drafted, whose suggestions are neither assessed nor recorded yet."""

    stored: StoredInteraction
    claim: str
    contact: Contact
    language: str | None  # the message's, which its replies are written in
    offered: list[Suggestion]


@dataclass
class _Claimed:
    """A message taken for drafting, with what the drafter may know."""

    stored: StoredInteraction
    claim: str
    contact: Contact
    memory: ContactMemory
    context: DraftContext


def _ask_some(run: _Drafting, waiting: deque[StoredInteraction], should_stop: Callable[[], bool]) -> list[_Asked]:
    """Claim and draft the next messages, as many as `OUTGOING_BATCH` or as come in
    `OUTGOING_BATCH_SECONDS`: a fast drafter's suggestions are then assessed in one encoder call,
    while a model's reply, seconds in the making, is recorded as soon as it comes, as before.

    Messages are claimed a chunk at a time, in one transaction, as many as the drafter's pace so
    far says it drafts in the time left (one while that pace is unknown, or slower than the time)."""
    asked: list[_Asked] = []
    started = time.monotonic()
    while waiting and len(asked) < OUTGOING_BATCH and not should_stop():
        elapsed = time.monotonic() - started
        if asked and elapsed >= OUTGOING_BATCH_SECONDS:
            break
        size = 1 if run.pace is None else int((OUTGOING_BATCH_SECONDS - elapsed) / max(run.pace, 1e-6))
        size = max(1, min(size, OUTGOING_BATCH - len(asked), len(waiting)))
        chunk = [waiting.popleft() for _ in range(size)]
        chunk_started = time.monotonic()
        claimed = _claim(run, chunk, run.clock.now())
        _ask(run, claimed, asked, waiting, started, should_stop)
        run.pace = (time.monotonic() - chunk_started) / size
    return asked


def _ask(
    run: _Drafting, claimed: list[_Claimed], asked: list[_Asked], waiting: deque[StoredInteraction],
    started: float, should_stop: Callable[[], bool],
) -> None:
    """Draft the claimed messages into `asked`; those the time or a stop leaves are given back,
    to the queue's front."""
    for index, item in enumerate(claimed):
        if index and (should_stop() or time.monotonic() - started >= OUTGOING_BATCH_SECONDS):
            _give_back(run.store, [(c.stored, c.claim) for c in claimed[index:]])
            waiting.extendleft(reversed([c.stored for c in claimed[index:]]))
            return
        post = item.stored.interaction.post
        assert post is not None, "only messages await drafts"
        try:
            offered = ask_drafter(run.drafter, item.contact, reply_target(item.stored), post.language, item.memory,
                                  item.context)
        except BaseException:
            # To the next pass, rather than at the lease's end.
            _give_back(run.store, [(c.stored, c.claim) for c in claimed[index:]])
            _finish(run, asked)  # those drafted before it are kept, as if drafted one by one
            raise
        asked.append(_Asked(item.stored, item.claim, item.contact, post.language, offered[:run.suggestions]))


def _claim(run: _Drafting, chunk: list[StoredInteraction], now: datetime) -> list[_Claimed]:
    """Take these messages, in one transaction, and read what the drafter needs (each person's
    facts and drafts in one statement for all); those another drafter took first are passed by,
    and those that need no draft are marked so."""
    claimed: list[_Claimed] = []
    skipped: list[tuple[StoredInteraction, str]] = []
    with run.store.unit_of_work() as uow:
        claim, taken = uow.interactions.claim_many_for_drafting([s.id for s in chunk], now)
        mine = [stored for stored in chunk if stored.id in taken]
        run.taken += len(mine)
        contacts = uow.contacts.get_many({stored.contact_id for stored in mine})
        latest = uow.interactions.for_contacts({stored.contact_id for stored in mine}, limit=THREAD_LOOKBACK)
        to_draft = []
        for stored in mine:  # forgetting a contact deletes its messages: each has its contact
            why_not = skip_reason(uow, stored, contacts[stored.contact_id], now, run.max_age,
                                  latest[stored.contact_id])
            if why_not:
                skipped.append((stored, why_not))
            else:
                to_draft.append(stored)
        people = {stored.contact_id for stored in to_draft}
        facts, drafts = uow.contacts.facts_of(people), uow.drafts.for_contacts(people)
        written = uow.state.edited_drafts([d for person in people for d in replaceable(drafts[person])])
        for stored in to_draft:
            contact, post = contacts[stored.contact_id], stored.interaction.post
            assert post is not None, "only messages await drafts"
            memory = memory_for_reply(uow, contact, post, now, cooldown=run.followup_cooldown,
                                      drafts=drafts[contact.id], facts=facts[contact.id], written=written)
            context = context_for(uow, stored, contact, run.platform, latest[contact.id])
            claimed.append(_Claimed(stored, claim, contact, memory, context))
        uow.interactions.finish_many([stored.id for stored, _ in skipped], claim, "skipped")
        uow.commit()
    for stored, why_not in skipped:
        run.report.skipped += 1
        run.log.debug("draft.skipped", reason=why_not, account=stored.account, interaction=stored.interaction.id)
    return claimed


def _finish(run: _Drafting, asked: list[_Asked]) -> None:
    """Assess the suggestions, then record them all in one transaction: none is open while the
    encoder (in one batch) or a judge works, and `decide` finds their verdicts cached. What was
    assessed before a failure is recorded; the rest goes back to the queue."""
    ready, failure = _assess(run, asked)
    recorded = 0
    try:
        recorded = record_drafts(run, asked[:ready])
    finally:
        _give_back(run.store, [(item.stored, item.claim) for item in asked[recorded:]])
    if failure is not None:
        raise failure


def _assess(run: _Drafting, asked: list[_Asked]) -> tuple[int, BaseException | None]:
    """How many messages' suggestions were assessed, and the failure that stopped the rest."""
    try:
        run.policy.prepare_outgoing([(s.text, item.language) for item in asked for s in item.offered])
        for index, item in enumerate(asked):
            try:
                for suggestion in item.offered:
                    run.policy.assess(suggestion.text, item.language, item.contact.stage)
            except BaseException as error:  # noqa: BLE001 - raised again once the others are recorded
                return index, error
    except BaseException as error:  # noqa: BLE001
        return 0, error
    return len(asked), None


def _give_back(store: SqlAlchemyStore, claims: list[tuple[StoredInteraction, str]]) -> None:
    if not claims:
        return
    try:
        with store.unit_of_work() as uow:
            for claim in {c for _, c in claims}:
                uow.interactions.finish_many([stored.id for stored, c in claims if c == claim], claim, "pending")
            uow.commit()
    except Exception:  # noqa: BLE001, S110 - the drafter's error is the one to raise; the lease frees it
        pass


def skip_reason(
    uow: SqlUnitOfWork, stored: StoredInteraction, contact: Contact, now: datetime, max_age: timedelta | None,
    latest: list[StoredInteraction] | None = None,
) -> str | None:
    """Why this message gets no draft at all, or None. `latest`: the person's latest
    interactions, when the caller read them (`drafter_calls.moved_on`)."""
    if reason := contact.not_to_be_written_to:
        return reason
    if stored.category == Category.OPT_OUT.value:
        return "opt_out_message"
    if stored.category == Category.PITCH.value and contact.stage < Stage.ACQUAINTANCE:
        return "incoming_pitch"
    if max_age is not None and now - stored.interaction.at > max_age:
        return "too_old"
    moved = None if latest is None else moved_on(stored, latest)
    if moved is None:
        moved = uow.interactions.newer_in_thread(stored)
    if moved:
        return "conversation_moved_on"
    return None

