"""Admins: the People page and roles."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..auth import admin
from ..auth.models import User
from ..db import db
from ..web import keeps_query
from .access import admin_required
from .forms import RoleForm
from .groups import bp


@bp.route("/admin/users/")
@admin_required
@keeps_query("q")
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
            try:
                admin.set_role(db.session, person.id, form.role.data)
            except admin.LastAdmin:
                flash(_("The site must keep at least one administrator: this person is the last one now."), "error")
            else:
                flash(_("Role saved."), "success")
    return redirect(url_for("trainer.users", q=request.args.get("q") or None))
