"""Recording what a drafter suggested: a batch of messages' drafts in one transaction.

A batch is recorded all at once; if any of its messages fails, nothing of it is kept, and its
messages are recorded again one transaction each, as they were before batches: the others are
then kept and the failing one raises. What to log and count is only done once committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.contacts import Contact
from bot.domain.drafts import Draft, DraftStatus, ReplyTarget, Suggestion, new_draft_id
from bot.domain.models import StoredInteraction
from bot.services import folding
from bot.services.deciding import Policy
from bot.store.unit_of_work import SqlUnitOfWork

if TYPE_CHECKING:
    from bot.services.drafting import _Asked, _Drafting


@dataclass
class _Recorded:
    """What recording one message did, to be logged and counted once it is committed."""

    item: _Asked
    lost: bool = False  # the claim lapsed and another drafter has the message
    folded_into: str | None = None  # shown in the waiting draft, not answered
    drafts: list[Draft] = field(default_factory=list)
    folded: int = 0  # earlier messages the drafts stand for
    retired: bool = False  # the drafts replaced the ones that waited


def record_drafts(run: _Drafting, items: list[_Asked]) -> int:
    """Record each message's suggestions (assessed already): in one transaction, else one by one.
    How many were recorded; raises at the first that fails one by one."""
    if not items:
        return 0
    try:
        results = _record_together(run, items)
    except Exception:  # noqa: BLE001 - whichever message failed, the others are kept below
        results = None
    if results is None:
        for item in items:
            _report(run, _record_alone(run, item))
        return len(items)
    for result in results:
        _report(run, result)
    return len(items)


def _record_together(run: _Drafting, items: list[_Asked]) -> list[_Recorded]:
    """Every contact of the batch is locked at once, in id order, before anything is decided:
    what waits for a person is read under their lock (see `folding`)."""
    results = []
    with run.store.unit_of_work() as uow:
        held: set[int] = set()
        for claim in {item.claim for item in items}:
            held |= uow.interactions.finish_many([i.stored.id for i in items if i.claim == claim], claim, "drafted")
        people = {i.stored.contact_id for i in items if i.stored.id in held}
        contacts = uow.contacts.get_many(people, for_update=True)
        today = run.policy.day_start(run.clock.now())
        sent = uow.interactions.count_outbound_among(people, today)  # nothing below sends
        with uow.state.audits_together():
            for item in items:
                if item.stored.id not in held:
                    results.append(_Recorded(item, lost=True))
                    continue
                now = run.clock.now()
                sent_today = sent[item.stored.contact_id] if run.policy.day_start(now) == today else None
                results.append(_record_in(run, uow, item, contacts[item.stored.contact_id], now, sent_today))
        uow.commit()
    return results


def _record_alone(run: _Drafting, item: _Asked) -> _Recorded:
    with run.store.unit_of_work() as uow:
        if not uow.interactions.finish_drafting(item.stored.id, item.claim, "drafted"):
            return _Recorded(item, lost=True)
        contact = uow.contacts.get(item.stored.contact_id, for_update=True)
        assert contact is not None  # forgetting a contact deletes its messages, claims and all
        result = _record_in(run, uow, item, contact, run.clock.now())
        uow.commit()
    return result


def _record_in(
    run: _Drafting, uow: SqlUnitOfWork, item: _Asked, contact: Contact, now: datetime, sent_today: int | None = None,
) -> _Recorded:
    """Store the suggestions as drafts, folding into the reply already waiting for this person
    (see `folding`): what waits is read here, under the contact's lock, not before drafting.
    `sent_today`: what was sent them today, when counted already."""
    stored, offered = item.stored, item.offered
    target = reply_target(stored)
    waiting = folding.waiting_group(uow, contact.id)
    if waiting and (not offered or not target.is_later_than(waiting[0].target)):
        folding.fold_older(uow, waiting, stored.id, now)
        return _Recorded(item, folded_into=waiting[0].id)
    folded = folding.folded_with(waiting)
    drafts = [_new_draft(uow, stored, contact, target, s, run.platform, now, run.policy, folded, sent_today)
              for s in offered]
    actor = f"drafter:{run.drafter.name}"
    for draft in drafts:
        uow.drafts.add(draft)
        uow.state.audit(now, actor, "drafted", account=stored.account, contact_id=contact.id, draft_id=draft.id)
    retired = bool(drafts and waiting)
    if retired:
        folding.retire(uow, waiting, drafts[0], now, actor)
    return _Recorded(item, drafts=drafts, folded=len(folded), retired=retired)


def _report(run: _Drafting, result: _Recorded) -> None:
    stored = result.item.stored
    log_ctx = dict(account=stored.account, interaction=stored.interaction.id)
    if result.lost:
        # The claim lapsed and another drafter has the message, or its contact was forgotten.
        run.log.warning("draft.claim_lost", **log_ctx)
        return
    if result.folded_into is not None:
        run.report.folded += 1
        run.log.info("draft.folded", draft=result.folded_into, answered=False, **log_ctx)
        return
    for draft in result.drafts:
        run.report.drafted += 1
        run.report.blocked += draft.status is DraftStatus.BLOCKED
        run.log.info("draft.created", draft=draft.id, status=draft.status.value, folded=result.folded, **log_ctx)
    run.report.folded += result.retired
    if result.drafts and result.drafts[0].origin_note:
        run.report.fell_back += 1
        run.report.fallback = result.drafts[0].written_by


def reply_target(stored: StoredInteraction) -> ReplyTarget:
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
    sent_today: int | None = None,
) -> Draft:
    post = stored.interaction.post
    assert post is not None
    # Same visibility as the message answered: never more public (a DM gets a DM). A draft that
    # folds earlier messages in is decided afresh like any other, on its own text and message.
    text = suggestion.text
    decision = policy.decide_text(uow, contact, text, now, visibility=post.visibility,
                                  answered=post.visibility, language=post.language, sent_today=sent_today)
    return Draft(
        id=new_draft_id(), account=stored.account, platform=platform, contact_id=contact.id,
        contact_handle=contact.handle, target=target, text=text, language=post.language,
        status=DraftStatus.PENDING if decision.allowed else DraftStatus.BLOCKED,
        decision=decision, created_at=now, updated_at=now, visibility=post.visibility.value,
        pitch=decision.pitch, origin=suggestion.origin, origin_note=suggestion.note, folded=folded,
    )
