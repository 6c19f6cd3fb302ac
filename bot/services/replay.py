"""Re-deciding stored drafts under another configuration, to tune with confidence."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.announcements import KIND as ANNOUNCEMENT
from bot.domain.decisions import Decision
from bot.domain.drafts import Draft
from bot.domain.models import StoredInteraction, Visibility
from bot.domain.stages import assess_stage
from bot.ports import Clock
from bot.services.deciding import Policy
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork


@dataclass(frozen=True)
class ReplayChange:
    draft: Draft
    before: Decision
    after: Decision


def replay(
    store: SqlAlchemyStore, current: Policy, other: Policy, clock: Clock, *, page: int = 500,
) -> tuple[int, list[ReplayChange]]:
    """(drafts examined, those whose outcome or reasons differ under `other`): every stored
    draft, a page per read-only transaction, oldest first."""
    changes = []
    examined = 0
    now = clock.now()
    while True:
        with store.unit_of_work(read_only=True) as uow:
            drafts = uow.drafts.list(limit=page, offset=examined)
            for draft in drafts:
                before = _decide_under(uow, current, draft, now)
                after = _decide_under(uow, other, draft, now)
                if _verdict(before) != _verdict(after):
                    changes.append(ReplayChange(draft, before, after))
        examined += len(drafts)
        if len(drafts) < page:
            return examined, changes


@dataclass(frozen=True)
class IncomingChange:
    message: StoredInteraction
    before: bool  # a pitch under the current config
    after: bool  # a pitch under the other


def replay_incoming(
    store: SqlAlchemyStore, current: Policy, other: Policy, *, page: int = 256,
) -> tuple[int, list[IncomingChange]]:
    """(incoming messages re-classified, those whose pitch verdict differs under `other`).

    Pages are read in a short transaction each and classified after it is closed: the encoder
    may read a page for a second or two, and no transaction stays open across it."""
    examined, changes, after_id = 0, [], 0
    while True:
        with store.unit_of_work() as uow:
            messages = uow.interactions.classified(after_id, page)
        if not messages:
            return examined, changes
        after_id = messages[-1].id
        texts = [(m.interaction.post.text, m.interaction.post.language) for m in messages if m.interaction.post]
        for policy in (current, other):
            policy.prepare_incoming(texts)
        for message in messages:
            post = message.interaction.post
            assert post is not None
            before = current.classify_incoming(post.text, post.language).pitch
            after = other.classify_incoming(post.text, post.language).pitch
            if before != after:
                changes.append(IncomingChange(message, before, after))
        examined += len(messages)


def _decide_under(uow: SqlUnitOfWork, policy: Policy, draft: Draft, now: datetime) -> Decision:
    contact = uow.contacts.get(draft.contact_id)
    assert contact is not None
    # Stages depend on the thresholds: place the contact again from its stored counters.
    stage = assess_stage(contact.counters, policy.thresholds).stage
    contact = replace(contact, stage=stage)
    answered = Visibility(draft.target.visibility) if draft.target else None
    return policy.decide_text(uow, contact, draft.text, now, visibility=Visibility(draft.visibility),
                              answered=answered, language=draft.language,
                              declared_pitch=draft.kind == ANNOUNCEMENT)


def _verdict(decision: Decision) -> tuple[str, frozenset[str]]:
    return decision.outcome.value, frozenset(r.code for r in decision.results if r.outcome.value != "allow")
