"""Drafts: suggested replies and their way through approval to sending."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from bot.domain.decisions import Decision
from bot.domain.drafts import Draft, DraftStatus, ReplyTarget
from bot.store.schema import accounts, contacts, drafts, interactions


_ADD = insert(drafts)
_SAVE = update(drafts).where(drafts.c.id == bindparam("draft_id"))
_WAITING = [DraftStatus.PENDING.value, DraftStatus.APPROVED.value, DraftStatus.SENDING.value]
_OPEN_FOR_CONTACT = select(func.count()).select_from(drafts).where(
    drafts.c.contact_id == bindparam("contact_id"), drafts.c.status.in_(_WAITING))
_OPEN_AMONG = select(drafts.c.contact_id).distinct().where(
    drafts.c.contact_id.in_(bindparam("contact_ids", expanding=True)), drafts.c.status.in_(_WAITING))
# Built on first use, once: `_joined` comes below; these run for every drafted message.
_BUILT: dict[str, Any] = {}


def _for_contact() -> Any:
    if "for_contact" not in _BUILT:
        _BUILT["for_contact"] = (_joined().where(drafts.c.contact_id == bindparam("contact_id"))
                                 .order_by(drafts.c.created_at))
    return _BUILT["for_contact"]


def _for_contacts() -> Any:
    if "for_contacts" not in _BUILT:
        _BUILT["for_contacts"] = (_joined().where(drafts.c.contact_id.in_(bindparam("contact_ids", expanding=True)))
                                  .order_by(drafts.c.created_at, drafts.c.id))
    return _BUILT["for_contacts"]


def _waiting_replies() -> Any:
    if "waiting_replies" not in _BUILT:
        _BUILT["waiting_replies"] = (
            _joined()
            .where(drafts.c.contact_id == bindparam("contact_id"), drafts.c.kind == "reply",
                   drafts.c.interaction_id.is_not(None),
                   drafts.c.status.in_([DraftStatus.PENDING.value, DraftStatus.BLOCKED.value]))
            .order_by(interactions.c.at.desc(), interactions.c.id.desc(), drafts.c.created_at, drafts.c.id)
            .with_for_update(of=drafts))
    return _BUILT["waiting_replies"]


class DraftRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, draft: Draft) -> None:
        self._c.execute(_ADD, dict(
            id=draft.id, account=draft.account, contact_id=draft.contact_id,
            interaction_id=draft.target.interaction_id if draft.target else None,
            created_at=draft.created_at, kind=draft.kind, origin=draft.origin, origin_note=draft.origin_note,
            folded=json.dumps(list(draft.folded)), announcement_id=draft.announcement, **_mutable(draft),
        ))

    def save(self, draft: Draft) -> None:
        self._c.execute(_SAVE, {"draft_id": draft.id, **_mutable(draft)})

    def get(self, draft_id: str, *, for_update: bool = False) -> Draft | None:
        """`for_update` holds the row until commit (PostgreSQL; SQLite serialises writers), so that
        what a person decides about is what is saved, not a version a drafter has since replaced."""
        query = _joined().where(drafts.c.id == draft_id)
        if for_update:
            query = query.with_for_update(of=drafts)
        row = self._c.execute(query).first()
        return None if row is None else _to_draft(row)

    def list(
        self, status: DraftStatus | None = None, account: str | None = None, limit: int = 1000, offset: int = 0,
    ) -> list[Draft]:
        """Oldest first; `limit` and `offset` page through them in a stable order.

        The page is chosen on the drafts table alone, then joined: sorting ten thousand pending
        drafts before joining each to its contact and message took three times as long."""
        page = select(drafts.c.id).order_by(drafts.c.created_at, drafts.c.id).limit(limit).offset(offset)
        if status is not None:
            page = page.where(drafts.c.status == status.value)
        if account:
            page = page.where(drafts.c.account == account)
        query = _joined().where(drafts.c.id.in_(page)).order_by(drafts.c.created_at, drafts.c.id)
        return [_to_draft(r) for r in self._c.execute(query)]

    def for_contact(self, contact_id: int) -> list[Draft]:
        return [_to_draft(r) for r in self._c.execute(_for_contact(), {"contact_id": contact_id})]

    def for_contacts(self, contact_ids: set[int] | list[int]) -> dict[int, list[Draft]]:
        """`for_contact` for several contacts, in a statement per 500 of them; every id is a key."""
        found: dict[int, list[Draft]] = {contact_id: [] for contact_id in contact_ids}
        ordered = sorted(found)
        for start in range(0, len(ordered), 500):  # well under every backend's parameter limit
            for row in self._c.execute(_for_contacts(), {"contact_ids": ordered[start:start + 500]}):
                found[row.contact_id].append(_to_draft(row))
        return found

    def open_among(self, contact_ids: set[int] | list[int]) -> set[int]:
        """Those of these contacts with drafts still waiting for a person or for sending (`open_for_contact`)."""
        ordered = sorted(set(contact_ids))
        found: set[int] = set()
        for start in range(0, len(ordered), 500):
            found.update(self._c.execute(_OPEN_AMONG, {"contact_ids": ordered[start:start + 500]}).scalars())
        return found

    def claim_sendable(
        self, owner: str, now: datetime, lease: timedelta, account: str | None = None, limit: int = 1,
    ) -> list[Draft]:
        """Take approved drafts that are due, and `sending` ones whose claim has lapsed.

        One by default: a claimer that dies strands whatever it holds until someone releases it,
        so a sender takes the next draft only after the previous one is done.
        Rows are locked with SKIP LOCKED on PostgreSQL, so replicas never take the same draft;
        SQLite serialises writers and has no row locks to skip.
        """
        due = and_(
            drafts.c.status == DraftStatus.APPROVED.value,
            or_(drafts.c.not_before.is_(None), drafts.c.not_before <= now),
        )
        lapsed = and_(drafts.c.status == DraftStatus.SENDING.value, drafts.c.claimed_at < now - lease)
        query = select(drafts.c.id).where(or_(due, lapsed)).order_by(drafts.c.updated_at).limit(limit)
        if account:
            query = query.where(drafts.c.account == account)
        ids = list(self._c.execute(query.with_for_update(skip_locked=True)).scalars())
        if not ids:
            return []
        self._c.execute(update(drafts).where(drafts.c.id.in_(ids)).values(
            status=DraftStatus.SENDING.value, claimed_by=owner, claimed_at=now, updated_at=now,
            attempts=drafts.c.attempts + 1,
        ))
        return [d for d in (self.get(i) for i in ids) if d is not None]

    def sending_claims(self, claimer_prefix: str) -> dict[str, datetime]:
        """The claimers starting with `claimer_prefix` that hold `sending` drafts, each with its
        earliest claim: proof that the claimer was alive then."""
        rows = self._c.execute(
            select(drafts.c.claimed_by, func.min(drafts.c.claimed_at))
            .where(drafts.c.status == DraftStatus.SENDING.value,
                   drafts.c.claimed_by.startswith(claimer_prefix, autoescape=True))
            .group_by(drafts.c.claimed_by)
        )
        return {claimer: claimed_at for claimer, claimed_at in rows}

    def release_claims(self, claimers: list[str], now: datetime) -> int:
        """Hand the `sending` drafts of these claimers back to `approved` without waiting for the lease.

        The attempt count is kept, so the next claim asks the platform whether the earlier attempt got
        through before posting again. Matching on the claimer leaves alone a draft someone else has
        claimed since; rows another transaction holds are skipped, as in `claim_sendable`, so two
        senders releasing at once never wait on each other.
        """
        if not claimers:
            return 0
        query = (select(drafts.c.id)
                 .where(drafts.c.status == DraftStatus.SENDING.value, drafts.c.claimed_by.in_(claimers))
                 .order_by(drafts.c.id))
        ids = list(self._c.execute(query.with_for_update(skip_locked=True)).scalars())
        if ids:
            self._c.execute(update(drafts).where(drafts.c.id.in_(ids)).values(
                status=DraftStatus.APPROVED.value, claimed_by=None, claimed_at=None, updated_at=now,
            ))
        return len(ids)

    def sent_since(self, contact_id: int, since: datetime) -> int:
        return self._c.execute(
            select(func.count()).select_from(drafts).where(
                drafts.c.contact_id == contact_id, drafts.c.status == DraftStatus.SENT.value,
                drafts.c.sent_at >= since,
            )
        ).scalar_one()

    def open_for_contact(self, contact_id: int) -> int:
        """Drafts to this person still waiting for a person or for sending."""
        return self._c.execute(_OPEN_FOR_CONTACT, {"contact_id": contact_id}).scalar_one()

    def count_kind_since(self, account: str, kind: str, since: datetime) -> int:
        return self._c.execute(
            select(func.count()).select_from(drafts)
            .where(drafts.c.account == account, drafts.c.kind == kind, drafts.c.created_at >= since)
        ).scalar_one()

    def alternatives(self, draft: Draft) -> list[Draft]:
        """Other suggestions answering the same message, still waiting for a person."""
        if draft.target is None:
            return []
        waiting = [DraftStatus.PENDING.value, DraftStatus.BLOCKED.value]
        rows = self._c.execute(
            _joined().where(drafts.c.interaction_id == draft.target.interaction_id, drafts.c.id != draft.id,
                            drafts.c.status.in_(waiting), drafts.c.kind == draft.kind)
            .order_by(drafts.c.created_at, drafts.c.id)
        )
        return [_to_draft(r) for r in rows]

    def waiting_replies(self, contact_id: int) -> list[Draft]:
        """Replies to this person still waiting for a person (pending or blocked), the ones that
        answer their latest message first; the rows are held until commit."""
        return [_to_draft(r) for r in self._c.execute(_waiting_replies(), {"contact_id": contact_id})]

    def set_folded(self, draft_ids: list[str], folded: tuple[int, ...], now: datetime) -> None:
        self._c.execute(update(drafts).where(drafts.c.id.in_(draft_ids))
                        .values(folded=json.dumps(list(folded)), updated_at=now))

    def folded_messages(self, draft: Draft) -> list[ReplyTarget]:
        """The earlier messages folded into `draft`, oldest first (a forgotten one is left out)."""
        if not draft.folded:
            return []
        rows = self._c.execute(
            select(*_TARGET_COLUMNS).where(interactions.c.id.in_(draft.folded))
            .order_by(interactions.c.at, interactions.c.id)
        )
        return [_to_target(row) for row in rows]

    def exists_for_interaction(self, interaction_id: int) -> bool:
        query = select(func.count()).select_from(drafts).where(drafts.c.interaction_id == interaction_id)
        return self._c.execute(query).scalar_one() > 0

    def delete_for_contact(self, contact_id: int) -> None:
        self._c.execute(delete(drafts).where(drafts.c.contact_id == contact_id))


def _mutable(draft: Draft) -> dict[str, object]:
    return dict(
        text=draft.text, language=draft.language, visibility=draft.visibility,
        status=draft.status.value, decision=json.dumps(draft.decision.to_dict(), ensure_ascii=False),
        pitch=draft.pitch, updated_at=draft.updated_at, not_before=draft.not_before,
        attempts=draft.attempts, last_error=draft.last_error, note=draft.note,
        sent_post_id=draft.sent_post_id, sent_at=draft.sent_at,
    )


_TARGET_COLUMNS = (
    interactions.c.id.label("t_id"),
    interactions.c.post_id.label("t_post_id"), interactions.c.text.label("t_text"),
    interactions.c.thread.label("t_thread"), interactions.c.visibility.label("t_visibility"),
    interactions.c.url.label("t_url"), interactions.c.spoiler_text.label("t_spoiler"),
    interactions.c.kind.label("t_kind"), interactions.c.category.label("t_category"),
    interactions.c.at.label("t_at"),
)


def _joined():  # noqa: ANN202
    return (
        select(
            drafts,
            accounts.c.platform.label("platform"),
            contacts.c.handle.label("contact_handle"), contacts.c.stage.label("contact_stage"),
            *_TARGET_COLUMNS,
        )
        .join(accounts, accounts.c.name == drafts.c.account)
        .join(contacts, contacts.c.id == drafts.c.contact_id)
        .outerjoin(interactions, interactions.c.id == drafts.c.interaction_id)
    )


def _to_target(row) -> ReplyTarget:  # noqa: ANN001
    return ReplyTarget(
        interaction_id=row.t_id, post_id=row.t_post_id or "", text=row.t_text or "",
        thread=row.t_thread, visibility=row.t_visibility or "public", url=row.t_url,
        spoiler_text=row.t_spoiler or "", kind=row.t_kind, category=row.t_category, at=row.t_at,
    )


def _to_draft(row) -> Draft:  # noqa: ANN001
    target = _to_target(row) if row.interaction_id is not None else None
    return Draft(
        id=row.id, account=row.account, platform=row.platform, contact_id=row.contact_id,
        contact_handle=row.contact_handle, target=target, text=row.text, language=row.language,
        status=DraftStatus(row.status), decision=Decision.from_dict(json.loads(row.decision)),
        created_at=row.created_at, updated_at=row.updated_at, visibility=row.visibility,
        sent_post_id=row.sent_post_id, sent_at=row.sent_at, not_before=row.not_before,
        attempts=row.attempts, last_error=row.last_error, note=row.note, pitch=row.pitch,
        contact_stage=row.contact_stage, kind=row.kind, origin=row.origin, origin_note=row.origin_note,
        folded=tuple(json.loads(row.folded)), announcement=row.announcement_id,
    )
