"""Stage history: every move of a contact along the ladder, with its date and cause.

Stores older than this record get their history once, by replaying what they hold (messages,
facts, trust decisions from the audit log) with the default thresholds. Where that replay ends
elsewhere than the stored stage (other configured thresholds, a fact since deleted), one more
change, dated now with the cause `replay:stored`, brings it to the stored stage.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
from collections import defaultdict
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from bot.domain.stage_history import REPLAY_PREFIX, Cause, HistoryEvent, replay_stages
from bot.domain.stages import StageThresholds
from bot.store.schema import UtcDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_CONVERSATION_KINDS = ('mention', 'reply', 'quote', 'sent')
_TOPIC_SOURCE = 'topic'  # mined keywords: not knowledge of the person


def upgrade() -> None:
    changes = op.create_table(
        'stage_changes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.Column('from_stage', sa.String(length=16), nullable=False),
        sa.Column('to_stage', sa.String(length=16), nullable=False),
        sa.Column('cause', sa.String(length=24), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_stage_changes_contact_id_contacts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes')),
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_changes_contact_id_at'), ['contact_id', 'at'], unique=False)
    _replay(op.get_bind(), changes)


def _replay(connection: sa.Connection, changes: sa.Table) -> None:
    events = _events(connection)
    now = datetime.now(timezone.utc)
    rows = []
    stored = connection.execute(sa.text('SELECT id, stage FROM contacts ORDER BY id')).all()
    for contact_id, stored_stage in stored:
        history = replay_stages(events.get(contact_id, ()), StageThresholds())
        for change in history:
            rows.append(_row(contact_id, change.at, change.from_stage.value, change.to_stage.value,
                             change.cause, change.reason))
        reached = history[-1].to_stage.value if history else 'audience'
        if reached != stored_stage:
            rows.append(_row(contact_id, now, reached, stored_stage, REPLAY_PREFIX + 'stored',
                             'the stored stage when the history began'))
    if rows:
        connection.execute(changes.insert(), rows)


def _row(contact_id: int, at: datetime, from_stage: str, to_stage: str, cause: str, reason: str) -> dict:
    return {'contact_id': contact_id, 'at': at, 'from_stage': from_stage, 'to_stage': to_stage,
            'cause': cause, 'reason': reason}


def _events(connection: sa.Connection) -> dict[int, list[HistoryEvent]]:
    at = sa.column('at', UtcDateTime())
    events: dict[int, list[HistoryEvent]] = defaultdict(list)
    messages = sa.select(sa.column('contact_id'), at, sa.column('thread'), sa.column('direction')).select_from(
        sa.table('interactions')).where(sa.column('kind').in_(_CONVERSATION_KINDS), sa.column('post_id').is_not(None))
    for contact_id, when, thread, direction in connection.execute(messages):
        events[contact_id].append(HistoryEvent(when, Cause.MESSAGE, thread or '', direction == 'in'))
    facts = sa.select(sa.column('contact_id'), at).select_from(sa.table('facts')).where(
        sa.column('source') != _TOPIC_SOURCE)
    for contact_id, when in connection.execute(facts):
        events[contact_id].append(HistoryEvent(when, Cause.FACT))
    decisions = sa.select(sa.column('contact_id'), at, sa.column('action')).select_from(sa.table('audit_log')).where(
        sa.column('action').in_(['trusted', 'untrusted']), sa.column('contact_id').is_not(None))
    for contact_id, when, action in connection.execute(decisions):
        events[contact_id].append(HistoryEvent(when, Cause(action)))
    return events


def downgrade() -> None:
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_changes_contact_id_at'))
    op.drop_table('stage_changes')
