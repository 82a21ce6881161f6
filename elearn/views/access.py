"""Who may see a page: signed in, or signed in with a role."""
from __future__ import annotations

import functools

from flask import abort, g, redirect, request, url_for


def login_required(view):
    """Send anonymous visitors to sign in, and back here afterwards."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped


def role_required(*roles: str):
    """Signed in with one of `roles`, else 403 (anonymous visitors are sent to sign in)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(**kwargs):
            if g.user.role not in roles:
                abort(403)
            return view(**kwargs)

        return wrapped

    return decorator


admin_required = role_required("admin")
trainer_required = role_required("trainer", "admin")
