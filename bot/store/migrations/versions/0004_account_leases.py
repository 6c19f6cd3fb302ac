"""Account leases: which replica polls an account, until when.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('poll_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_holder', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('poll_state', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_holder')
