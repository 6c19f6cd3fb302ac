"""The tables. Changes here need an Alembic migration in `migrations/versions/`
(a test compares the migrated database with this metadata)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        try:
            value = value.astimezone(timezone.utc)
        except OverflowError:
            # 0001-01-01T00:00+01:00 is a valid time whose UTC form is not: a value error of
            # that one row, which the caller can skip, not an arithmetic fault of the store.
            raise ValueError(f"time out of range once in UTC: {value.isoformat()}") from None
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


accounts = Table(
    "accounts", metadata,
    Column("name", String(64), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

poll_state = Table(
    "poll_state", metadata,
    Column("account", String(64), ForeignKey("accounts.name", ondelete="CASCADE"), primary_key=True),
    Column("cursor", Text),
    Column("backfill_cursor", Text),
    Column("backfill_done", Boolean, nullable=False, default=False),
    Column("last_poll_at", UtcDateTime),
    Column("last_error", Text),
    Column("backoff_until", UtcDateTime),
    Column("failures", Integer, nullable=False, default=0),  # polls failed in a row
    Column("failing_since", UtcDateTime),
    # The replica that polls this account, until when (see bot/services/leases.py).
    Column("lease_holder", String(128)),
    Column("lease_until", UtcDateTime),
)

contacts = Table(
    "contacts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), ForeignKey("accounts.name", ondelete="CASCADE"), nullable=False),
    Column("platform_id", String(255)),
    Column("handle", String(255), nullable=False),
    Column("handle_key", String(255), nullable=False, default=""),  # handle_key(handle): how people look it up
    Column("name", Text, nullable=False, default=""),
    Column("bio", Text, nullable=False, default=""),
    Column("fields", Text, nullable=False, default="[]"),  # JSON [[name, value], ...]
    Column("bot", Boolean, nullable=False, default=False),
    Column("profile_refreshed_at", UtcDateTime),
    Column("stage", String(16), nullable=False, default="audience"),
    Column("stage_reason", Text, nullable=False, default=""),
    Column("conversations", Integer, nullable=False, default=0),
    Column("conversation_days", Integer, nullable=False, default=0),
    Column("reciprocal_conversations", Integer, nullable=False, default=0),
    Column("first_conversation_at", UtcDateTime),
    Column("last_conversation_at", UtcDateTime),
    Column("known_facts", Integer, nullable=False, default=0),
    Column("signals", Integer, nullable=False, default=0),
    Column("trusted", Boolean, nullable=False, default=False),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("opted_out_at", UtcDateTime),
    Column("last_pitch_at", UtcDateTime),
    Column("exchanges_since_pitch", Integer, nullable=False, default=0),
    Column("first_seen_at", UtcDateTime),
    Column("last_seen_at", UtcDateTime),
    Column("last_checkin_at", UtcDateTime),
    UniqueConstraint("account", "platform_id"),
    Index(None, "account", "handle"),
    Index(None, "account", "handle_key"),
    Index(None, "account", "stage"),
)

conversations = Table(
    "conversations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("thread", String(512), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("started_on", String(10), nullable=False),  # the UTC day, for "different days"
    Column("last_at", UtcDateTime, nullable=False),
    Column("inbound", Integer, nullable=False, default=0),
    Column("outbound", Integer, nullable=False, default=0),
    UniqueConstraint("contact_id", "thread"),
)

interactions = Table(
    "interactions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), ForeignKey("accounts.name", ondelete="CASCADE"), nullable=False),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String(512), nullable=False),  # the platform's id for the notification
    Column("kind", String(16), nullable=False),
    Column("direction", String(3), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("post_id", String(512)),
    Column("text", Text),
    Column("language", String(16)),
    Column("visibility", String(16)),
    Column("in_reply_to", String(512)),
    Column("thread", String(512)),
    Column("url", Text),
    Column("spoiler_text", Text, nullable=False, default=""),
    Column("category", String(24)),
    Column("draft_state", String(16), nullable=False, default="none"),
    Column("ingested_at", UtcDateTime, nullable=False),
    UniqueConstraint("account", "event_id"),
    Index(None, "draft_state", "account"),
    Index(None, "contact_id", "at"),
    Index(None, "account", "post_id"),
)

announcements = Table(
    "announcements", metadata,
    Column("id", String(32), primary_key=True),
    Column("account", String(64), ForeignKey("accounts.name", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("topics", Text, nullable=False, default="[]"),  # JSON [word, ...]
    Column("status", String(16), nullable=False),  # active, cancelled
    Column("excluded", Text, nullable=False, default="{}"),  # JSON {reason code: count} at drafting
    Column("created_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime),
    Index(None, "account", "created_at"),
)

drafts = Table(
    "drafts", metadata,
    Column("id", String(32), primary_key=True),
    Column("account", String(64), ForeignKey("accounts.name", ondelete="CASCADE"), nullable=False),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("interaction_id", Integer, ForeignKey("interactions.id", ondelete="CASCADE")),
    Column("text", Text, nullable=False),
    Column("language", String(16)),
    Column("visibility", String(16), nullable=False, default="public"),
    Column("status", String(16), nullable=False),
    Column("decision", Text, nullable=False),  # JSON, see Decision.to_dict
    Column("pitch", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("not_before", UtcDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("note", Text),
    Column("sent_post_id", String(512)),
    Column("sent_at", UtcDateTime),
    Column("claimed_by", String(128)),
    Column("claimed_at", UtcDateTime),
    Column("kind", String(16), nullable=False, server_default="reply"),  # reply, checkin
    Column("origin", String(64), nullable=False, server_default="template"),  # the drafter
    Column("origin_note", Text),  # e.g. why the LLM was not used
    # JSON [interaction id, ...]: earlier messages from the person folded into this draft
    Column("folded", Text, nullable=False, server_default="[]"),
    # The announcement this draft carries to one person (kind "announcement"), if any.
    Column("announcement_id", String(32), ForeignKey("announcements.id", ondelete="SET NULL")),
    Index(None, "status", "account"),
    Index(None, "contact_id", "sent_at"),
    Index(None, "announcement_id"),
)

facts = Table(
    "facts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # note, interest, project, open_thread...
    Column("text", Text, nullable=False),
    Column("source", String(32), nullable=False),  # user, bio, fields, message:<id>
    Column("at", UtcDateTime, nullable=False),
    Column("language", String(16)),
    Column("due", UtcDateTime),  # open threads: when the thing was to happen
    Index(None, "contact_id"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("account", String(64)),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("draft_id", String(32)),
    Column("detail", Text, nullable=False, default="{}"),
    Index(None, "contact_id"),
)

heartbeats = Table(
    "heartbeats", metadata,
    Column("instance", String(128), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("load", Float),
)

# Every move of a contact along the ladder, as it happens: the report's "30 days ago" is read
# from here, not estimated. Migration 0006 wrote the history before it by replaying what was stored.
stage_changes = Table(
    "stage_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),  # when the contact reached the new stage
    Column("from_stage", String(16), nullable=False),
    Column("to_stage", String(16), nullable=False),
    Column("cause", String(24), nullable=False),  # message, fact, trusted, untrusted; replay:... from 0006
    Column("reason", Text, nullable=False, default=""),  # the assessment's why, in words
    Index(None, "contact_id", "at"),
)
