"""Posting approved drafts, exactly once.

A draft is claimed (`approved` -> `sending`) and committed before anything is posted; the
platform call carries an idempotency key derived from the draft id; the result is committed
after. A crash in between leaves the draft `sending`; once its claim lapses, the platform is asked
whether that earlier attempt got through (as after any failed attempt: a timeout can hide a
success) and, if it did, the post is recorded without asking the policy again. Otherwise the
draft is decided and posted again with the same key, which the adapter turns into "already
posted" should the check have missed it. Where the platform cannot rule an earlier attempt out
(see `EarlierAttemptBlindSpots`), the draft is posted again all the same and its note says why.

A sender claims one draft at a time, so a crash strands at most one. At the start of each pass it
hands back, without waiting for the lease, the claims of processes of its own host that have
ended (see `claimers.gone`); those drafts then take the same "did it get through?" path.
Claims made on other hosts cannot be checked from here and keep the lease.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.announcements import KIND as ANNOUNCEMENT, send_hold
from bot.domain.decisions import Outcome
from bot.domain.drafts import Draft, DraftStatus
from bot.domain.stages import Stage
from bot.domain.local_time import start_of_day
from bot.domain.models import Interaction, InteractionKind, OutgoingReply, Person, Post, PostedReply
from bot.errors import (
    AuthFailedError, InvalidInputError, PlatformError, RateLimitedError, RemoteNotFoundError,
    RemoteRejectedError,
)
from bot.ports import Clock, EarlierAttemptBlindSpots, PlatformClient
from bot.services import claimers
from bot.services.deciding import Policy
from bot.services.recording import record_interaction
from bot.services.memory import close_followed_threads
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    blocked: int = 0
    failed: int = 0
    expired: int = 0


@dataclass(frozen=True)
class SendOptions:
    owner: str  # this process, for the claim
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 5


def send_approved(
    store: SqlAlchemyStore, clients: Mapping[str, PlatformClient], *, policy: Policy, clock: Clock,
    options: SendOptions, log: Any, should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Send every due approved draft, one claim at a time, until none is left."""
    report = SendReport()
    claimers.remember_sender(options.owner)
    _release_dead_local_claims(store, clock, options.owner, log)
    while not should_stop():
        with store.unit_of_work() as uow:
            claimed = uow.drafts.claim_sendable(options.owner, clock.now(), options.lease, limit=1)
            uow.commit()
        if not claimed:
            break
        draft = claimed[0]
        client = clients.get(draft.account)
        if should_stop() or client is None:
            _release(store, draft, clock)  # nothing of it was posted yet
            break
        _send_one(store, draft, client, policy, clock, options, log, report)
    return report


def _release_dead_local_claims(store: SqlAlchemyStore, clock: Clock, owner: str, log: Any) -> int:
    """Hand back, without waiting for the lease, the `sending` drafts of this host's ended processes."""
    host, _ = claimers.host_and_pid(owner)
    if host is None:
        return 0  # not a `host:pid:random` instance: there is no host to compare with
    with store.unit_of_work(read_only=True) as uow:
        claims = uow.drafts.sending_claims(f"{host}:")
    gone = sorted(claimer for claimer, claimed_at in claims.items() if claimers.gone(claimer, claimed_at))
    if not gone:
        return 0
    with store.unit_of_work() as uow:
        released = uow.drafts.release_claims(gone, clock.now())
        uow.commit()
    log.warning("send.released_dead_claims", claimers=gone, drafts=released)
    return released


def _send_one(
    store: SqlAlchemyStore, draft: Draft, client: PlatformClient, policy: Policy, clock: Clock,
    options: SendOptions, log: Any, report: SendReport,
) -> None:
    ctx = dict(account=draft.account, draft=draft.id)
    if draft.attempts > 1:
        if _posted_earlier(store, draft, client, policy, clock, options, log, report):
            return
        draft = _unconfirmed(draft, client, log)
    # The encoder's and the judge's time, outside the transaction below; `decide` finds it cached.
    policy.assess(draft.text, draft.language, Stage(draft.contact_stage) if draft.contact_stage else None)
    with store.unit_of_work() as uow:
        now = clock.now()
        if draft.kind == ANNOUNCEMENT and _held_announcement(uow, draft, now, policy, log, report):
            uow.commit()
            return
        decision = policy.decide_draft(uow, draft, now)
        contact = uow.contacts.get(draft.contact_id)
        if decision.outcome is not Outcome.ALLOW:
            # A slot left to fill is never posted: it goes back to a person like a block does.
            blocked = decision.outcome in (Outcome.BLOCK, Outcome.HOLD)
            status = DraftStatus.BLOCKED if blocked else DraftStatus.APPROVED
            uow.drafts.save(draft.moved_to(status, now, decision=decision, not_before=decision.not_before))
            uow.commit()
            report.blocked += blocked
            report.deferred += not blocked
            log.info("send.held", status=status.value, reasons=[r.code for r in decision.reasons], **ctx)
            return
    try:
        posted = client.post_reply(outgoing(draft, contact.platform_id if contact else None))
    except PlatformError as error:
        _record_failure(store, draft, error, clock, options, log, report)
        return
    _record_sent(store, draft, posted, policy, clock)
    report.sent += 1
    log.info("send.done", post=posted.post_id, already_posted=posted.already_posted, **ctx)


def _held_announcement(
    uow: SqlUnitOfWork, draft: Draft, now: datetime, policy: Policy, log: Any, report: SendReport,
) -> bool:
    """An announcement message waits for the account's working hours and its daily allowance;
    it goes back to `approved` with the time to try again."""
    rules = policy.announce
    sent_today = uow.announcements.sent_since(draft.account, start_of_day(now, rules.timezone), besides=draft.id)
    hold = send_hold(now, sent_today, rules)
    if hold is None:
        return False
    uow.drafts.save(draft.moved_to(DraftStatus.APPROVED, now, not_before=hold.until,
                                   attempts=max(draft.attempts - 1, 0)))
    report.deferred += 1
    log.info("send.held", status="approved", reasons=[hold.code], why=hold.message, until=hold.until.isoformat(),
             account=draft.account, draft=draft.id)
    return True


def _posted_earlier(
    store: SqlAlchemyStore, draft: Draft, client: PlatformClient, policy: Policy, clock: Clock,
    options: SendOptions, log: Any, report: SendReport,
) -> bool:
    """Whether an earlier attempt at `draft` reached the platform, recording it as sent if so.

    A crash after posting, or a timeout that hid a success, leaves a draft that is already out.
    It is recorded before the policy is asked again: a message that went out counts towards
    the contact's limits and pitch cooldown whatever the policy would say of it now.
    """
    with store.unit_of_work() as uow:
        contact = uow.contacts.get(draft.contact_id)
    try:
        earlier = client.find_posted(outgoing(draft, contact.platform_id if contact else None))
    except PlatformError as error:
        _record_failure(store, draft, error, clock, options, log, report)
        return True
    if earlier is None:
        return False
    _record_sent(store, draft, earlier, policy, clock)
    report.sent += 1
    log.info("send.found_earlier", account=draft.account, draft=draft.id, post=earlier.post_id)
    return True


def _unconfirmed(draft: Draft, client: PlatformClient, log: Any) -> Draft:
    """The draft, with a note when the platform cannot rule out that an earlier attempt went out.

    It is posted again all the same (a reply lost is worse than one seen twice), and the note
    says so in `queue show` and the log."""
    if not isinstance(client, EarlierAttemptBlindSpots):
        return draft
    reason = client.earlier_attempt_blind_spot(outgoing(draft))
    if reason is None:
        return draft
    log.warning("send.earlier_attempt_unconfirmed", account=draft.account, draft=draft.id, reason=reason)
    return replace(draft, note=f"posted again unconfirmed: {reason}")


def outgoing(draft: Draft, recipient_id: str | None = None) -> OutgoingReply:
    """What the platform is asked to post: `queue show` reads the same draft properties."""
    target = draft.target
    return OutgoingReply(
        draft_id=draft.id, account=draft.account, text=draft.text,
        in_reply_to=target.post_id if target else "", thread=target.thread if target else None,
        to=draft.recipients, visibility=draft.reply_visibility,
        language=draft.language, idempotency_key=draft.idempotency_key,
        spoiler_text=draft.spoiler_text,
        recipient_ids=(recipient_id,) if recipient_id else (),
        drafted_at=draft.created_at,
    )


def _record_sent(store: SqlAlchemyStore, draft: Draft, posted: PostedReply, policy: Policy, clock: Clock) -> None:
    with store.unit_of_work() as uow:
        now = clock.now()
        contact = uow.contacts.get(draft.contact_id)
        assert contact is not None
        uow.drafts.save(draft.moved_to(DraftStatus.SENT, now, sent_post_id=posted.post_id, sent_at=now))
        reply = outgoing(draft)
        record_interaction(uow, draft.account, Interaction(
            id=f"sent:{draft.id}", kind=InteractionKind.SENT, at=now,
            person=Person(platform_id=contact.platform_id, handle=contact.handle),
            post=Post(id=posted.post_id, text=draft.text, language=draft.language, visibility=reply.visibility,
                      in_reply_to=reply.in_reply_to or None, thread=reply.thread, url=posted.url),
        ), now=now, policy=policy)
        if draft.pitch:
            uow.contacts.update_flags(contact.id, last_pitch_at=now, exchanges_since_pitch=0)
        close_followed_threads(uow, contact, draft.text, now)
        uow.state.audit(now, "service", "sent", account=draft.account, contact_id=contact.id, draft_id=draft.id,
                        detail={"post": posted.post_id, "pitch": draft.pitch})
        uow.commit()


def _record_failure(
    store: SqlAlchemyStore, draft: Draft, error: PlatformError, clock: Clock, options: SendOptions,
    log: Any, report: SendReport,
) -> None:
    now = clock.now()
    changes: dict[str, object] = {"last_error": str(error)}
    if isinstance(error, RemoteNotFoundError):
        status, changes["note"] = DraftStatus.EXPIRED, "the message it answers is gone"
        report.expired += 1
    elif isinstance(error, (RemoteRejectedError, InvalidInputError)) or draft.attempts >= options.max_attempts:
        status, changes["note"] = DraftStatus.FAILED, f"gave up after {draft.attempts} attempt(s)"
        report.failed += 1
    else:
        status, changes["not_before"] = DraftStatus.APPROVED, _retry_at(error, draft.attempts, now)
        report.deferred += 1
    with store.unit_of_work() as uow:
        uow.drafts.save(draft.moved_to(status, now, **changes))
        if isinstance(error, AuthFailedError):
            uow.state.save_poll_state(draft.account, last_error=str(error))
        uow.commit()
    log.warning("send.failed", account=draft.account, draft=draft.id, status=status.value,
                error=str(error), error_type=type(error).__name__)


def _retry_at(error: PlatformError, attempts: int, now: datetime) -> datetime:
    if isinstance(error, RateLimitedError) and error.reset_at and error.reset_at > now:
        return error.reset_at
    backoff = min(3600.0, 30.0 * 2 ** max(attempts - 1, 0))
    return now + timedelta(seconds=backoff * random.uniform(0.8, 1.2))


def _release(store: SqlAlchemyStore, draft: Draft, clock: Clock) -> None:
    with store.unit_of_work() as uow:
        now = clock.now()
        uow.drafts.save(draft.moved_to(DraftStatus.APPROVED, now, attempts=max(draft.attempts - 1, 0)))
        uow.commit()
