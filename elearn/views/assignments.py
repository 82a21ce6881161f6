"""A trainer assigns a module to the group or one member, with a due date (and a repeat)."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .. import dates
from ..db import db
from ..trainer import assignments as rules, service
from .access import trainer_required
from .confirm import confirm_page, confirmed, isolate
from .context import catalog
from .forms import AssignmentForm
from .groups import bp, get_group, render_group


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
    return render_group(group, members=members, assignment_form=form), 400


@bp.route("/trainer/groups/<int:group_id>/assignments/<int:assignment_id>/delete", methods=["GET", "POST"])
@trainer_required
def unassign(lang, group_id, assignment_id):
    """Asks first (views/confirm.py), then removes the assignment."""
    group = get_group(group_id)
    assignment = rules.find(db.session, group, assignment_id)
    back = url_for("trainer.group", group_id=group.id) + "#assignments"
    if assignment is None:
        return redirect(back)
    if confirmed():
        if rules.unassign(db.session, group, assignment.id):
            flash(_("Assignment removed."), "success")
        return redirect(back)
    module = catalog().module(assignment.module_id)
    who = service.member(db.session, group.id, assignment.user_id) if assignment.user_id else None
    title = module.title.get(lang) if module else assignment.module_id
    return confirm_page(
        title=Markup(_("Remove the assignment of %(module)s?", module=isolate(title))),
        consequences=[Markup(_("Assigned to %(who)s, due %(date)s.",
                               who=isolate(who.display_name) if who else _("everyone in the group"),
                               date=dates.format_date(assignment.due_on, lang))),
                      _("Learners keep their progress and certificates; the module no longer appears to them "
                        "with a due date, and it leaves the group’s report.")],
        action=_("Remove the assignment"), cancel_url=back)
