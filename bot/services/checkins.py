"""Keeping relationships alive: suggest asking after people who have gone quiet.

Relationships are tended like a harvest: a check-in asks about something the person shared
(an open thread, an interest). Never a pitch, never to opted-out, #nobot or bot accounts, at
most a few a day, and always through the same queue and the same policy as any reply.

Real news comes first: people with a plan whose day passed within `lookback` (a new job, a
move, an exam, a race, a launch before any other), however long ago they announced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.contacts import Contact
from bot.domain.draft_context import DraftContext
from bot.domain.drafts import Draft, DraftStatus, ReplyTarget, Suggestion, new_draft_id
from bot.domain.memory import PLAN_LOOKBACK, ContactMemory
from bot.domain.models import StoredInteraction
from bot.domain.news import news_rank
from bot.domain.local_time import start_of_day
from bot.domain.stages import Stage
from bot.ports import Clock, Drafter
from bot.services.deciding import Policy
from bot.services.drafter_calls import ask_drafter, context_for
from bot.services.followups import FOLLOWUP_COOLDOWN, memory_for_checkin
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork

CHECKIN_STAGES = [Stage.ACQUAINTANCE, Stage.RELATIONSHIP, Stage.TRUSTED]


@dataclass(frozen=True)
class CheckinOptions:
    quiet_days: float = 21.0
    max_per_day: int = 3
    lookback: timedelta = PLAN_LOOKBACK  # a plan whose day passed within this is news to ask about
    followup_cooldown: timedelta = FOLLOWUP_COOLDOWN


def suggest_checkins(
    store: SqlAlchemyStore, drafter: Drafter, account: str, platform: str, *, clock: Clock, policy: Policy,
    options: CheckinOptions, log: Any,
) -> int:
    """Draft check-ins for quiet contacts, up to today's allowance; how many were drafted.

    Each is read in one short transaction and recorded in another; the drafter (a model, maybe
    slow) works between them with none open, so the queue and the CLI never wait for it.
    """
    now = clock.now()
    with store.unit_of_work() as uow:
        done_today = uow.drafts.count_kind_since(account, "checkin", start_of_day(now, policy.config.timezone))
        candidates = uow.contacts.gone_quiet(account, CHECKIN_STAGES, now - timedelta(days=options.quiet_days))
        facts = uow.contacts.facts_of({c.id for c in candidates})
        # Stable: among equals, the longest quiet first, as `gone_quiet` orders them.
        candidates.sort(key=lambda c: news_rank(facts[c.id], now, options.lookback))
        # Something to them already waits: passed by here without a transaction each (those
        # that get one meanwhile are passed by in `_what_to_ask`).
        waiting = uow.drafts.open_among({c.id for c in candidates})
    drafted = 0
    for contact in candidates:
        if done_today + drafted >= options.max_per_day:
            break
        if contact.id in waiting:
            continue
        with store.unit_of_work(read_only=True) as uow:
            found = _what_to_ask(uow, contact, platform, now, options)
        if found is None:
            continue
        memory, last, context = found
        post = last.interaction.post
        assert post is not None
        suggestions = ask_drafter(drafter, contact, None, post.language, memory, context)
        if not suggestions:
            continue
        with store.unit_of_work() as uow:
            if uow.drafts.open_for_contact(contact.id):
                continue  # something to them was queued while the drafter worked
            draft = _checkin(uow, contact, last, suggestions[0], platform, now, policy)
            uow.drafts.add(draft)
            uow.contacts.update_flags(contact.id, last_checkin_at=now)
            uow.state.audit(now, f"drafter:{drafter.name}", "checkin_drafted", account=account,
                            contact_id=contact.id, draft_id=draft.id)
            uow.commit()
        drafted += 1
        log.info("checkin.drafted", account=account, draft=draft.id, status=draft.status.value)
    return drafted


def _what_to_ask(
    uow: SqlUnitOfWork, contact: Contact, platform: str, now: datetime, options: CheckinOptions,
) -> tuple[ContactMemory, StoredInteraction, DraftContext] | None:
    """Their memory and last message, when a check-in may be drafted at all."""
    if contact.nobot or uow.drafts.open_for_contact(contact.id):
        return None  # they asked for no bots, or something to them already waits
    last = uow.interactions.last_inbound_message(contact.id)
    if last is None or last.interaction.post is None:
        return None
    # After sad or worried words, or with every subject asked about lately, memory holds nothing to ask.
    memory = memory_for_checkin(uow, contact, last.interaction.post, now, cooldown=options.followup_cooldown,
                                lookback=options.lookback)
    if not (memory.open_threads or memory.askable_interests):
        return None  # nothing they shared to ask about: no empty "just checking in"
    return memory, last, context_for(uow, None, contact, platform)


def _checkin(
    uow: SqlUnitOfWork, contact: Contact, last: StoredInteraction, suggestion: Suggestion, platform: str,
    now: datetime, policy: Policy,
) -> Draft:
    post = last.interaction.post
    assert post is not None
    # It answers their last message, so it threads there and is never more public than it.
    target = ReplyTarget(interaction_id=last.id, post_id=post.id, text=post.text, thread=post.thread_id,
                         visibility=post.visibility.value, url=post.url, spoiler_text=post.spoiler_text,
                         kind=last.interaction.kind.value, category=last.category)
    decision = policy.decide_text(uow, contact, suggestion.text, now, visibility=post.visibility,
                                  answered=post.visibility, language=post.language)
    return Draft(
        id=new_draft_id(), account=contact.account, platform=platform, contact_id=contact.id,
        contact_handle=contact.handle, target=target, text=suggestion.text, language=post.language,
        status=DraftStatus.PENDING if decision.allowed else DraftStatus.BLOCKED, decision=decision,
        created_at=now, updated_at=now, visibility=post.visibility.value, pitch=decision.pitch,
        kind="checkin", origin=suggestion.origin, origin_note=suggestion.note,
    )
