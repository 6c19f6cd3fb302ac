"""What `rapport report` reads: plain rows for the figures in bot/domain/report.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, func, select

from bot.domain.report import ContactTimeline, DraftAction
from bot.domain.stage_history import StageChange
from bot.domain.stages import Stage
from bot.store.schema import audit_log, contacts, conversations, drafts, facts, interactions, stage_changes


class ReportRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def timelines(self, account: str | None) -> list[ContactTimeline]:
        """Every contact's stored stage, since when they are known, and their stage history."""
        first = (select(interactions.c.contact_id, func.min(interactions.c.at).label("first_at"))
                 .group_by(interactions.c.contact_id).subquery())
        query = (select(contacts.c.id, contacts.c.stage, contacts.c.first_seen_at, first.c.first_at)
                 .outerjoin(first, first.c.contact_id == contacts.c.id).order_by(contacts.c.id))
        if account:
            query = query.where(contacts.c.account == account)
        rows = self._c.execute(query).all()
        history: dict[int, list[StageChange]] = {}
        changes = (select(stage_changes).join(contacts, contacts.c.id == stage_changes.c.contact_id)
                   .order_by(stage_changes.c.contact_id, stage_changes.c.at, stage_changes.c.id))
        if account:
            changes = changes.where(contacts.c.account == account)
        for c in self._c.execute(changes):
            history.setdefault(c.contact_id, []).append(
                StageChange(c.at, Stage(c.from_stage), Stage(c.to_stage), c.cause, c.reason))
        timelines = []
        for row in rows:
            own = tuple(history.get(row.id, ()))
            known = [t for t in (row.first_at, row.first_seen_at, own[0].at if own else None) if t is not None]
            timelines.append(ContactTimeline(min(known), Stage(row.stage), own))
        return timelines

    def conversations_since(self, account: str | None, since: datetime) -> list[tuple[datetime, bool]]:
        """Conversations the person wrote in that began since `since`, and whether both sides wrote."""
        query = (select(conversations.c.started_at, conversations.c.outbound)
                 .join(contacts, contacts.c.id == conversations.c.contact_id)
                 .where(conversations.c.inbound > 0, conversations.c.started_at >= since))
        if account:
            query = query.where(contacts.c.account == account)
        return [(r.started_at, r.outbound > 0) for r in self._c.execute(query)]

    def draft_actions_since(self, account: str | None, since: datetime) -> list[DraftAction]:
        query = (select(audit_log.c.draft_id, audit_log.c.at, audit_log.c.action, audit_log.c.detail)
                 .where(audit_log.c.action.in_(["approved", "edited", "rejected"]),
                        audit_log.c.draft_id.is_not(None), audit_log.c.at >= since)
                 .order_by(audit_log.c.at, audit_log.c.id))
        if account:
            query = query.where(audit_log.c.account == account)
        return [DraftAction(r.draft_id, r.at, r.action, bool(json.loads(r.detail or "{}").get("edited")))
                for r in self._c.execute(query)]

    def blocked_decisions_since(self, account: str | None, since: datetime) -> list[str]:
        """The stored decisions of the drafts blocked now, last changed since `since`."""
        query = select(drafts.c.decision).where(drafts.c.status == "blocked", drafts.c.updated_at >= since)
        if account:
            query = query.where(drafts.c.account == account)
        return [r.decision for r in self._c.execute(query)]

    def quiet_relationships(self, account: str | None, stages: Sequence[Stage], quiet_since: datetime):  # noqa: ANN201
        """Contacts at these stages with no conversation since `quiet_since` (opted-out and bot
        accounts left out: nobody is to write to them), the longest quiet first."""
        query = (select(contacts.c.id, contacts.c.account, contacts.c.handle, contacts.c.name, contacts.c.stage,
                        contacts.c.last_conversation_at)
                 .where(contacts.c.stage.in_([s.value for s in stages]), contacts.c.opted_out.is_(False),
                        contacts.c.bot.is_(False), contacts.c.last_conversation_at < quiet_since)
                 .order_by(contacts.c.last_conversation_at, contacts.c.id))
        if account:
            query = query.where(contacts.c.account == account)
        return self._c.execute(query).all()

    def open_threads(self, contact_ids: list[int]) -> dict[int, list[str]]:
        if not contact_ids:
            return {}
        rows = self._c.execute(
            select(facts.c.contact_id, facts.c.text)
            .where(and_(facts.c.contact_id.in_(contact_ids), facts.c.kind == "open_thread"))
            .order_by(facts.c.at, facts.c.id))
        found: dict[int, list[str]] = {}
        for row in rows:
            found.setdefault(row.contact_id, []).append(row.text)
        return found
