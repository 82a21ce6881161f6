"""sign-in failures for the lockout: one row per failed sign-in, the account name as a digest

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:10:49.016893

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failures_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index('ix_sign_in_failures_key_failed_at', ['key', 'failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_key_failed_at')
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_failed_at'))

    op.drop_table('sign_in_failures')
