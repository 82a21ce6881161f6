"""Assignments: a trainer asks a group, or one of its members, to finish a module by a date.

Due-date rule (pure, see `state`): a one-off assignment is due on `due_on` and done once the
module is completed. A recurring one asks for a completion in every cycle: it is due on d0 =
`due_on`, then on d1 = d0 + N months, d2, ... (N = `recur_months`), and cycle k runs after d(k-1)
up to d(k) (cycle 0 opens N months before d0). Today falls in some cycle k: a completion in it
means done (next due d(k+1)); otherwise the learner is due by d(k), unless they also missed the
previous cycle's date, which makes them overdue. Completing the module again (for example by
passing a refresher quiz) counts for the cycle it falls in.

A completion is the issue of the module's certificate (revoked ones do not count): the
certificate is issued at the moment every lesson and quiz of the module is done.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..certificates.models import Certificate
from ..certificates.service import add_months
from .models import Assignment, Group, Membership

MAX_RECUR_MONTHS = 60


@dataclass(frozen=True)
class DueState:
    due: dt.date
    done: bool
    overdue: bool


def _nth(due_on: dt.date, n: int, months: int) -> dt.date:
    return add_months(due_on, n * months)


@functools.lru_cache(maxsize=4096)  # pure; a report asks the same question for many learners
def state(due_on: dt.date, recur_months: int | None, completed_on: dt.date | None, today: dt.date) -> DueState:
    """Where a learner stands on one assignment today; `completed_on` is their latest completion.

    `due` is the date of the next requirement not yet met (for a met one-off assignment, its date).
    """
    if not recur_months:
        done = completed_on is not None
        return DueState(due_on, done, not done and today > due_on)
    k = 0  # the current cycle: the first due date on or after today
    while _nth(due_on, k, recur_months) < today:
        k += 1

    def opens(j: int) -> dt.date:  # cycle j runs after d(j-1) up to d(j)
        return _nth(due_on, j - 1, recur_months)

    if completed_on is not None and completed_on > opens(k):
        return DueState(_nth(due_on, k + 1, recur_months), True, False)
    if k == 0 or (completed_on is not None and completed_on > opens(k - 1)):
        return DueState(_nth(due_on, k, recur_months), False, False)
    return DueState(_nth(due_on, k - 1, recur_months), False, True)


def pick(assignments: Iterable[Assignment]) -> Assignment | None:
    """Of several assignments of one module to one learner in one group, the one that applies:
    a personal assignment overrides the group's; otherwise the newest."""
    return max(assignments, key=lambda a: (a.user_id is not None, a.created_at, a.id), default=None)


def for_group(session: Session, group_id: int) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.group_id == group_id)
                                .order_by(Assignment.due_on, Assignment.id)))


def assign(session: Session, group: Group, module_id: str, due_on: dt.date, recur_months: int | None,
           user_id: int | None = None) -> Assignment:
    """Assign a module to the group (user_id None) or to one member. Assigning the same module to
    the same people again changes the due date and recurrence instead of adding a second row."""
    existing = session.scalar(select(Assignment).where(
        Assignment.group_id == group.id, Assignment.module_id == module_id,
        Assignment.user_id.is_(None) if user_id is None else Assignment.user_id == user_id))
    if existing is None:
        existing = Assignment(group_id=group.id, user_id=user_id, module_id=module_id)
        session.add(existing)
    existing.due_on, existing.recur_months = due_on, recur_months or None
    session.commit()
    return existing


def find(session: Session, group: Group, assignment_id: int) -> Assignment | None:
    """One of the group's assignments (None if it is not the group's)."""
    return session.scalar(select(Assignment).where(Assignment.id == assignment_id, Assignment.group_id == group.id))


def unassign(session: Session, group: Group, assignment_id: int) -> bool:
    assignment = find(session, group, assignment_id)
    if assignment is None:
        return False
    session.delete(assignment)
    session.commit()
    return True


def completions(session: Session, user_ids, module_ids: Iterable[str]) -> dict[tuple[int, str], dt.date]:
    """(user, module) -> date of the latest unrevoked certificate; `user_ids` may be a subquery."""
    rows = session.execute(
        select(Certificate.user_id, Certificate.module_id, func.max(Certificate.issued_at))
        .where(Certificate.user_id.in_(user_ids), Certificate.module_id.in_(list(module_ids)),
               Certificate.revoked_at.is_(None))
        .group_by(Certificate.user_id, Certificate.module_id))
    return {(u, m): issued.date() for u, m, issued in rows}


@dataclass(frozen=True)
class LearnerAssignment:
    """One module assigned to the learner, through one of their groups."""

    module_id: str
    group_name: str
    state: DueState
    recur_months: int | None


def for_learner(session: Session, user_id: int, today: dt.date) -> list[LearnerAssignment]:
    """The learner's assignments in the groups they belong to, most pressing first; a module
    assigned several times appears once, with its earliest open due date."""
    rows = session.execute(
        select(Assignment, Group.name)
        .join(Group, Group.id == Assignment.group_id)
        .join(Membership, and_(Membership.group_id == Assignment.group_id, Membership.user_id == user_id))
        .where(or_(Assignment.user_id.is_(None), Assignment.user_id == user_id))).all()
    by_group_module: dict[tuple[int, str], list] = {}
    for assignment, name in rows:
        by_group_module.setdefault((assignment.group_id, assignment.module_id), []).append((assignment, name))
    done_on = completions(session, [user_id], {a.module_id for a, _ in rows})
    best: dict[str, LearnerAssignment] = {}
    for items in by_group_module.values():
        assignment = pick(a for a, _ in items)
        name = next(n for a, n in items if a is assignment)
        item = LearnerAssignment(assignment.module_id, name,
                                 state(assignment.due_on, assignment.recur_months,
                                       done_on.get((user_id, assignment.module_id)), today),
                                 assignment.recur_months)
        current = best.get(item.module_id)
        if current is None or _urgency(item) < _urgency(current):
            best[item.module_id] = item
    return sorted(best.values(), key=_urgency)


def _urgency(item: LearnerAssignment):
    return (item.state.done, not item.state.overdue, item.state.due)
