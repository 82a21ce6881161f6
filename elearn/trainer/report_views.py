"""Trainer reports: assignments, the group report (HTML and CSV), a page per learner, a page per
module with charts, item analysis per quiz (HTML and CSV), and the admins' user list."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import smtplib

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, gettext as _, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..auth.forms import EMAIL, EmptyForm
from ..auth.models import User, utcnow
from ..certificates.views import admin_required
from ..db import db
from ..learning.views import catalog
from ..mail import mail_configured, send_mail
from ..i18n import text_dir
from ..quiz import option_label
from . import assignments as rules, bp, charts, report, service
from .models import Membership
from .views import get_group, trainer_required

PAGE_SIZE = 100
STATUS_NAMES = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "completed": _l("Completed")}
CERTIFICATE_NAMES = {"current": _l("Current"), "due_soon": _l("Due for renewal soon"), "expired": _l("Expired"),
                     "revoked": _l("Revoked"), "none": _l("No certificate")}


def today() -> dt.date:
    return utcnow().date()


# -- assignments -----------------------------------------------------------------------------

class IsoDateField(DateField):
    """A date typed as YYYY-MM-DD (what a date input sends), with our own message when it is not."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter a date, for example 2027-03-31.")) from error


class AssignmentForm(FlaskForm):
    module = SelectField(_l("Module"), validators=[InputRequired(message=_l("Choose a module."))])
    who = SelectField(_l("Assign to"), default="")
    due_on = IsoDateField(_l("Due date"), validators=[InputRequired(message=_l("Enter a date, for example 2027-03-31."))],
                       render_kw={"type": "date"})
    recur_months = IntegerField(_l("Repeat every … months (optional)"), validators=[
        Optional(), NumberRange(min=1, max=rules.MAX_RECUR_MONTHS,
                                message=_l("Enter a number of months from %(min)s to %(max)s."))],
        description=_l("For compliance staff: the module falls due again this many months after each due date."))

    def fill_choices(self, lang: str, members) -> None:
        self.module.choices = [SelectChoice(m.id, m.title.get(lang)) for m in catalog().modules]
        self.who.choices = [SelectChoice("", _("Everyone in the group"))] + [
            SelectChoice(str(u.id), u.display_name) for u, _m in members]

    def validate_due_on(self, field):
        if field.data and self.recur_months.data is None and field.data < today() - dt.timedelta(days=366):
            raise ValidationError(_("This date is more than a year ago."))


@bp.route("/trainer/groups/<int:group_id>/assignments", methods=["POST"])
@trainer_required
def assign(lang, group_id):
    group = get_group(group_id)
    members = service.members(db.session, group)
    form = AssignmentForm()
    form.fill_choices(lang, members)
    if form.validate_on_submit():
        user_id = int(form.who.data) if form.who.data else None
        rules.assign(db.session, group, form.module.data, form.due_on.data, form.recur_months.data, user_id)
        flash(_("Assignment saved."), "success")
        return redirect(url_for("trainer.group", group_id=group.id) + "#assignments")
    from .views import render_group
    return render_group(group, members=members, assignment_form=form), 400


@bp.route("/trainer/groups/<int:group_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
@trainer_required
def unassign(lang, group_id, assignment_id):
    group = get_group(group_id)
    if EmptyForm().validate_on_submit() and rules.unassign(db.session, group, assignment_id):
        flash(_("Assignment removed."), "success")
    return redirect(url_for("trainer.group", group_id=group.id) + "#assignments")


# -- the group report --------------------------------------------------------------------------

def _report_args(modules):
    args = request.args
    module_ids = {m.id for m in modules}
    module_id = args.get("module") if args.get("module") in module_ids else ""
    status = args.get("status") if args.get("status") in (*report.STATUSES, report.OVERDUE) else ""
    sort = args.get("sort") if args.get("sort") in report.SORT_KEYS else "name"
    order = "desc" if args.get("order") == "desc" else "asc"
    query = (args.get("q") or "").strip()[:120]
    certificate = args.get("certificate") if args.get("certificate") in report.CERTIFICATE_FILTERS else ""
    page = args.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < len(page) < 7 else 1  # isdigit() accepts "²", int() does not
    return module_id, status, sort, order, query, certificate, page


def _filtered(group):
    rows, modules = report.group_rows(db.session, catalog(), group, today())
    module_id, status, sort, order, query, certificate, page = _report_args(modules)
    chosen = report.filter_rows(rows, module_id, status, query, certificate)
    chosen = report.sort_rows(chosen, sort, order == "desc", {m.id: i for i, m in enumerate(modules)})
    params = dict(module=module_id or None, status=status or None, sort=sort, order=order, q=query or None,
                  certificate=certificate or None)
    return rows, modules, chosen, params, page


@bp.route("/trainer/groups/<int:group_id>/report")
@trainer_required
def group_report(lang, group_id):
    group = get_group(group_id)
    rows, modules, chosen, params, page = _filtered(group)
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    page = min(page, pages)
    return render_template("trainer/report.html", group=group, modules={m.id: m for m in modules},
                           summaries=report.summaries(rows, modules), rows=chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE],
                           total=len(chosen), params=params, page=page, pages=pages, statuses=STATUS_NAMES,
                           certificate_names=CERTIFICATE_NAMES)


def csv_response(filename: str, header: list[str], rows) -> Response:
    """CSV that spreadsheet programs open correctly with Arabic text: UTF-8 with a byte-order
    mark, CRLF line ends. Cells that a spreadsheet would run as a formula get a leading quote."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_inert(cell) for cell in row])
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _inert(cell):
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return "" if cell is None else cell


@bp.route("/trainer/groups/<int:group_id>/report.csv")
@trainer_required
def group_report_csv(lang, group_id):
    group = get_group(group_id)
    _rows, modules, chosen, _params, _page = _filtered(group)
    titles = {m.id: m.title.get(lang) for m in modules}
    header = [_("Learner"), _("Module"), _("Status"), _("Steps done"), _("Steps"), _("Best final score (%)"),
              _("Last activity (UTC)"), _("Due"), _("Overdue"), _("Repeats every (months)"), _("Certificate"),
              _("Certificate valid until")]
    body = ([r.name, titles[r.module_id], str(STATUS_NAMES[r.status]), r.done, r.total,
             None if r.best is None else round(r.best, 1),
             r.last_activity.strftime("%Y-%m-%d %H:%M") if r.last_activity else None,
             r.due.isoformat(), _("yes") if r.overdue else _("no"), r.recur_months,
             str(CERTIFICATE_NAMES[r.certificate or "none"]), r.expires_on.isoformat() if r.expires_on else None]
            for r in chosen)
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
    rows, modules = report.group_rows(db.session, catalog(), group, today(), user_id=person.id)
    module_ids = [r.module_id for r in rows]  # only what is assigned to them through this group
    return render_template("trainer/learner.html", group=group, person=person, rows=rows,
                           modules={m.id: m for m in modules},
                           lessons=report.learner_lessons(db.session, person.id, module_ids),
                           attempts=report.learner_attempts(db.session, person.id, module_ids),
                           statuses=STATUS_NAMES)


# -- one module: charts and quizzes ----------------------------------------------------------------

def _assigned_module(group, module_id):
    rows, modules = report.group_rows(db.session, catalog(), group, today())
    module = next((m for m in modules if m.id == module_id), None)
    if module is None:
        abort(404)
    return module, [r for r in rows if r.module_id == module.id]


@bp.route("/trainer/groups/<int:group_id>/modules/<module_id>/")
@trainer_required
def module_report(lang, group_id, module_id):
    group = get_group(group_id)
    module, rows = _assigned_module(group, module_id)
    rtl = text_dir() == "rtl"
    final = module.quizzes.get(report.FINAL)
    scores = report.best_scores(report.quiz_attempts(db.session, group, module.id, final.id)) if final else []
    counts = report.score_histogram(scores)
    labels = [f"{i * 10}–{i * 10 + 9}" if i < 9 else "90–100" for i in range(10)]
    series = report.completion_series(db.session, group, module.id, group.created_at.date(), today())
    completion = charts.step_line(series, len(rows), rtl, lambda d: format_date(d, "medium"))
    weekly = series[::-7][::-1] if series else []
    return render_template("trainer/module.html", group=group, module=module,
                           summary=report.summaries(rows, [module])[0],
                           histogram=charts.histogram(counts, labels, rtl), bins=list(zip(labels, counts)),
                           scores=len(scores), completion=completion, weekly=weekly, learners=len(rows),
                           statuses=STATUS_NAMES)


def _quiz(group, module_id, quiz_id):
    """The module (assigned through the group), the quiz, the whole-quiz statistics and
    (question, statistics) pairs in the quiz's order."""
    module = next((m for m in report.assigned_modules(rules.for_group(db.session, group.id), catalog())
                   if m.id == module_id), None)
    quiz = module.quizzes.get(quiz_id) if module else None
    if quiz is None:
        abort(404)
    test, stats = report.analyse(quiz, report.quiz_attempts(db.session, group, module.id, quiz.id))
    return module, quiz, test, list(zip(quiz.questions, stats))


@bp.route("/trainer/groups/<int:group_id>/modules/<module_id>/quizzes/<quiz_id>/")
@trainer_required
def item_analysis(lang, group_id, module_id, quiz_id):
    group = get_group(group_id)
    module, quiz, test, questions = _quiz(group, module_id, quiz_id)
    return render_template("trainer/item_analysis.html", group=group, module=module, quiz=quiz, test=test,
                           questions=questions)


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


# -- admins: people and roles ---------------------------------------------------------------------

class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice("learner", _l("Learner")), SelectChoice("trainer", _l("Trainer")),
                                            SelectChoice("admin", _l("Administrator"))])


@bp.route("/admin/users/")
@admin_required
def users(lang):
    query = (request.args.get("q") or "").strip()[:120]
    stmt = select(User).order_by(User.role.desc(), User.username_key).limit(200)
    if query:
        like = f"%{query.casefold()}%"
        stmt = stmt.where(or_(User.username_key.like(like), func.lower(User.display_name).like(like)))
    else:
        stmt = stmt.where(User.role.in_(("trainer", "admin")))
    return render_template("trainer/users.html", people=db.session.scalars(stmt).all(), q=query, form=RoleForm())


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
@admin_required
def set_role(lang, user_id):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    form = RoleForm()
    if form.validate_on_submit():
        if person.id == g.user.id and form.role.data != "admin":
            flash(_("You cannot remove your own administrator role."), "error")
        else:
            person.role = form.role.data
            db.session.commit()
            flash(_("Role saved."), "success")
    return redirect(url_for("trainer.users", q=request.args.get("q") or None))


# -- invitations by e-mail (only when SMTP is configured) ---------------------------------------------

MAX_INVITES = 50


class InviteForm(FlaskForm):
    addresses = TextAreaField(_l("E-mail addresses"), validators=[InputRequired(message=_l("This field is required."))],
                              description=_l("One per line, up to 50. The addresses are used to send this one "
                                             "message and are not stored."))

    def validate_addresses(self, field):
        addresses = [a.strip() for a in re.split(r"[\s,;]+", field.data or "") if a.strip()]
        bad = [a for a in addresses if not re.fullmatch(EMAIL, a) or len(a) > 254]
        if bad:
            raise ValidationError(_("These are not e-mail addresses: %(list)s", list=", ".join(bad[:5])))
        if len(addresses) > MAX_INVITES:
            raise ValidationError(_("Send at most %(max)s invitations at a time.", max=MAX_INVITES))
        field.addresses = list(dict.fromkeys(addresses))


def invitation_text(group, trainer_name: str) -> tuple[str, str]:
    """Subject and body in Arabic, then English: the recipient's language is not known yet."""
    link = current_app.config["BASE_URL"]
    parts, subjects = [], []
    for lang in ("ar", "en"):
        with force_locale(lang):
            subjects.append(_("Invitation to the group %(group)s", group=group.name))
            parts.append(_("%(trainer)s invites you to join the group %(group)s on elearn, a course on sanctions on "
                           "Syria and the debates around them.\n\nOpen this link, create an account (a pseudonym is "
                           "enough) or sign in, then confirm:\n%(url)s\n\nOr type the code %(code)s on the page "
                           "\"Join a group\".",
                           trainer=trainer_name, group=group.name, code=group.invite_code,
                           url=link + url_for("trainer.join", lang=lang, code=group.invite_code)))
    return " / ".join(subjects), "\n\n———\n\n".join(parts)


@bp.route("/trainer/groups/<int:group_id>/invite", methods=["POST"])
@trainer_required
def invite(lang, group_id):
    group = get_group(group_id)
    if not mail_configured(current_app):
        flash(_("E-mail is not set up on this server. Share the invitation link instead."), "error")
        return redirect(url_for("trainer.group", group_id=group.id))
    form = InviteForm()
    if not form.validate_on_submit():
        from .views import render_group
        return render_group(group, invite_form=form), 400
    subject, body = invitation_text(group, g.user.display_name)
    failed = []
    for address in form.addresses.addresses:
        try:
            send_mail(current_app, address, subject, body)
        except (OSError, smtplib.SMTPException) as error:
            current_app.logger.warning("invitation to a group member not delivered: %s", type(error).__name__)
            failed.append(address)
    sent = len(form.addresses.addresses) - len(failed)
    if sent:
        flash(ngettext("%(num)s invitation sent.", "%(num)s invitations sent.", sent), "success")
    if failed:
        flash(_("Not delivered, please check and try again: %(list)s", list=", ".join(failed)), "error")
    return redirect(url_for("trainer.group", group_id=group.id))
