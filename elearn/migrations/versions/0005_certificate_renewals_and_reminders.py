"""certificate renewals and reminders: earlier certificates kept as superseded, one current
per learner and module (a partial unique index); reminders sent once per window

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 08:07:53.261914

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_reminders_certificate_id_certificates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_reminders_user_id'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('renewed_from_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_certificates_user_id'), type_='unique')
        batch_op.create_index('uq_certificates_current', ['user_id', 'module_id'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_renewed_from_id'), ['renewed_from_id'])
        batch_op.create_foreign_key(batch_op.f('fk_certificates_renewed_from_id_certificates'), 'certificates', ['renewed_from_id'], ['id'], ondelete='SET NULL')



def downgrade():
    # Lossy: only the current certificate of each learner and module can stay under the old constraint.
    op.execute("DELETE FROM certificates WHERE superseded_at IS NOT NULL")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_renewed_from_id_certificates'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_certificates_renewed_from_id'), type_='unique')
        batch_op.drop_index('uq_certificates_current', sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_user_id'), ['user_id', 'module_id'])
        batch_op.drop_column('renewed_from_id')
        batch_op.drop_column('superseded_at')

    op.drop_table('reminders')
