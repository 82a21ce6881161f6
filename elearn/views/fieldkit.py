"""The trainer's field kit, for workshops where not everyone has e-mail: bulk enrolment from a list
of pseudonyms (dry run, then confirm) with printable sign-in slips, a group announcement shown on
members' home pages, and anonymous end-of-module feedback with per-group results."""
from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from .. import dates
from ..clock import today, utcnow
from ..db import db
from ..extensions import limiter
from ..learning.service import COMPLETED, progress_by_module
from ..trainer import announcements, enrolment, feedback
from ..trainer.service import memberships_of
from ..web import carries_secrets
from .access import login_required, trainer_required
from .context import catalog, get_module_lesson
from .forms import LOCALE_CHOICES, EmptyForm, RegisterForm
from .groups import bp, get_group

# Control characters and bidi embedding/override/isolate controls go (they can reorder the page
# around the text); line breaks stay, as one "\n".
_HIDDEN = {cp: None for cp in [*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                               *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def clean_text(value: str | None) -> str | None:
    """Several lines of visible text."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").translate(_HIDDEN).strip()


# -- forms ------------------------------------------------------------------------------------------

class AnnouncementForm(FlaskForm):
    text = TextAreaField(_l("Announcement"), filters=[clean_text], validators=[
        InputRequired(message=_l("This field is required.")),
        Length(max=announcements.MAX_LENGTH, message=_l("Use at most %(max)d characters."))],
        description=_l("Shown on the home page of every member until you change or remove it. At most 500 characters."))


class EnrolForm(FlaskForm):
    # Not cleaned: a name with an invisible character is refused with the reason, not silently changed.
    names = TextAreaField(_l("Pseudonyms, one per line"), render_kw={"rows": 10},
                          description=_l("Up to 200. Existing accounts are invited; new pseudonyms get an account "
                                         "and a one-time sign-in code."))
    upload = FileField(_l("Or a CSV file"), description=_l(
        "The column headed \u201cpseudonym\u201d, or else the first column. UTF-8 or Windows Arabic, at most 64 KB."))
    locale = RadioField(_l("Language of the new accounts"), choices=LOCALE_CHOICES, default="ar",
                        validators=[InputRequired(message=_l("This field is required."))])


class ConfirmForm(FlaskForm):
    names = HiddenField()
    locale = HiddenField()
    plan = HiddenField()


def _rating(label, low, high):
    return RadioField(label, coerce=int, choices=[SelectChoice(value, str(value)) for value in feedback.SCALE],
                      validators=[InputRequired(message=_l("Choose a number from 1 to 5."))],
                      description=_l("1: %(low)s · 5: %(high)s", low=low, high=high))


class FeedbackForm(FlaskForm):
    clarity = _rating(_l("How clear was the module?"), _l("not clear at all"), _l("very clear"))
    usefulness = _rating(_l("How useful is it for your work?"), _l("not useful"), _l("very useful"))
    difficulty = _rating(_l("How difficult was it?"), _l("far too easy"), _l("far too hard"))
    comment = TextAreaField(_l("Comment (optional)"), filters=[clean_text], validators=[
        Optional(), Length(max=feedback.MAX_COMMENT, message=_l("Use at most %(max)d characters."))],
        description=_l("Please write nothing that identifies you or anyone else."))


class _PseudonymForm(Form):
    """The sign-up form's pseudonym field alone: the same rules and messages for every line."""

    username = RegisterForm.username


def pseudonym_problem(name: str) -> str | None:
    form = _PseudonymForm(formdata=MultiDict({"username": name}))
    return None if form.validate() else form.username.errors[0]


# -- for templates ------------------------------------------------------------------------------------

def _feedback_secret() -> bytes:
    # A key of its own, derived from the app's secret: receipts mean nothing without it.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"elearn feedback receipts", hashlib.sha256).digest()


@bp.app_template_global()
def group_announcement(group_id: int):
    return announcements.current(db.session, group_id)


@bp.app_template_global()
def group_news():
    """For the home page: (invitations, announcements) of the signed-in person's groups."""
    if g.get("user") is None:
        return [], []
    return (enrolment.invitations_for(db.session, g.user.id), announcements.for_member(db.session, g.user.id))


@bp.app_template_global()
def feedback_answered(module_ids) -> set[str]:
    """Which of these modules the signed-in learner has given feedback on."""
    if g.get("user") is None:
        return set()
    return feedback.answered_modules(db.session, _feedback_secret(), g.user.id, list(module_ids))


# -- the announcement -------------------------------------------------------------------------------------

@bp.route("/trainer/groups/<int:group_id>/announcement", methods=["POST"])
@trainer_required
def announce(lang, group_id):
    group = get_group(group_id)
    form = AnnouncementForm()
    if form.validate_on_submit():
        announcements.post(db.session, group.id, form.text.data, g.user.id, utcnow())
        flash(_("The announcement is on your learners' home pages."), "success")
    else:
        for error in form.text.errors:
            flash(error, "error")
    return redirect(url_for("trainer.group", group_id=group.id) + "#announcement")


@bp.route("/trainer/groups/<int:group_id>/announcement/clear", methods=["POST"])
@trainer_required
def clear_announcement(lang, group_id):
    group = get_group(group_id)
    if EmptyForm().validate_on_submit() and announcements.clear(db.session, group.id):
        flash(_("The announcement is removed."), "success")
    return redirect(url_for("trainer.group", group_id=group.id) + "#announcement")


# -- bulk enrolment ------------------------------------------------------------------------------------------

def _names_from(form: EnrolForm) -> list[str]:
    """The pasted lines, then the file's; a problem goes on the form and gives []."""
    names = enrolment.parse_text(form.names.data or "")
    upload = form.upload.data
    if upload and upload.filename:
        try:
            names += enrolment.parse_csv(upload.read(enrolment.MAX_FILE_BYTES + 1))
        except enrolment.UnreadableFile as error:
            form.upload.errors.append(_("The file is larger than 64 KB.") if str(error) == "size" else
                                      _("The file could not be read: save it as CSV in UTF-8 and try again."))
            return []
    if not names:
        form.names.errors.append(_("Paste at least one pseudonym, or choose a CSV file."))
    elif len(names) > enrolment.MAX_BATCH:
        form.names.errors.append(_("At most %(max)d pseudonyms at a time: this list has %(count)d.",
                                   max=enrolment.MAX_BATCH, count=len(names)))
        return []
    return names


def _plan(group, names: list[str]):
    invalid = {i: problem for i, name in enumerate(names, start=1) if (problem := pseudonym_problem(name))}
    return enrolment.plan(names, invalid, enrolment.accounts_named(db.session, group.id, names))


def _render_form(group, form, status=200):
    return render_template("trainer/enrol.html", group=group, form=form, codes_form=EmptyForm(),
                           awaiting=enrolment.awaiting_password(db.session, group.id)), status


@bp.route("/trainer/groups/<int:group_id>/enrol", methods=["GET", "POST"])
@trainer_required
@limiter.limit("30 per hour", methods=["POST"])
def enrol(lang, group_id):
    """The list, then the dry run: what each line would become. Nothing is written here."""
    group = get_group(group_id)
    form = EnrolForm()
    if request.method == "GET":
        form.locale.data = lang
        return _render_form(group, form)
    names = _names_from(form) if form.validate_on_submit() else []
    if not names:
        return _render_form(group, form, 400)
    return _render_plan(group, names, form.locale.data)


def _render_plan(group, names, locale, changed=False):
    lines = _plan(group, names)
    text = "\n".join(names)
    confirm = ConfirmForm(formdata=None, names=text, locale=locale, plan=enrolment.fingerprint(lines))
    return render_template("trainer/enrol_plan.html", group=group, lines=lines, counts=enrolment.counts(lines),
                           confirm=confirm, edit=EnrolForm(formdata=None, names=text, locale=locale), changed=changed)


@bp.route("/trainer/groups/<int:group_id>/enrol/confirm", methods=["POST"])
@trainer_required
@limiter.limit("30 per hour")
@carries_secrets
def enrol_confirm(lang, group_id):
    group = get_group(group_id)
    form = ConfirmForm()
    locale = form.locale.data if form.locale.data in ("ar", "en") else lang
    names = enrolment.parse_text(form.names.data or "")[:enrolment.MAX_BATCH]
    if not form.validate_on_submit() or not names:
        flash(_("This form has expired. Please send it again."), "error")
        return redirect(url_for("trainer.enrol", group_id=group.id))
    lines = _plan(group, names)
    if enrolment.fingerprint(lines) != form.plan.data:
        return _render_plan(group, names, locale, changed=True), 409
    outcome = enrolment.carry_out(db.session, group, g.user, lines, locale, utcnow())
    if outcome.invited:
        flash(ngettext("%(num)d existing account was invited: they join from their home page.",
                       "%(num)d existing accounts were invited: they join from their home page.", outcome.invited),
              "success")
    if outcome.failed:
        flash(_("Taken by someone else in the meantime, not created: %(list)s", list=", ".join(outcome.failed)),
              "error")
    if not outcome.slips:
        return redirect(url_for("trainer.group", group_id=group.id))
    return render_slips(group, outcome.slips, locale)


@bp.route("/trainer/groups/<int:group_id>/codes", methods=["POST"])
@trainer_required
@limiter.limit("30 per hour")
@carries_secrets
def new_codes(lang, group_id):
    """New one-time codes (and slips) for the members who have not chosen a password yet: a lost
    slip, an expired code, or a sheet that was never printed."""
    group = get_group(group_id)
    users = enrolment.awaiting_password(db.session, group.id)
    if not EmptyForm().validate_on_submit() or not users:
        return redirect(url_for("trainer.enrol", group_id=group.id))
    return render_slips(group, enrolment.new_codes(db.session, users, g.user, utcnow()), lang, renewed=True)


def render_slips(group, slips, locale, renewed=False):
    """The printable sheet: one slip per new code, in Arabic and English whatever the page's language."""
    address = current_app.config["BASE_URL"] + url_for("auth.recover", lang=locale)
    view_box, drawing = qr_symbol(address)
    return render_template("trainer/slips.html", group=group, slips=slips, address=address, renewed=renewed,
                           qr_view_box=view_box, qr_drawing=drawing, texts=slip_texts(slips[0].expires_at))


def slip_texts(expires) -> dict[str, dict[str, str]]:
    """The words on a slip, in both languages (the learner's is not known to the trainer's page)."""
    texts = {}
    for lang in ("ar", "en"):
        with force_locale(lang):
            texts[lang] = {
                "title": _("Your sign-in to elearn"),
                "pseudonym": _("Pseudonym"),
                "code": _("One-time code"),
                "how": _("Open the address (or scan the square), type your pseudonym and this code, then choose "
                         "your own password. The code works once, until %(when)s (UTC).",
                         when=dates.format_datetime(expires, lang)),
                "qr": _("QR code of the address"),
            }
    return texts


def qr_symbol(data: str) -> tuple[str, Markup]:
    """The QR code of `data` as an SVG drawing to define once and show on every slip: (viewBox,
    inner markup). Drawn here, so showing it makes no request anywhere."""
    # Why: segno is only needed for the slips sheet, not by every process that serves pages.
    import segno

    qr = segno.make(data, error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, svgclass=None, lineclass=None)
    view_box = re.search(r'viewBox="([^"]+)"', svg).group(1)
    inner = svg[svg.index(">") + 1:svg.rindex("</svg>")]
    return view_box, Markup(inner)


# -- invitations (existing accounts) ----------------------------------------------------------------------

@bp.route("/groups/<int:group_id>/invitation/accept", methods=["POST"])
@login_required
def accept_invitation(lang, group_id):
    if EmptyForm().validate_on_submit():
        group = enrolment.answer_invitation(db.session, g.user, group_id, accept=True)
        if group is not None:
            flash(_("You joined %(group)s.", group=group.name), "success")
    return redirect(url_for("learning.home"))


@bp.route("/groups/<int:group_id>/invitation/decline", methods=["POST"])
@login_required
def decline_invitation(lang, group_id):
    if EmptyForm().validate_on_submit() and enrolment.answer_invitation(db.session, g.user, group_id, accept=False):
        flash(_("Invitation declined."), "info")
    return redirect(url_for("learning.home"))


# -- anonymous feedback -------------------------------------------------------------------------------------

@bp.route("/modules/<module_id>/feedback", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def give_feedback(lang, module_id):
    module, _lesson = get_module_lesson(module_id)
    secret = _feedback_secret()
    if feedback.has_answered(db.session, secret, g.user.id, module.id):
        return render_template("learning/feedback.html", module=module, form=None, answered=True)
    if progress_by_module(db.session, g.user.id, catalog())[module.id].status != COMPLETED:
        return render_template("learning/feedback.html", module=module, form=None, answered=False), 403
    form = FeedbackForm()
    if form.validate_on_submit():
        answers = feedback.Answers(form.clarity.data, form.usefulness.data, form.difficulty.data, form.comment.data)
        groups = [group.id for group in memberships_of(db.session, g.user.id)]
        feedback.submit(db.session, secret, g.user.id, module.id, groups, answers, today())
        flash(_("Thank you. Your answers are stored without your name."), "success")
        return redirect(url_for("learning.module", module_id=module.id))
    return render_template("learning/feedback.html", module=module, form=form, answered=False), \
        400 if form.errors else 200


@bp.route("/trainer/groups/<int:group_id>/feedback/")
@trainer_required
def feedback_results(lang, group_id):
    group = get_group(group_id)
    return render_template("trainer/feedback.html", group=group, modules=catalog().modules,
                           summaries=feedback.for_group(db.session, group.id), minimum=feedback.MIN_RESPONSES)

