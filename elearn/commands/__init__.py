"""The commands that work on an app (database, catalog): `elearn db|users|certificates|reminders|
demo|rebuild-totals`. elearn/cli.py puts them on the `elearn` command; `app.cli` (AppCommands in
elearn/__init__.py) looks them up here, so tests run them with `app.test_cli_runner()`."""
from __future__ import annotations

from .badges import badges
from .certificates import certificates
from .demo import demo, rebuild_totals_command
from .export import export
from .migrations import db as db_commands
from .privacy import privacy
from .reminders import reminders
from .users import users
from .xapi import xapi

APP_COMMANDS = (db_commands, users, certificates, badges, export, xapi, reminders, privacy, demo, rebuild_totals_command)
