"""module totals: one row per learner and module, kept up to date, for trainers' reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 08:56:01.352917

The backfill counts from the rows already there. It cannot see the content files, so it counts
every completed lesson and every passed quiz except refreshers; the app recomputes a learner's row
from the current content at their next activity in the module (learning/service.refresh_totals).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO module_totals (user_id, module_id, lessons_done, quizzes_passed, best_final, last_activity)
SELECT user_id, module_id, SUM(lessons_done), SUM(quizzes_passed), MAX(best_final), MAX(last_activity)
FROM (
    SELECT user_id, module_id, COUNT(completed_at) AS lessons_done, 0 AS quizzes_passed,
           CAST(NULL AS FLOAT) AS best_final, MAX(last_opened_at) AS last_activity
    FROM lesson_progress GROUP BY user_id, module_id
    UNION ALL
    SELECT user_id, module_id, 0, COUNT(DISTINCT CASE WHEN passed THEN quiz_id END),
           MAX(CASE WHEN quiz_id = 'final' THEN percent END), MAX(started_at)
    FROM quiz_attempts WHERE quiz_id <> 'refresher' GROUP BY user_id, module_id
) AS activity
GROUP BY user_id, module_id
"""


def upgrade():
    op.create_table('module_totals',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('lessons_done', sa.Integer(), nullable=False),
    sa.Column('quizzes_passed', sa.Integer(), nullable=False),
    sa.Column('best_final', sa.Double(), nullable=True),
    sa.Column('last_activity', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_module_totals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'module_id', name=op.f('pk_module_totals'))
    )
    op.execute(BACKFILL)


def downgrade():
    op.drop_table('module_totals')
