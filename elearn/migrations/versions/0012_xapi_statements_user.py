"""xAPI statements name their learner (user_id, ON DELETE CASCADE): deleting an account deletes the
person's statements, sent or not, and "Download my data" lists them

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 15:00:00

Rows queued before this revision get the learner from the statement's actor, whose account name is
the learner's id in this database (xapi/statements.py). SQLite can give a deleted account's id to
a newer account, so a row is linked only to an account created before the row was queued. Rows
whose learner no longer exists (an account deleted before this revision), or whose id was given to
a newer account, keep user_id NULL: they stay in the outbox, and unsent ones are still sent, until
`elearn xapi send --purge-after DAYS` deletes them once sent.
"""
import json

from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

PAGE = 1000


def upgrade():
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_xapi_statements_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_xapi_statements_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
    _link_learners()


def _link_learners():
    bind = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime))
    rows = sa.table('xapi_statements', sa.column('id', sa.Integer), sa.column('body', sa.Text),
                    sa.column('created_at', sa.DateTime), sa.column('user_id', sa.Integer))
    registered = dict(bind.execute(sa.select(users.c.id, users.c.created_at)).all())
    last = 0
    while True:
        page = bind.execute(sa.select(rows.c.id, rows.c.body, rows.c.created_at).where(rows.c.id > last)
                            .order_by(rows.c.id).limit(PAGE)).all()
        if not page:
            return
        found = {}
        for row_id, body, created_at in page:
            user_id = _actor(body)
            if user_id in registered and registered[user_id] <= created_at:
                found.setdefault(user_id, []).append(row_id)
        for user_id, ids in found.items():
            bind.execute(rows.update().where(rows.c.id.in_(ids)).values(user_id=user_id))
        last = page[-1][0]


def _actor(body: str) -> int | None:
    """The learner's id in a statement's actor, or None when the body does not name one."""
    try:
        name = json.loads(body)["actor"]["account"]["name"]
    except (ValueError, TypeError, KeyError):
        return None
    return int(name) if isinstance(name, str) and name.isascii() and name.isdigit() else None


def downgrade():
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_xapi_statements_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_xapi_statements_user_id'))
        batch_op.drop_column('user_id')
