"""Announcements: one message offered personally to the contacts who may receive it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'announcements',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('topics', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('excluded', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account'], ['accounts.name'], name='fk_announcements_account_accounts',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_announcements'),
    )
    op.create_index('ix_announcements_account_created_at', 'announcements', ['account', 'created_at'])
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key('fk_drafts_announcement_id_announcements', 'announcements',
                                    ['announcement_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_drafts_announcement_id', ['announcement_id'])


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_announcement_id')
        batch_op.drop_constraint('fk_drafts_announcement_id_announcements', type_='foreignkey')
        batch_op.drop_column('announcement_id')
    op.drop_index('ix_announcements_account_created_at', table_name='announcements')
    op.drop_table('announcements')
