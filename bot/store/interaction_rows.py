"""Interaction rows: read with their contact's names, and made into the domain's StoredInteraction."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.models import Interaction, InteractionKind, Person, Post, StoredInteraction, Visibility
from bot.store.schema import contacts, interactions


def joined():  # noqa: ANN202
    return select(
        interactions,
        contacts.c.handle.label("contact_handle"),
        contacts.c.platform_id.label("contact_platform_id"),
        contacts.c.name.label("contact_name"),
    ).join(contacts, contacts.c.id == interactions.c.contact_id)


def to_stored(row) -> StoredInteraction:  # noqa: ANN001
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
