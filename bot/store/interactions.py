"""Interactions: every event between the account and a person, stored once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.models import (
    Direction, Interaction, InteractionKind, Person, Post, StoredInteraction, Visibility,
)
from bot.store.schema import contacts, interactions


class InteractionRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(
        self, account: str, contact_id: int, interaction: Interaction, *, now: datetime,
        draft_state: str = "none", category: str | None = None,
    ) -> int | None:
        """Store it unless this platform event is already stored; the new row id, or None."""
        post = interaction.post
        values = dict(
            account=account, contact_id=contact_id, event_id=interaction.id,
            kind=interaction.kind.value, direction=interaction.direction.value, at=interaction.at,
            post_id=post.id if post else None, text=post.text if post else None,
            language=post.language if post else None,
            visibility=post.visibility.value if post else None,
            in_reply_to=post.in_reply_to if post else None,
            thread=post.thread_id if post else None, url=post.url if post else None,
            spoiler_text=post.spoiler_text if post else "", category=category,
            draft_state=draft_state, ingested_at=now,
        )
        insert = postgresql.insert if self._c.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(interactions).values(**values)
            .on_conflict_do_nothing(index_elements=["account", "event_id"])
            .returning(interactions.c.id)
        )
        return self._c.execute(statement).scalar()

    def get(self, interaction_id: int) -> StoredInteraction | None:
        row = self._c.execute(_joined().where(interactions.c.id == interaction_id)).first()
        return None if row is None else _to_stored(row)

    def awaiting_draft(self, account: str, limit: int = 100) -> list[StoredInteraction]:
        rows = self._c.execute(
            _joined()
            .where(interactions.c.account == account, interactions.c.draft_state == "pending")
            .order_by(interactions.c.at, interactions.c.id).limit(limit)
        )
        return [_to_stored(r) for r in rows]

    def set_draft_state(self, interaction_id: int, state: str) -> None:
        self._c.execute(update(interactions).where(interactions.c.id == interaction_id).values(draft_state=state))

    def thread_of(self, account: str, post_id: str) -> str | None:
        """The thread a stored post belongs to (ours or theirs), if it is stored."""
        return self._c.execute(
            select(interactions.c.thread)
            .where(interactions.c.account == account, interactions.c.post_id == post_id)
            .limit(1)
        ).scalar()

    def newer_in_thread(self, stored: StoredInteraction) -> bool:
        """Whether the conversation moved on after this message (either side wrote again)."""
        post = stored.interaction.post
        if post is None:
            return False
        later = and_(
            interactions.c.contact_id == stored.contact_id,
            interactions.c.thread == post.thread_id,
            interactions.c.id != stored.id,
            interactions.c.at > stored.interaction.at,
        )
        return self._c.execute(select(func.count()).select_from(interactions).where(later)).scalar_one() > 0

    def for_contact(self, contact_id: int, limit: int = 50) -> list[StoredInteraction]:
        rows = self._c.execute(
            _joined().where(interactions.c.contact_id == contact_id)
            .order_by(interactions.c.at.desc(), interactions.c.id.desc()).limit(limit)
        )
        return [_to_stored(r) for r in rows]

    def last_inbound_message(self, contact_id: int) -> StoredInteraction | None:
        row = self._c.execute(
            _joined().where(interactions.c.contact_id == contact_id, interactions.c.direction == "in",
                            interactions.c.post_id.is_not(None))
            .order_by(interactions.c.at.desc(), interactions.c.id.desc()).limit(1)
        ).first()
        return None if row is None else _to_stored(row)

    def forget_text_before(self, cutoff: datetime) -> int:
        """Retention: drop what people wrote before `cutoff`, keep that they wrote (the counts)."""
        return self._c.execute(
            update(interactions).where(interactions.c.at < cutoff, interactions.c.text.is_not(None))
            .values(text=None)
        ).rowcount

    def count_outbound_since(self, contact_id: int, since: datetime) -> int:
        return self._c.execute(
            select(func.count()).select_from(interactions).where(
                interactions.c.contact_id == contact_id,
                interactions.c.direction == Direction.OUTBOUND.value,
                interactions.c.at >= since,
            )
        ).scalar_one()

    def delete_for_contact(self, contact_id: int) -> None:
        self._c.execute(delete(interactions).where(interactions.c.contact_id == contact_id))


def _joined():  # noqa: ANN202
    return select(
        interactions,
        contacts.c.handle.label("contact_handle"),
        contacts.c.platform_id.label("contact_platform_id"),
        contacts.c.name.label("contact_name"),
    ).join(contacts, contacts.c.id == interactions.c.contact_id)


def _to_stored(row) -> StoredInteraction:  # noqa: ANN001
    post = None
    if row.post_id is not None:
        post = Post(
            id=row.post_id, text=row.text or "", language=row.language,
            visibility=Visibility(row.visibility or "public"), in_reply_to=row.in_reply_to,
            thread=row.thread, url=row.url, spoiler_text=row.spoiler_text or "",
        )
    interaction = Interaction(
        id=row.event_id, kind=InteractionKind(row.kind), at=row.at,
        person=Person(platform_id=row.contact_platform_id, handle=row.contact_handle, name=row.contact_name),
        post=post,
    )
    return StoredInteraction(
        id=row.id, account=row.account, contact_id=row.contact_id, interaction=interaction,
        category=row.category, draft_state=row.draft_state,
    )
