"""A trainer assigns a module to the group or one member, with a due date (and a repeat)."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from ..db import db
from ..trainer import assignments as rules, service
from .access import trainer_required
from .forms import AssignmentForm, EmptyForm
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


@bp.route("/trainer/groups/<int:group_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
@trainer_required
def unassign(lang, group_id, assignment_id):
    group = get_group(group_id)
    if EmptyForm().validate_on_submit() and rules.unassign(db.session, group, assignment_id):
        flash(_("Assignment removed."), "success")
    return redirect(url_for("trainer.group", group_id=group.id) + "#assignments")
