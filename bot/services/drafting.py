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
from bot.domain.drafts import Draft, DraftStatus, ReplyTarget, Suggestion, new_draft_id
from bot.domain.memory import ContactMemory
from bot.domain.models import StoredInteraction
from bot.domain.stages import Stage
from bot.ports import Clock, Drafter
from bot.services import folding
from bot.services.deciding import Policy
from bot.services.drafter_calls import ask_drafter, context_for
from bot.services.followups import FOLLOWUP_COOLDOWN, memory_for_reply
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


def draft_replies(
    store: SqlAlchemyStore, drafter: Drafter, account: str, platform: str, *, clock: Clock,
    policy: Policy, log: Any, max_age: timedelta | None = None, suggestions: int = 1,
    should_stop: Callable[[], bool] = lambda: False, claim_lease: timedelta = CLAIM_LEASE,
    followup_cooldown: timedelta = FOLLOWUP_COOLDOWN,
) -> DraftReport:
    """Draft a reply for every stored message that still awaits one, each by one drafter only.

    Several processes may draft one account at once (two `run --once`, replicas): a message is
    claimed with a conditional update, and the claim committed, before the drafter is called,
    so the others pass it by. A drafter that dies holding a claim leaves its message
    `drafting:<minute>`; once `claim_lease` has passed, the next pass puts it back in the queue.
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
        while waiting and not should_stop():
            _finish(run, _ask_some(run, waiting, should_stop))
    return run.report


@dataclass
class _Asked:
    """A message claimed and drafted, whose suggestions are neither assessed nor recorded yet."""

    stored: StoredInteraction
    claim: str
    contact: Contact
    language: str | None  # the message's, which its replies are written in
    offered: list[Suggestion]


def _ask_some(run: _Drafting, waiting: deque[StoredInteraction], should_stop: Callable[[], bool]) -> list[_Asked]:
    """Claim and draft the next messages, as many as `OUTGOING_BATCH` or as come in
    `OUTGOING_BATCH_SECONDS`: a fast drafter's suggestions are then assessed in one encoder call,
    while a model's reply, seconds in the making, is recorded as soon as it comes, as before."""
    asked: list[_Asked] = []
    started = time.monotonic()
    while waiting and len(asked) < OUTGOING_BATCH and not should_stop():
        if asked and time.monotonic() - started >= OUTGOING_BATCH_SECONDS:
            break
        stored = waiting.popleft()
        claimed = _claim(run, stored, run.clock.now())
        if claimed is None:
            continue
        claim, contact, memory, context = claimed
        post = stored.interaction.post
        assert post is not None, "only messages await drafts"
        try:
            offered = ask_drafter(run.drafter, contact, _target(stored), post.language, memory, context)
        except BaseException:
            _give_back(run.store, stored, claim)  # to the next pass, rather than at the lease's end
            _finish(run, asked)  # those drafted before it are kept, as if drafted one by one
            raise
        asked.append(_Asked(stored, claim, contact, post.language, offered[:run.suggestions]))
    return asked


def _finish(run: _Drafting, asked: list[_Asked]) -> None:
    """Assess the suggestions, then record each message's: no transaction is open while the
    encoder (in one batch) or a judge works, and `decide` finds their verdicts cached."""
    recorded = 0
    try:
        run.policy.prepare_outgoing([(s.text, item.language) for item in asked for s in item.offered])
        for item in asked:
            for suggestion in item.offered:
                run.policy.assess(suggestion.text, item.language, item.contact.stage)
            _record(run, item.stored, item.claim, item.offered, run.clock.now())
            recorded += 1
    except BaseException:
        for item in asked[recorded:]:
            _give_back(run.store, item.stored, item.claim)
        raise


def _claim(
    run: _Drafting, stored: StoredInteraction, now: datetime,
) -> tuple[str, Contact, ContactMemory, DraftContext] | None:
    """Take the message, and read what the drafter needs; None if it is not ours to draft."""
    with run.store.unit_of_work() as uow:
        claim = uow.interactions.claim_for_drafting(stored.id, now)
        if claim is None:
            return None  # another drafter took it after we read the queue
        contact = uow.contacts.get(stored.contact_id)
        assert contact is not None
        why_not = skip_reason(uow, stored, contact, now, run.max_age)
        if why_not:
            uow.interactions.finish_drafting(stored.id, claim, "skipped")
        post = stored.interaction.post
        assert post is not None, "only messages await drafts"
        memory = None if why_not else memory_for_reply(uow, contact, post, now, cooldown=run.followup_cooldown)
        context = None if why_not else context_for(uow, stored, contact, run.platform)
        uow.commit()
    if memory is None or context is None:
        run.report.skipped += 1
        run.log.debug("draft.skipped", reason=why_not, account=stored.account, interaction=stored.interaction.id)
        return None
    return claim, contact, memory, context


def _record(run: _Drafting, stored: StoredInteraction, claim: str, offered: list[Suggestion], now: datetime) -> None:
    """Store the suggestions as drafts, folding into the reply already waiting for this person
    (see `folding`): what waits is read here, under the contact's lock, not before drafting."""
    log_ctx = dict(account=stored.account, interaction=stored.interaction.id)
    actor = f"drafter:{run.drafter.name}"
    with run.store.unit_of_work() as uow:
        if not uow.interactions.finish_drafting(stored.id, claim, "drafted"):
            # The claim lapsed and another drafter has the message, or its contact was forgotten.
            run.log.warning("draft.claim_lost", **log_ctx)
            return
        contact = uow.contacts.get(stored.contact_id, for_update=True)
        assert contact is not None  # forgetting a contact deletes its messages, claims and all
        target = _target(stored)
        waiting = folding.waiting_group(uow, contact.id)
        if waiting and (not offered or not target.is_later_than(waiting[0].target)):
            folding.fold_older(uow, waiting, stored.id, now)
            uow.commit()
            run.report.folded += 1
            run.log.info("draft.folded", draft=waiting[0].id, answered=False, **log_ctx)
            return
        folded = folding.folded_with(waiting)
        drafts = [_new_draft(uow, stored, contact, target, s, run.platform, now, run.policy, folded) for s in offered]
        for draft in drafts:
            uow.drafts.add(draft)
            uow.state.audit(now, actor, "drafted", account=stored.account, contact_id=contact.id, draft_id=draft.id)
            run.report.drafted += 1
            run.report.blocked += draft.status is DraftStatus.BLOCKED
            run.log.info("draft.created", draft=draft.id, status=draft.status.value, folded=len(folded), **log_ctx)
        if drafts and waiting:
            folding.retire(uow, waiting, drafts[0], now, actor)
            run.report.folded += 1
        uow.commit()
    if drafts and drafts[0].origin_note:
        run.report.fell_back += 1
        run.report.fallback = drafts[0].written_by


def _give_back(store: SqlAlchemyStore, stored: StoredInteraction, claim: str) -> None:
    try:
        with store.unit_of_work() as uow:
            uow.interactions.finish_drafting(stored.id, claim, "pending")
            uow.commit()
    except Exception:  # noqa: BLE001, S110 - the drafter's error is the one to raise; the lease frees it
        pass


def _target(stored: StoredInteraction) -> ReplyTarget:
    post = stored.interaction.post
    assert post is not None, "only messages await drafts"
    return ReplyTarget(
        interaction_id=stored.id, post_id=post.id, text=post.text, thread=post.thread_id,
        visibility=post.visibility.value, url=post.url, spoiler_text=post.spoiler_text,
        kind=stored.interaction.kind.value, category=stored.category, at=stored.interaction.at,
    )


def _new_draft(
    uow: SqlUnitOfWork, stored: StoredInteraction, contact: Contact, target: ReplyTarget,
    suggestion: Suggestion, platform: str, now: datetime, policy: Policy, folded: tuple[int, ...] = (),
) -> Draft:
    post = stored.interaction.post
    assert post is not None
    # Same visibility as the message answered: never more public (a DM gets a DM). A draft that
    # folds earlier messages in is decided afresh like any other, on its own text and message.
    text = suggestion.text
    decision = policy.decide_text(uow, contact, text, now, visibility=post.visibility,
                                  answered=post.visibility, language=post.language)
    return Draft(
        id=new_draft_id(), account=stored.account, platform=platform, contact_id=contact.id,
        contact_handle=contact.handle, target=target, text=text, language=post.language,
        status=DraftStatus.PENDING if decision.allowed else DraftStatus.BLOCKED,
        decision=decision, created_at=now, updated_at=now, visibility=post.visibility.value,
        pitch=decision.pitch, origin=suggestion.origin, origin_note=suggestion.note, folded=folded,
    )


def skip_reason(
    uow: SqlUnitOfWork, stored: StoredInteraction, contact: Contact, now: datetime, max_age: timedelta | None,
) -> str | None:
    """Why this message gets no draft at all, or None."""
    if reason := contact.not_to_be_written_to:
        return reason
    if stored.category == Category.OPT_OUT.value:
        return "opt_out_message"
    if stored.category == Category.PITCH.value and contact.stage < Stage.ACQUAINTANCE:
        return "incoming_pitch"
    if max_age is not None and now - stored.interaction.at > max_age:
        return "too_old"
    if uow.interactions.newer_in_thread(stored):
        return "conversation_moved_on"
    return None

