"""Trainers and admins: a one-time reset code for a learner who forgot their password, and an
admin's deletion of an account (the People page)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth import recovery
from ..auth.models import User
from ..clock import utcnow
from ..db import db
from ..privacy import deletion
from ..trainer.models import Membership
from ..web import carries_secrets
from .access import admin_required, trainer_required
from .account import certificates_outcome
from .forms import AdminDeleteForm, EmptyForm
from .groups import bp, get_group


def _issue(person: User, back: str):
    """Issue and show the code, once; or say why not."""
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    if person.id == g.user.id:
        flash(_("To change your own password, use your account page."), "error")
        return redirect(back)
    if person.role != "learner" and g.user.role != "admin":
        flash(_("Only an administrator can reset the password of a trainer or an administrator."), "error")
        return redirect(back)
    code, expires = recovery.issue_reset_code(db.session, person, g.user, utcnow())
    return render_template("auth/reset_code.html", person=person, code=code, expires=expires, back=back)


@bp.route("/trainer/groups/<int:group_id>/members/<int:user_id>/reset-code", methods=["POST"])
@trainer_required
@carries_secrets
def member_reset_code(lang, group_id, user_id):
    """For a member of one of the trainer's groups (any group, for an admin)."""
    group = get_group(group_id)
    person = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.group_id == group.id, User.id == user_id))
    if person is None:
        abort(404)
    return _issue(person, url_for("trainer.group", group_id=group.id))


@bp.route("/admin/users/<int:user_id>/reset-code", methods=["POST"])
@admin_required
@carries_secrets
def user_reset_code(lang, user_id):
    person = db.session.get(User, user_id) or abort(404)
    return _issue(person, url_for("trainer.users", q=person.username))


@bp.route("/admin/users/<int:user_id>/delete", methods=["GET", "POST"])
@admin_required
def delete_user(lang, user_id):
    """An admin deletes an account: this page first (it deletes nothing), then its form."""
    person = db.session.get(User, user_id) or abort(404)
    if person.id == g.user.id:
        flash(_("To delete your own account, use your account page."), "error")
        return redirect(url_for("trainer.users"))
    form = AdminDeleteForm()
    if form.validate_on_submit():
        name = person.display_name
        try:
            done = deletion.delete_account(db.session, person, form.certificates.data == "keep", utcnow())
        except deletion.LastAdmin:
            flash(_("This is the only administrator. Make someone else an administrator first."), "error")
        else:
            flash(_("The account of %(name)s is deleted.", name=name) + " " + certificates_outcome(done), "success")
            return redirect(url_for("trainer.users"))
    certificates, groups = deletion.consequences(db.session, person.id)
    return render_template("auth/delete.html", form=form, certificates=certificates, groups=groups, person=person,
                           own=False), 400 if form.errors else 200
