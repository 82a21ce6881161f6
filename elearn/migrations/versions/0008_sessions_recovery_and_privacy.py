"""accounts for people at risk: server-side sessions, recovery and reset codes (digests only), a
record of password resets, look-alike pseudonyms (a skeleton digest per user), a daily count of
invitation e-mails per trainer, and certificates that outlive a deleted account (user_id SET NULL)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:30:00

Existing accounts get the skeleton of their pseudonym; when several already look alike, the oldest
keeps it and the others keep NULL (they stay as they are; new look-alikes are refused).
"""
from alembic import op
import sqlalchemy as sa

from elearn.auth.names import skeleton_key

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CURRENT = sa.text('superseded_at IS NULL')


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key', name=op.f('uq_user_sessions_key'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_created_at'), ['created_at'], unique=False)

    op.create_table('account_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_codes_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_account_codes_issued_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_account_codes_code_hash'))
    )
    with op.batch_alter_table('account_codes', schema=None) as batch_op:
        batch_op.create_index('ix_account_codes_user_kind', ['user_id', 'kind'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_password_resets_issued_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_resets_at'), ['at'], unique=False)

    op.create_table('invitation_counts',
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_invitation_counts_trainer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trainer_id', 'day', name=op.f('pk_invitation_counts'))
    )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_skeleton', sa.String(length=64), nullable=True))
    _fill_skeletons()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_users_name_skeleton'), ['name_skeleton'])

    # The partial index is dropped and made again around the table rebuild (SQLite), so its
    # WHERE clause cannot be lost on the way.
    op.drop_index('uq_certificates_current', table_name='certificates')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('fk_certificates_user_id_users', type_='foreignkey')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_certificates_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='SET NULL')
    op.create_index('uq_certificates_current', 'certificates', ['user_id', 'module_id'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)


def _fill_skeletons():
    bind = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('username', sa.String),
                     sa.column('name_skeleton', sa.String))
    seen = set()
    for user_id, username in bind.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all():
        key = skeleton_key(username)
        if key in seen:
            continue
        seen.add(key)
        bind.execute(users.update().where(users.c.id == user_id).values(name_skeleton=key))


def downgrade():
    op.execute("DELETE FROM certificates WHERE user_id IS NULL")
    op.drop_index('uq_certificates_current', table_name='certificates')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('fk_certificates_user_id_users', type_='foreignkey')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificates_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
    op.create_index('uq_certificates_current', 'certificates', ['user_id', 'module_id'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_name_skeleton'), type_='unique')
        batch_op.drop_column('name_skeleton')
    op.drop_table('invitation_counts')
    op.drop_table('password_resets')
    op.drop_table('account_codes')
    op.drop_table('user_sessions')
