"""Everything the app holds about one person, as plain data (JSON) and as readable rows (CSV).

The account, its sessions, recovery and reset codes (dates only: the codes are never stored in
clear), password resets, failed sign-ins under its pseudonym, every lesson opened, every quiz
attempt with each answer and its timestamps, module totals, groups joined and led, assignments,
certificates, reminders, invitation counts and the xAPI statements about the person held in the
outbox (sent or waiting; elearn cannot reach those an LRS has received). Content is named in both
languages in the JSON, in the page's language in the CSV.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from ..auth import recovery, sessions
from ..auth.lockout import name_key
from ..auth.models import AccountCode, SignInFailure, User
from ..certificates.models import Certificate
from ..content import Catalog
from ..dates import format_date, format_datetime
from ..learning.models import LessonProgress, ModuleTotals
from ..quiz.models import QuizAttempt
from ..refresher.service import quiz_for
from ..reminders.models import Reminder
from ..trainer.models import Assignment, Group, InvitationCount, Membership
from ..xapi.models import XapiStatement

FORMAT = "elearn personal data, version 1"


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def _text(text) -> dict | None:
    return {"ar": str(text.ar), "en": str(text.en)} if text is not None else None


def display_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


def collect(session: Session, catalog: Catalog, user: User, now: dt.datetime, lifetime: dt.timedelta) -> dict:
    """Everything held about `user`, as JSON-ready data."""
    return {
        "format": FORMAT,
        "exported_at": _when(now),
        "account": {"pseudonym": user.username, "display_name": user.display_name,
                    "certificate_name": user.certificate_name, "email": user.email, "language": user.locale,
                    "role": user.role, "created_at": _when(user.created_at)},
        "sessions": [{"signed_in_at": _when(s.created_at)} for s in sessions.live(session, user.id, now, lifetime)],
        **_security(session, user),
        **_learning(session, catalog, user.id),
        **_groups(session, catalog, user.id),
        "certificates": [_certificate(c) for c in session.scalars(
            select(Certificate).options(defer(Certificate.pdf)).where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at))],
        "reminders": [{"kind": r.kind, "created_at": _when(r.created_at), "sent_at": _when(r.sent_at)}
                      for r in session.scalars(select(Reminder).where(Reminder.user_id == user.id)
                                               .order_by(Reminder.created_at))],
        "xapi_statements": [_statement(s) for s in session.scalars(
            select(XapiStatement).where(XapiStatement.user_id == user.id).order_by(XapiStatement.id))],
    }


def _security(session: Session, user: User) -> dict:
    resets, issued = recovery.history(session, user.id)
    names = display_names(session, [r.issued_by_id for r in resets] + [c.issued_by_id for c in issued])
    recovery_made = session.scalar(select(func.min(AccountCode.created_at)).where(
        AccountCode.user_id == user.id, AccountCode.kind == recovery.RECOVERY))
    failures = session.scalars(select(SignInFailure.failed_at).where(SignInFailure.key == name_key(user.username))
                               .order_by(SignInFailure.failed_at)).all()
    return {
        "recovery_codes": {"created_at": _when(recovery_made),
                           "unused": recovery.recovery_codes_left(session, user.id)},
        "password_resets": [{"at": _when(r.at), "method": r.method, "issued_by": names.get(r.issued_by_id)}
                            for r in resets],
        "reset_codes_issued": [{"created_at": _when(c.created_at), "expires_at": _when(c.expires_at),
                                "used_at": _when(c.used_at), "issued_by": names.get(c.issued_by_id)} for c in issued],
        "failed_sign_ins": [_when(at) for at in failures],
    }


def _learning(session: Session, catalog: Catalog, user_id: int) -> dict:
    lessons = []
    for row in session.scalars(select(LessonProgress).where(LessonProgress.user_id == user_id)
                               .order_by(LessonProgress.first_opened_at)):
        module = catalog.module(row.module_id)
        lesson = module.lesson(row.lesson_id) if module else None
        lessons.append({"module_id": row.module_id, "module": _text(module.title) if module else None,
                        "lesson_id": row.lesson_id,
                        "lesson": {lang: text.title for lang, text in lesson.texts.items()} if lesson else None,
                        "first_opened_at": _when(row.first_opened_at), "last_opened_at": _when(row.last_opened_at),
                        "completed_at": _when(row.completed_at)})
    attempts = [_attempt(catalog, a) for a in session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.started_at))]
    totals = [{"module_id": t.module_id, "lessons_done": t.lessons_done, "quizzes_passed": t.quizzes_passed,
               "best_final_percent": t.best_final, "last_activity": _when(t.last_activity)}
              for t in session.scalars(select(ModuleTotals).where(ModuleTotals.user_id == user_id))]
    return {"lessons": lessons, "quiz_attempts": attempts, "module_totals": totals}


def _attempt(catalog: Catalog, attempt: QuizAttempt) -> dict:
    module = catalog.module(attempt.module_id)
    quiz = quiz_for(module, attempt.quiz_id) if module else None
    answers = []
    for item in attempt.layout:
        question = quiz.question(item["q"]) if quiz else None
        options = {o.id: o for o in question.options} if question else {}
        chosen = (attempt.answers or {}).get(item["q"], [])
        answers.append({
            "question_id": item["q"], "question": _text(question.prompt) if question else None,
            "chosen": [{"id": o, "text": _text(options[o].text) if o in options and options[o].text else None}
                       for o in chosen],
            "points": (attempt.question_points or {}).get(item["q"])})
    return {"module_id": attempt.module_id, "quiz_id": attempt.quiz_id,
            "quiz": _text(quiz.title) if quiz else None, "content_version": attempt.content_version,
            "started_at": _when(attempt.started_at), "saved_at": _when(attempt.saved_at),
            "submitted_at": _when(attempt.submitted_at), "points": attempt.points, "max_points": attempt.max_points,
            "percent": attempt.percent, "passed": attempt.passed, "answers": answers}


def _groups(session: Session, catalog: Catalog, user_id: int) -> dict:
    joined = session.execute(select(Group, Membership.joined_at).join(Membership, Membership.group_id == Group.id)
                             .where(Membership.user_id == user_id).order_by(Membership.joined_at)).all()
    trainers = display_names(session, [g.trainer_id for g, _j in joined])
    group_ids = [g.id for g, _j in joined]
    assigned = session.scalars(select(Assignment).where(
        Assignment.group_id.in_(group_ids), (Assignment.user_id.is_(None)) | (Assignment.user_id == user_id))
        .order_by(Assignment.due_on)).all() if group_ids else []
    names = {g.id: g.name for g, _j in joined}
    led = session.execute(select(Group, func.count(Membership.id)).outerjoin(Membership, Membership.group_id == Group.id)
                          .where(Group.trainer_id == user_id).group_by(Group.id).order_by(Group.created_at)).all()
    invitations = session.scalars(select(InvitationCount).where(InvitationCount.trainer_id == user_id)
                                  .order_by(InvitationCount.day)).all()
    return {
        "groups": [{"name": g.name, "trainer": trainers.get(g.trainer_id), "joined_at": _when(j)} for g, j in joined],
        "assignments": [{"group": names.get(a.group_id), "module_id": a.module_id,
                         "module": _text(catalog.module(a.module_id).title) if catalog.module(a.module_id) else None,
                         "due_on": _when(a.due_on), "repeats_every_months": a.recur_months} for a in assigned],
        "groups_led": [{"name": g.name, "created_at": _when(g.created_at), "members": n} for g, n in led],
        "invitation_emails_sent": [{"day": _when(i.day), "count": i.sent} for i in invitations],
    }


def _certificate(c: Certificate) -> dict:
    return {"code": c.code, "module_id": c.module_id, "title": {"ar": c.title_ar, "en": c.title_en},
            "name": c.name, "issued_at": _when(c.issued_at), "expires_on": _when(c.expires_on),
            "revoked_at": _when(c.revoked_at), "revoked_reason": c.revoked_reason,
            "superseded_at": _when(c.superseded_at)}


def _statement(row: XapiStatement) -> dict:
    """An xAPI statement in the outbox, in short: what it tells the LRS the person did, and whether
    it has gone there (sent_at None: not yet), so they know what an LRS may hold about them."""
    body = json.loads(row.body)
    return {"statement_id": row.statement_id, "verb_id": body["verb"]["id"], "verb": body["verb"].get("display"),
            "object_id": body["object"]["id"], "object": body["object"].get("definition", {}).get("name"),
            "created_at": _when(row.created_at), "sent_at": _when(row.sent_at)}


# -- the readable file -------------------------------------------------------------------------

def readable(value: str | None, lang: str) -> str:
    """An ISO date or time of the JSON in the one date style of `lang` ('30 Nov 2026, 14:05',
    UTC as stored); the JSON keeps ISO for programs."""
    if not value:
        return ""
    if len(value) == 10:
        return format_date(dt.date.fromisoformat(value), lang)
    return format_datetime(dt.datetime.fromisoformat(value), lang)


def csv_rows(data: dict, lang: str) -> list[list]:
    """The same data as rows of (section, item, value, date), labelled in `lang` (call inside
    that locale: the labels are interface strings), dates in the page's date style."""
    rows = _rows(data, lang)
    return [[*row[:3], readable(row[3], lang)] for row in rows]


def _rows(data: dict, lang: str) -> list[list]:
    def pick(text):
        return (text or {}).get(lang) or ""

    account = data["account"]
    rows = [[_("Account"), _("Pseudonym"), account["pseudonym"], account["created_at"]],
            [_("Account"), _("Display name"), account["display_name"], ""],
            [_("Account"), _("Name on certificates"), account["certificate_name"] or "", ""],
            [_("Account"), _("E-mail"), account["email"] or "", ""],
            [_("Account"), _("Language"), account["language"], ""],
            [_("Account"), _("Role"), account["role"], ""]]
    rows += [[_("Sessions"), _("Signed in"), "", s["signed_in_at"]] for s in data["sessions"]]
    codes = data["recovery_codes"]
    rows.append([_("Recovery codes"), _("Unused"), codes["unused"], codes["created_at"] or ""])
    rows += [[_("Password resets"), r["method"], r["issued_by"] or "", r["at"]] for r in data["password_resets"]]
    rows += [[_("Reset codes issued"), r["issued_by"] or "", readable(r["used_at"], lang), r["created_at"]]
             for r in data["reset_codes_issued"]]
    rows += [[_("Failed sign-ins"), "", "", at] for at in data["failed_sign_ins"]]
    for lesson in data["lessons"]:
        rows.append([_("Lessons"), f"{pick(lesson['module'])} / {pick(lesson['lesson']) or lesson['lesson_id']}",
                     _("completed %(date)s", date=readable(lesson["completed_at"], lang)) if lesson["completed_at"] else "",
                     lesson["first_opened_at"]])
    for attempt in data["quiz_attempts"]:
        title = pick(attempt["quiz"]) or attempt["quiz_id"]
        result = "" if attempt["percent"] is None else f"{attempt['percent']:.0f}%"
        rows.append([_("Quiz attempts"), title, result, attempt["submitted_at"] or attempt["started_at"]])
        for answer in attempt["answers"]:
            # True/false options have no text of their own: the quiz pages call them True and False.
            chosen = "; ".join(pick(c["text"]) or {"true": _("True"), "false": _("False")}.get(c["id"], c["id"])
                               for c in answer["chosen"])
            rows.append([_("Answers"), f"{title}: {pick(answer['question']) or answer['question_id']}", chosen,
                         attempt["saved_at"] or attempt["started_at"]])
    rows += [[_("Groups"), g["name"], g["trainer"] or "", g["joined_at"]] for g in data["groups"]]
    rows += [[_("Assignments"), pick(a["module"]) or a["module_id"], a["group"] or "", a["due_on"]]
             for a in data["assignments"]]
    rows += [[_("Groups you lead"), g["name"], g["members"], g["created_at"]] for g in data["groups_led"]]
    rows += [[_("Invitation e-mails"), "", i["count"], i["day"]] for i in data["invitation_emails_sent"]]
    rows += [[_("Certificates"), c["title"].get(lang) or c["module_id"], f"{c['code']} · {c['name']}", c["issued_at"]]
             for c in data["certificates"]]
    rows += [[_("Reminders"), r["kind"], readable(r["sent_at"], lang), r["created_at"]] for r in data["reminders"]]
    rows += [[_("xAPI statements"), f"{pick(s['verb']) or s['verb_id']}: {pick(s['object']) or s['object_id']}",
              _("sent %(date)s", date=readable(s["sent_at"], lang)) if s["sent_at"] else _("not sent yet"), s["created_at"]]
             for s in data["xapi_statements"]]
    return rows


def csv_header() -> list[str]:
    return [_("Section"), _("Item"), _("Value"), _("Date (UTC)")]


def csv_text(header: list[str], rows: list[list]) -> str:
    """The rows as a CSV file that spreadsheets open correctly with Arabic (UTF-8 with a byte-order
    mark, CRLF), cells that a spreadsheet would run as a formula made inert with a leading quote:
    the convention of the trainers' report CSV, built whole (one person's data is small)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r") else
                         ("" if c is None else c) for c in row])
    return out.getvalue()
