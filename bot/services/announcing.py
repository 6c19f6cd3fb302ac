"""Announcing: one personal draft per person who may hear the news, and what came of it.

Three steps, so that no transaction waits on the pitch detector: read who is eligible and
write each person's text; judge the texts; then decide and record every draft at once.
Every draft goes through `decide` like any other, marked as the pitch it is, and waits for a
person's approval in the ordinary queue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.announcements import (
    ALREADY_WAITING, KIND, Announcement, AnnouncementResults, announcement_visibility, exclusion,
    matching_interests, new_announcement_id,
)
from bot.domain.contacts import Contact
from bot.domain.drafts import Draft, DraftStatus, new_draft_id
from bot.domain.memory import ContactMemory
from bot.domain.models import Visibility
from bot.drafting.announcement import compose
from bot.errors import InvalidInputError, NotFoundError
from bot.ports import Clock
from bot.services.deciding import Policy
from bot.store.announcements import UNSENT
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork

MAX_TEXT = 300  # the announcement's own words; the opening and the opt-out line take the rest


@dataclass
class AnnounceReport:
    announcement: Announcement
    drafts: list[Draft] = field(default_factory=list)
    excluded: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # code -> handles


@dataclass(frozen=True)
class _Candidate:
    contact: Contact
    text: str
    language: str
    visibility: Visibility


def draft_announcement(
    store: SqlAlchemyStore, account: str, platform: str, text: str, topics: tuple[str, ...], *,
    clock: Clock, policy: Policy, actor: str, log: Any,
) -> AnnounceReport:
    text = text.strip()
    if not text:
        raise InvalidInputError("the announcement text is empty")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"the announcement is {len(text)} characters; keep it to {MAX_TEXT}"
                                " (each person's message adds an opening and an opt-out line)")
    now = clock.now()
    topics = tuple(t.strip() for t in topics if t.strip())
    report = AnnounceReport(Announcement(new_announcement_id(), account, text, topics, "active", now))
    with store.unit_of_work(read_only=True) as uow:
        candidates = [c for c in (_candidate(uow, contact, report, platform, policy, now)
                                  for contact in uow.contacts.list(account)) if c is not None]
    for candidate in candidates:  # the detector's time, outside any transaction; `decide` finds it cached
        policy.assess(candidate.text, candidate.language, candidate.contact.stage)
    with store.unit_of_work() as uow:
        uow.announcements.add(report.announcement)
        for candidate in candidates:
            _record(uow, candidate, report, platform, policy, now)
        uow.announcements.set_excluded(report.announcement.id, {k: len(v) for k, v in report.excluded.items()})
        uow.state.audit(now, actor, "announcement_drafted", account=account, detail={
            "announcement": report.announcement.id, "drafts": len(report.drafts),
            "excluded": {k: len(v) for k, v in report.excluded.items()},
        })
        uow.commit()
    log.info("announce.drafted", account=account, announcement=report.announcement.id, drafts=len(report.drafts))
    return report


def _candidate(
    uow: SqlUnitOfWork, contact: Contact, report: AnnounceReport, platform: str, policy: Policy, now: datetime,
) -> _Candidate | None:
    memory = ContactMemory(tuple(uow.contacts.facts(contact.id)), contact.counters.last_conversation_at)
    last = uow.interactions.last_inbound_message(contact.id)
    post = last.interaction.post if last is not None else None
    visibility = announcement_visibility(policy.announce.visibility, post.visibility if post else None)
    topics = report.announcement.topics
    code = exclusion(contact, memory, min_stage=policy.config.min_stage, platform=platform, topics=topics)
    if code is None and uow.announcements.waiting_for(contact.id):
        code = ALREADY_WAITING
    if code is not None:
        report.excluded[code].append(contact.handle)
        return None
    language = (post.language if post else None) or next((f.language for f in memory.facts if f.language), None)
    language = language or _guess(report.announcement.text)
    interests = matching_interests(memory, topics) if topics else []
    text = compose(contact, memory, report.announcement.text, language, now, interests)
    return _Candidate(contact, text, language, visibility)


def _guess(text: str) -> str:
    from bot.language import guess_language  # loads a model: only when nothing else tells

    return guess_language(text) or "en"


def _record(
    uow: SqlUnitOfWork, candidate: _Candidate, report: AnnounceReport, platform: str, policy: Policy, now: datetime,
) -> None:
    contact = uow.contacts.get(candidate.contact.id) or candidate.contact
    decision = policy.decide_text(uow, contact, candidate.text, now, visibility=candidate.visibility,
                                  language=candidate.language, declared_pitch=True)
    if not decision.allowed:
        report.excluded[decision.blocking[0].code].append(contact.handle)
        return
    draft = Draft(
        id=new_draft_id(), account=contact.account, platform=platform, contact_id=contact.id,
        contact_handle=contact.handle, target=None, text=candidate.text, language=candidate.language,
        status=DraftStatus.PENDING, decision=decision, created_at=now, updated_at=now,
        visibility=candidate.visibility.value, pitch=True, kind=KIND, origin="announcement",
        announcement=report.announcement.id,
    )
    uow.drafts.add(draft)
    report.drafts.append(draft)


def list_announcements(store: SqlAlchemyStore, account: str | None = None) -> list[tuple[Announcement, AnnouncementResults]]:
    with store.unit_of_work(read_only=True) as uow:
        return [(a, uow.announcements.results(a.id)) for a in uow.announcements.list(account)]


def announcement_status(store: SqlAlchemyStore, announcement_id: str) -> tuple[Announcement, AnnouncementResults]:
    with store.unit_of_work(read_only=True) as uow:
        announcement = _get(uow, announcement_id)
        return announcement, uow.announcements.results(announcement.id)


def cancel_announcement(
    store: SqlAlchemyStore, announcement_id: str, *, clock: Clock, actor: str,
) -> tuple[Announcement, int]:
    """Retire every unsent draft of the announcement; how many were retired. Drafts being
    posted at this moment, and those sent, are left as they are."""
    with store.unit_of_work() as uow:
        announcement = _get(uow, announcement_id)
        now = clock.now()
        retired = 0
        for draft_id in uow.announcements.unsent_draft_ids(announcement.id):
            draft = uow.drafts.get(draft_id, for_update=True)
            if draft is None or draft.status not in UNSENT:
                continue
            uow.drafts.save(draft.moved_to(DraftStatus.REJECTED, now, note="announcement cancelled"))
            retired += 1
        uow.announcements.mark_cancelled(announcement.id, now)
        uow.state.audit(now, actor, "announcement_cancelled", account=announcement.account,
                        detail={"announcement": announcement.id, "retired": retired})
        uow.commit()
        return announcement, retired


def _get(uow: SqlUnitOfWork, announcement_id: str) -> Announcement:
    announcement = uow.announcements.get(announcement_id.strip())
    if announcement is None:
        raise NotFoundError(f"no announcement {announcement_id!r} (see `rapport announce list`)")
    return announcement
