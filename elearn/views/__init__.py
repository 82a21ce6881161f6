"""The web tier: one module of pages per area, over the services below it (see docs/architecture.md)."""
from __future__ import annotations

from flask import Flask

from . import (account, admin, assignments, auth, certificates, fieldkit, groups, invitations, learning, offline,
               quiz, recovery, refresher, reports, resets)
from . import badges
from .quiz import option_label
from .refresher import renewal_notices

# Modules that only add routes to a blueprint defined elsewhere (the trainer's, in groups.py; the
# account pages', in auth.py).
_ROUTES_ONLY = (account, admin, assignments, fieldkit, invitations, recovery, reports, resets)


def init_app(app: Flask) -> None:
    auth.init_app(app)
    certificates.init_app(app)
    badges.init_app(app)
    offline.init_app(app)
    for blueprint in (learning.bp, quiz.bp, refresher.bp, groups.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(option_label=option_label, renewal_notices=renewal_notices)
