"""xAPI outbox: statements queued by the request that finished a step, sent later to the LRS by
`elearn xapi send` (retries with back-off; a statement's own UUID is unique, so a retry cannot
store it twice)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 11:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statements')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_statements_statement_id'))
    )
    op.create_index('ix_xapi_statements_due', 'xapi_statements', ['sent_at', 'next_try_at'], unique=False)


def downgrade():
    op.drop_index('ix_xapi_statements_due', table_name='xapi_statements')
    op.drop_table('xapi_statements')
