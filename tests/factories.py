"""Test factories with defaults and **overrides."""
from __future__ import annotations

import itertools

from elearn.auth.service import create_user
from elearn.db import db

_counter = itertools.count(1)


def make_user(**overrides):
    """A user committed to the database; password 'correct horse battery' unless given."""
    n = next(_counter)
    values = {"username": f"learner{n}", "password": "correct horse battery", "locale": "en", "role": "learner"}
    values.update(overrides)
    return create_user(db.session, values.pop("username"), values.pop("password"), **values)
