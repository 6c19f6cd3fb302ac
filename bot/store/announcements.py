"""Announcements and what became of the drafts that carry them."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from bot.domain.announcements import KIND, Announcement, AnnouncementResults
from bot.domain.drafts import DraftStatus
from bot.store.schema import announcements, contacts, drafts, interactions

UNSENT = (DraftStatus.PENDING, DraftStatus.BLOCKED, DraftStatus.APPROVED, DraftStatus.FAILED)
_TALK = ("mention", "reply", "quote")


class AnnouncementRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, announcement: Announcement) -> None:
        a = announcement
        self._c.execute(insert(announcements).values(
            id=a.id, account=a.account, text=a.text, topics=json.dumps(list(a.topics), ensure_ascii=False),
            status=a.status, excluded=json.dumps(a.excluded), created_at=a.created_at, cancelled_at=a.cancelled_at,
        ))

    def set_excluded(self, announcement_id: str, excluded: dict[str, int]) -> None:
        self._c.execute(update(announcements).where(announcements.c.id == announcement_id)
                        .values(excluded=json.dumps(excluded)))

    def get(self, announcement_id: str) -> Announcement | None:
        row = self._c.execute(select(announcements).where(announcements.c.id == announcement_id)).first()
        return None if row is None else _to_announcement(row)

    def list(self, account: str | None = None) -> list[Announcement]:
        """Newest first."""
        query = select(announcements).order_by(announcements.c.created_at.desc(), announcements.c.id.desc())
        if account:
            query = query.where(announcements.c.account == account)
        return [_to_announcement(row) for row in self._c.execute(query)]

    def created_since(self, account: str | None, since: datetime) -> list[Announcement]:
        """The announcements made since `since`, oldest first (for the report)."""
        query = (select(announcements).where(announcements.c.created_at >= since)
                 .order_by(announcements.c.created_at, announcements.c.id))
        if account:
            query = query.where(announcements.c.account == account)
        return [_to_announcement(row) for row in self._c.execute(query)]

    def mark_cancelled(self, announcement_id: str, now: datetime) -> None:
        self._c.execute(update(announcements).where(announcements.c.id == announcement_id)
                        .values(status="cancelled", cancelled_at=now))

    def unsent_draft_ids(self, announcement_id: str) -> list[str]:
        query = (select(drafts.c.id)
                 .where(drafts.c.announcement_id == announcement_id,
                        drafts.c.status.in_([s.value for s in UNSENT]))
                 .order_by(drafts.c.id))
        return list(self._c.execute(query).scalars())

    def waiting_for(self, contact_id: int) -> bool:
        """Whether an announcement to this person is still unsent (waiting or in flight)."""
        waiting = [s.value for s in UNSENT] + [DraftStatus.SENDING.value]
        query = select(func.count()).select_from(drafts).where(
            drafts.c.contact_id == contact_id, drafts.c.kind == KIND, drafts.c.status.in_(waiting))
        return self._c.execute(query).scalar_one() > 0

    def sent_since(self, account: str, since: datetime, *, besides: str | None = None) -> int:
        """Announcement messages of this account sent since `since`, and those in flight now
        (other than `besides`): the day's allowance counts what is being posted too."""
        in_flight = drafts.c.status == DraftStatus.SENDING.value
        if besides is not None:
            in_flight = and_(in_flight, drafts.c.id != besides)
        query = select(func.count()).select_from(drafts).where(
            drafts.c.account == account, drafts.c.kind == KIND,
            or_(and_(drafts.c.status == DraftStatus.SENT.value, drafts.c.sent_at >= since), in_flight),
        )
        return self._c.execute(query).scalar_one()

    def results(self, announcement_id: str) -> AnnouncementResults:
        by_status = dict(self._c.execute(
            select(drafts.c.status, func.count()).where(drafts.c.announcement_id == announcement_id)
            .group_by(drafts.c.status)
        ).all())
        sent = and_(drafts.c.announcement_id == announcement_id, drafts.c.status == DraftStatus.SENT.value)
        replies = self._c.execute(
            select(func.count(func.distinct(drafts.c.contact_id)))
            .select_from(drafts.join(interactions, interactions.c.contact_id == drafts.c.contact_id))
            .where(sent, interactions.c.direction == "in", interactions.c.kind.in_(_TALK),
                   interactions.c.at > drafts.c.sent_at)
        ).scalar_one()
        opt_outs = self._c.execute(
            select(func.count(func.distinct(drafts.c.contact_id)))
            .select_from(drafts.join(contacts, contacts.c.id == drafts.c.contact_id))
            .where(sent, contacts.c.opted_out.is_(True), contacts.c.opted_out_at >= drafts.c.sent_at)
        ).scalar_one()

        def count(*statuses: DraftStatus) -> int:
            return sum(by_status.get(s.value, 0) for s in statuses)

        return AnnouncementResults(
            drafts=sum(by_status.values()), pending=count(DraftStatus.PENDING, DraftStatus.BLOCKED),
            approved=count(DraftStatus.APPROVED, DraftStatus.SENDING), sent=count(DraftStatus.SENT),
            cancelled=count(DraftStatus.REJECTED, DraftStatus.EXPIRED), failed=count(DraftStatus.FAILED),
            replies=replies, opt_outs=opt_outs,
        )


def _to_announcement(row) -> Announcement:  # noqa: ANN001
    return Announcement(
        id=row.id, account=row.account, text=row.text, topics=tuple(json.loads(row.topics)), status=row.status,
        created_at=row.created_at, excluded=json.loads(row.excluded), cancelled_at=row.cancelled_at,
    )
