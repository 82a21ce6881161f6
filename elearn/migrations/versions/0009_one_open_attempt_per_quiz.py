"""one open attempt per learner and quiz: a partial unique index, so no race of "start" requests
can open a second one

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:00:00

Open attempts that races created before this index are closed first: for each learner and quiz
the newest open attempt (the one "Resume" led to) is kept and the others, never submitted and so
never graded, are deleted.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OPEN = sa.text('submitted_at IS NULL')


def upgrade():
    op.execute(
        "DELETE FROM quiz_attempts WHERE submitted_at IS NULL AND id NOT IN ("
        "SELECT keep FROM (SELECT max(id) AS keep FROM quiz_attempts WHERE submitted_at IS NULL "
        "GROUP BY user_id, module_id, quiz_id) AS newest)")
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('uq_quiz_attempts_open', ['user_id', 'module_id', 'quiz_id'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_quiz_attempts_open', sqlite_where=OPEN, postgresql_where=OPEN)
