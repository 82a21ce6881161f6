"""`elearn db ...`: Flask-Migrate's commands (upgrade, downgrade, current, history, ...), loaded when
one of them runs, so that building the app (a served process does) never imports Alembic."""
from __future__ import annotations

import click
from flask import current_app, g
from flask.cli import with_appcontext

from ..db import use_migrations


class _MigrationCommands(click.Group):
    """Lists and finds its subcommands in Flask-Migrate's `db` group, imported on first use."""

    @staticmethod
    def _commands() -> click.Group:
        # Why here: Flask-Migrate imports Alembic, some 11 MiB in each process that builds the app.
        from flask_migrate.cli import db

        return db

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)


@click.group(cls=_MigrationCommands)
@with_appcontext
def db() -> None:
    """Perform database migrations."""
    use_migrations(current_app)
    # What Flask-Migrate's own group sets (its -d and -x options): our migrations folder, no extras.
    g.directory, g.x_arg = None, ()
