"""Turning stored messages into reply drafts for a person to review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.categories import Category
from bot.domain.contacts import Contact
from bot.domain.drafts import Draft, DraftStatus, ReplyTarget, Suggestion, new_draft_id
from bot.domain.memory import ContactMemory
from bot.domain.models import StoredInteraction
from bot.domain.stages import Stage
from bot.ports import Clock, Drafter
from bot.services.deciding import Policy
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork


@dataclass
class DraftReport:
    account: str
    drafted: int = 0
    blocked: int = 0
    skipped: int = 0


def draft_replies(
    store: SqlAlchemyStore, drafter: Drafter, account: str, platform: str, *, clock: Clock,
    policy: Policy, log: Any, max_age: timedelta | None = None, suggestions: int = 1,
    should_stop: Callable[[], bool] = lambda: False,
) -> DraftReport:
    """Draft a reply for every stored message that still awaits one."""
    report = DraftReport(account)
    while not should_stop():
        with store.unit_of_work() as uow:
            waiting = uow.interactions.awaiting_draft(account, limit=200)
        if not waiting:
            break
        for stored in waiting:
            with store.unit_of_work() as uow:
                _draft_one(uow, stored, drafter, platform, clock.now(), policy, log, report, max_age, suggestions)
                uow.commit()
    return report


def _draft_one(
    uow: SqlUnitOfWork, stored: StoredInteraction, drafter: Drafter, platform: str, now: datetime,
    policy: Policy, log: Any, report: DraftReport, max_age: timedelta | None, suggestions: int,
) -> None:
    contact = uow.contacts.get(stored.contact_id)
    assert contact is not None
    why_not = skip_reason(uow, stored, contact, now, max_age)
    log_ctx = dict(account=stored.account, interaction=stored.interaction.id)
    if why_not:
        uow.interactions.set_draft_state(stored.id, "skipped")
        report.skipped += 1
        log.debug("draft.skipped", reason=why_not, **log_ctx)
        return
    post = stored.interaction.post
    assert post is not None, "only messages await drafts"
    target = ReplyTarget(
        interaction_id=stored.id, post_id=post.id, text=post.text, thread=post.thread_id,
        visibility=post.visibility.value, url=post.url, spoiler_text=post.spoiler_text,
        kind=stored.interaction.kind.value, category=stored.category,
    )
    memory = load_memory(uow, contact)
    for suggestion in drafter.suggest(contact, target, post.language, memory)[:suggestions]:
        draft = _new_draft(uow, stored, contact, target, suggestion, platform, now, policy)
        uow.drafts.add(draft)
        uow.state.audit(now, f"drafter:{drafter.name}", "drafted", account=stored.account,
                        contact_id=contact.id, draft_id=draft.id)
        report.drafted += 1
        report.blocked += draft.status is DraftStatus.BLOCKED
        log.info("draft.created", draft=draft.id, status=draft.status.value, **log_ctx)
    uow.interactions.set_draft_state(stored.id, "drafted")


def _new_draft(
    uow: SqlUnitOfWork, stored: StoredInteraction, contact: Contact, target: ReplyTarget,
    suggestion: Suggestion, platform: str, now: datetime, policy: Policy,
) -> Draft:
    post = stored.interaction.post
    assert post is not None
    # Same visibility as the message answered: never more public (a DM gets a DM).
    text = suggestion.text
    decision = policy.decide_text(uow, contact, text, now, visibility=post.visibility,
                                  answered=post.visibility, language=post.language)
    return Draft(
        id=new_draft_id(), account=stored.account, platform=platform, contact_id=contact.id,
        contact_handle=contact.handle, target=target, text=text, language=post.language,
        status=DraftStatus.PENDING if decision.allowed else DraftStatus.BLOCKED,
        decision=decision, created_at=now, updated_at=now, visibility=post.visibility.value,
        pitch=decision.pitch, origin=suggestion.origin, origin_note=suggestion.note,
    )


def load_memory(uow: SqlUnitOfWork, contact: Contact) -> ContactMemory:
    return ContactMemory(tuple(uow.contacts.facts(contact.id)), contact.counters.last_conversation_at)


def skip_reason(
    uow: SqlUnitOfWork, stored: StoredInteraction, contact: Contact, now: datetime, max_age: timedelta | None,
) -> str | None:
    """Why this message gets no draft at all, or None."""
    if contact.opted_out:
        return "opted_out"
    if contact.nobot:
        return "nobot"
    if contact.bot:
        return "contact_is_bot"
    if stored.category == Category.OPT_OUT.value:
        return "opt_out_message"
    if stored.category == Category.PITCH.value and contact.stage < Stage.ACQUAINTANCE:
        return "incoming_pitch"
    if max_age is not None and now - stored.interaction.at > max_age:
        return "too_old"
    if uow.interactions.newer_in_thread(stored):
        return "conversation_moved_on"
    return None

