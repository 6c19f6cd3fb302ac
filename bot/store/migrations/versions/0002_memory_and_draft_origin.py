"""Contact memory (fact language and due date), draft origin and kind, last check-in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('due', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='reply'))
        batch_op.add_column(sa.Column('origin', sa.String(length=64), nullable=False, server_default='template'))
        batch_op.add_column(sa.Column('origin_note', sa.Text(), nullable=True))
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_checkin_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('last_checkin_at')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('origin_note')
        batch_op.drop_column('origin')
        batch_op.drop_column('kind')
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_column('due')
        batch_op.drop_column('language')
