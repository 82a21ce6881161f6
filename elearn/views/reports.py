"""Trainer reports: the group report (HTML and CSV), a page per learner, a page per module with
charts, and item analysis per quiz (HTML and CSV)."""
from __future__ import annotations

import csv
import io
import math

from flask import Response, abort, current_app, render_template, request, stream_with_context
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from .. import dates
from ..auth.models import User
from ..clock import today
from ..db import db
from ..i18n import text_dir
from ..trainer import assignments as rules, charts, report, stats
from ..trainer.models import Membership
from ..web import keeps_query
from .access import trainer_required
from .context import catalog
from .groups import bp, get_group
from .quiz import option_label

PAGE_SIZE = 100
STATUS_NAMES = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "completed": _l("Completed")}
CERTIFICATE_NAMES = {"current": _l("Current"), "due_soon": _l("Due for renewal soon"), "expired": _l("Expired"),
                     "revoked": _l("Revoked"), "none": _l("No certificate")}


def due_soon_days() -> int:
    return current_app.config["CERTIFICATE_DUE_SOON_DAYS"]


# -- the group report --------------------------------------------------------------------------

def _filters(modules) -> tuple[report.Filters, int]:
    """The report's filters, sort and page from the query string; anything unknown is ignored."""
    args = request.args
    module_id = args.get("module") if args.get("module") in {m.id for m in modules} else ""
    status = args.get("status") if args.get("status") in (*report.STATUSES, report.OVERDUE) else ""
    sort = args.get("sort") if args.get("sort") in report.SORT_KEYS else "name"
    certificate = args.get("certificate") if args.get("certificate") in report.CERTIFICATE_FILTERS else ""
    page = args.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < len(page) < 7 else 1  # isdigit() accepts "²", int() does not
    return report.Filters(module_id, status, (args.get("q") or "").strip()[:120], certificate, sort,
                          args.get("order") == "desc"), page


def _report(group):
    """The group's report as a SELECT (None when nothing is assigned), and its modules."""
    return report.report_select(catalog(), rules.for_group(db.session, group.id), group.id, today(), due_soon_days())


@bp.route("/trainer/groups/<int:group_id>/report")
@trainer_required
@keeps_query("module", "status", "sort", "order", "q", "certificate", "page")
def group_report(lang, group_id):
    group = get_group(group_id)
    selected, modules = _report(group)
    filters, number = _filters(modules)
    summaries = report.summaries(db.session, selected, modules) if modules else []
    everyone = sum(s.learners for s in summaries)  # the row count when nothing is filtered out
    rows, total, number = (report.page(db.session, selected, filters, PAGE_SIZE, number, everyone)
                           if modules else ([], 0, 1))
    params = dict(module=filters.module_id or None, status=filters.status or None, sort=filters.sort,
                  order="desc" if filters.descending else "asc", q=filters.query or None,
                  certificate=filters.certificate or None)
    return render_template("trainer/report.html", group=group, modules={m.id: m for m in modules},
                           summaries=summaries,
                           rows=rows, total=total, params=params, page=number,
                           pages=max(1, math.ceil(total / PAGE_SIZE)), statuses=STATUS_NAMES,
                           certificate_names=CERTIFICATE_NAMES)


def csv_response(filename: str, header: list[str], rows) -> Response:
    """CSV that spreadsheet programs open correctly with Arabic text: UTF-8 with a byte-order
    mark, CRLF line ends, written row by row as it is sent (memory does not grow with the rows).
    Cells that a spreadsheet would run as a formula get a leading quote."""
    def lines():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        out.write("\ufeff")
        writer.writerow(header)
        for count, row in enumerate(rows, start=1):
            writer.writerow([_inert(cell) for cell in row])
            if count % 500 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(stream_with_context(lines()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _inert(cell):
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return "" if cell is None else cell


@bp.route("/trainer/groups/<int:group_id>/report.csv")
@trainer_required
def group_report_csv(lang, group_id):
    group = get_group(group_id)
    selected, modules = _report(group)
    filters, _page = _filters(modules)
    titles = {m.id: m.title.get(lang) for m in modules}
    header = [_("Learner"), _("Module"), _("Status"), _("Steps done"), _("Steps"), _("Best final score (%)"),
              _("Last activity (UTC)"), _("Due"), _("Overdue"), _("Repeats every (months)"), _("Certificate"),
              _("Certificate valid until")]
    yes, no = _("yes"), _("no")
    statuses = {key: str(name) for key, name in STATUS_NAMES.items()}
    certificates = {key: str(name) for key, name in CERTIFICATE_NAMES.items()}
    body = ([r.name, titles[r.module_id], statuses[r.status], r.done, r.total,
             None if r.best is None else round(r.best, 1),
             dates.format_datetime(r.last_activity, lang) if r.last_activity else None,
             dates.format_date(r.due, lang), yes if r.overdue else no, r.recur_months,
             certificates[r.certificate or "none"], dates.format_date(r.expires_on, lang) if r.expires_on else None]
            for r in (report.stream(db.session, selected, filters) if modules else ()))
    return csv_response(f"group-{group.id}-report-{lang}.csv", header, body)


# -- one learner ---------------------------------------------------------------------------------

@bp.route("/trainer/groups/<int:group_id>/learners/<int:user_id>/")
@trainer_required
def learner(lang, group_id, user_id):
    group = get_group(group_id)
    person = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.group_id == group.id, User.id == user_id))
    if person is None:
        abort(404)
    rows, modules = report.group_rows(db.session, catalog(), group, today(), due_soon_days(), user_id=person.id)
    module_ids = [r.module_id for r in rows]  # only what is assigned to them through this group
    return render_template("trainer/learner.html", group=group, person=person, rows=rows,
                           modules={m.id: m for m in modules},
                           lessons=report.learner_lessons(db.session, person.id, module_ids),
                           attempts=report.learner_attempts(db.session, person.id, module_ids),
                           statuses=STATUS_NAMES)


# -- one module: charts and quizzes ----------------------------------------------------------------

def _assigned_module(group, module_id):
    """The module (404 unless assigned through the group) and its summary."""
    selected, modules = _report(group)
    module = next((m for m in modules if m.id == module_id), None)
    if module is None:
        abort(404)
    return module, report.summaries(db.session, selected, [module])[0]


@bp.route("/trainer/groups/<int:group_id>/modules/<module_id>/")
@trainer_required
def module_report(lang, group_id, module_id):
    group = get_group(group_id)
    module, summary = _assigned_module(group, module_id)
    rtl = text_dir() == "rtl"
    scores = report.best_scores(report.quiz_attempts(db.session, group, module.id, module.final_quiz_id))
    counts = report.score_histogram(scores)
    labels = [f"{i * 10}–{i * 10 + 9}" if i < 9 else "90–100" for i in range(10)]
    series = report.completion_series(db.session, group, module.id, group.created_at.date(), today())
    completion = charts.step_line(series, summary.learners, rtl, lambda d: dates.format_date(d, lang, short=True))
    weekly = series[::-7][::-1] if series else []
    return render_template("trainer/module.html", group=group, module=module,
                           summary=summary,
                           histogram=charts.histogram(counts, labels, rtl), bins=list(zip(labels, counts)),
                           scores=len(scores), completion=completion, weekly=weekly, learners=summary.learners,
                           statuses=STATUS_NAMES)


def _quiz(group, module_id, quiz_id):
    """The module (assigned through the group), the quiz, the whole-quiz statistics and
    (question, statistics) pairs in the quiz's order."""
    module = next((m for m in report.assigned_modules(rules.for_group(db.session, group.id), catalog())
                   if m.id == module_id), None)
    quiz = module.quizzes.get(quiz_id) if module else None
    if quiz is None:
        abort(404)
    test, questions = report.analyse(quiz, report.quiz_attempts(db.session, group, module.id, quiz.id))
    return module, quiz, test, questions


@bp.route("/trainer/groups/<int:group_id>/modules/<module_id>/quizzes/<quiz_id>/")
@trainer_required
def item_analysis(lang, group_id, module_id, quiz_id):
    group = get_group(group_id)
    module, quiz, test, questions = _quiz(group, module_id, quiz_id)
    missed = stats.most_missed([(q.id, q.answer) for q, _s in questions], [s for _q, s in questions])
    return render_template("trainer/item_analysis.html", group=group, module=module, quiz=quiz, test=test,
                           questions=questions, missed=missed, by_id={q.id: q for q, _s in questions},
                           poor=sum(1 for _q, s in questions if s.poor_discrimination))


@bp.route("/trainer/groups/<int:group_id>/modules/<module_id>/quizzes/<quiz_id>.csv")
@trainer_required
def item_analysis_csv(lang, group_id, module_id, quiz_id):
    group = get_group(group_id)
    module, quiz, _test, questions = _quiz(group, module_id, quiz_id)

    def share(value):
        return None if value is None else round(100 * value, 1)

    header = [_("Question"), _("Text"), _("Attempts"), _("Facility index (%)"), _("Discrimination index"),
              _("Discriminative efficiency"), _("Most missed"), _("Options chosen (%)"), _("Unanswered (%)")]
    body = []
    for question, s in questions:
        options = "; ".join(f"{option_label(o, lang)}: {share(s.option_shares.get(o.id))}" for o in question.options)
        body.append([question.id, question.prompt.get(lang), s.attempts, share(s.facility),
                     None if s.discrimination is None else round(s.discrimination, 1),
                     None if s.efficiency is None else round(s.efficiency, 1),
                     _("yes") if s.most_missed else _("no"), options, share(s.unanswered_share)])
    return csv_response(f"group-{group.id}-{module.id}-{quiz.id}-{lang}.csv", header, body)
