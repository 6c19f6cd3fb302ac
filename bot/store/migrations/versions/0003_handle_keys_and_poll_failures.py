"""Handles compared by a stored Unicode case-folded key; poll failures counted for health.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""
import unicodedata

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _key(handle: str) -> str:
    # Kept here, not imported: a migration must keep meaning what it meant when written.
    return unicodedata.normalize('NFKC', handle.removeprefix('@')).casefold()


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handle_key', sa.String(length=255), nullable=False, server_default=''))
        batch_op.create_index('ix_contacts_account_handle_key', ['account', 'handle_key'], unique=False)
    with op.batch_alter_table('poll_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    contacts = sa.table('contacts', sa.column('id', sa.Integer), sa.column('handle', sa.String),
                        sa.column('handle_key', sa.String))
    rows = connection.execute(sa.select(contacts.c.id, contacts.c.handle)).all()
    for contact_id, handle in rows:
        connection.execute(contacts.update().where(contacts.c.id == contact_id).values(handle_key=_key(handle)))


def downgrade() -> None:
    with op.batch_alter_table('poll_state', schema=None) as batch_op:
        batch_op.drop_column('failing_since')
        batch_op.drop_column('failures')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_account_handle_key')
        batch_op.drop_column('handle_key')
