"""/<lang>/trainer/ (groups and members) and /<lang>/join/<code> (learners joining a group)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..db import db
from ..extensions import limiter
from ..i18n import current_lang
from ..mail import mail_configured
from ..trainer import assignments, service
from ..trainer.models import Group
from ..web import carries_secrets
from .access import login_required, trainer_required
from .confirm import confirm_page, confirmed, isolate
from .context import catalog
from .forms import AssignmentForm, EmptyForm, InviteForm, clean_name

#: Groups, members, joining and leaving. The trainer's other pages (assignments, reports,
#: invitations) and the admins' People page add their routes to this blueprint too.
bp = Blueprint("trainer", __name__, url_prefix="/<lang:lang>")


class GroupForm(FlaskForm):
    # Blank or invisible-only names are refused; control and bidi override characters are dropped.
    name = StringField(_l("Group name"), filters=[clean_name], validators=[
        DataRequired(message=_l("This field is required.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))],
        description=_l("For example a workshop, an office or a city."))


def get_group(group_id: int) -> Group:
    """A group the signed-in trainer may manage: 404 if it does not exist, 403 if not theirs."""
    group = db.session.get(Group, group_id)
    if group is None:
        abort(404)
    if not service.can_manage(g.user, group):
        abort(403)
    return group


@bp.route("/trainer/", methods=["GET", "POST"])
@trainer_required
def dashboard(lang):
    form = GroupForm()
    if form.validate_on_submit():
        group = service.create_group(db.session, g.user, form.name.data)
        flash(_("Group created. Share the invitation link with your learners."), "success")
        return redirect(url_for("trainer.group", group_id=group.id))
    return render_template("trainer/dashboard.html", groups=service.groups_for(db.session, g.user),
                           form=form), 400 if form.errors else 200


@bp.route("/trainer/groups/<int:group_id>/")
@trainer_required
def group(lang, group_id):
    return render_group(get_group(group_id))


@carries_secrets  # the invitation code
def render_group(group: Group, members=None, assignment_form=None, invite_form=None):
    """The group page: invitation, assignments and members (also shown again with form errors)."""
    members = service.members(db.session, group) if members is None else members
    if assignment_form is None:
        assignment_form = AssignmentForm(formdata=None)
        assignment_form.fill_choices(current_lang(), members)
    invite_url = current_app.config["BASE_URL"] + url_for("trainer.join", code=group.invite_code)
    names = {u.id: u.display_name for u, _m in members}
    return render_template("trainer/group.html", group=group, members=members, invite_url=invite_url,
                           form=EmptyForm(), assignments=assignments.for_group(db.session, group.id),
                           assignment_form=assignment_form, names=names,
                           modules={m.id: m for m in catalog().modules},
                           invite_form=invite_form or (InviteForm(formdata=None) if mail_configured(current_app) else None))


@bp.route("/trainer/groups/<int:group_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
@trainer_required
def remove_member(lang, group_id, user_id):
    """Asks first (views/confirm.py), then removes the member."""
    group = get_group(group_id)
    person = service.member(db.session, group.id, user_id)
    back = url_for("trainer.group", group_id=group.id)
    if person is None:
        return redirect(back)
    if confirmed():
        if service.leave(db.session, person.id, group.id):
            flash(_("The learner was removed from the group."), "success")
        return redirect(back)
    return confirm_page(
        title=Markup(_("Remove %(name)s from %(group)s?", name=isolate(person.display_name), group=isolate(group.name))),
        consequences=[_("They keep their progress and certificates, but the group’s assignments no longer "
                        "appear for them and you no longer see their progress."),
                      _("They can join again with the group’s invitation link or code.")],
        action=_("Remove from the group"), cancel_url=back)


@bp.route("/join/", methods=["GET"])
def join_form(lang):
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("trainer.join", code=service.normalise_invite_code(code)))
    return render_template("trainer/join_form.html")


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
@carries_secrets
def join(lang, code):
    group = service.find_by_code(db.session, code)
    if group is None:
        return render_template("trainer/join_unknown.html", code=code), 404
    if g.user is None:
        return render_template("trainer/join.html", group=group, form=EmptyForm())
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if service.join(db.session, g.user, group):
            flash(_("You joined %(group)s.", group=group.name), "success")
        else:
            flash(_("You are already in %(group)s.", group=group.name), "info")
        return redirect(url_for("learning.me"))
    return render_template("trainer/join.html", group=group, form=form)


@bp.route("/groups/<int:group_id>/leave", methods=["GET", "POST"])
@login_required
def leave(lang, group_id):
    """Asks first (views/confirm.py), then takes the learner out of the group."""
    group = db.session.get(Group, group_id)
    back = url_for("learning.me")
    if group is None or service.member(db.session, group.id, g.user.id) is None:
        return redirect(back)
    if confirmed():
        if service.leave(db.session, g.user.id, group.id):
            flash(_("You left the group."), "success")
        return redirect(back)
    return confirm_page(
        title=Markup(_("Leave %(group)s?", group=isolate(group.name))),
        consequences=[_("Your progress and certificates stay yours, but the group’s assignments no longer "
                        "appear here and its trainer no longer sees your progress."),
                      _("You can join again with the group’s invitation link or code.")],
        action=_("Leave the group"), cancel_url=back)
