"""The `elearn` command. Every command is registered here, so `elearn --help` lists them without
building the app; a command that needs the app (database, catalog) builds it when it runs."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup
from werkzeug.serving import run_simple

from . import clock, config, create_app_or_exit
from .commands import APP_COMMANDS
from .commands.translate import translate
from .content import ContentError, check_content, load_catalog
from .content.dates import parse_age
from .content.reports import check_report, quiz_lint_report
from .content.stats import format_stats
from .db import upgrade_database
from .web import RedactingRequestHandler, warn_about_process_state


def _make_app() -> Flask:
    return create_app_or_exit()


def _print_problems(problems: list[str]) -> None:
    for problem in problems:
        click.echo(problem, err=True)


class ElearnGroup(FlaskGroup):
    """Flask's group, without loading the app to list commands (all of them are registered on
    this group, none only on `app.cli`)."""

    def list_commands(self, ctx):
        return click.Group.list_commands(self, ctx)


@click.group(cls=ElearnGroup, create_app=_make_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """elearn: bilingual advocacy training on sanctions on Syria."""


@main.command(with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
def serve(host: str, port: int) -> None:
    """Migrate the database, load the content and serve the app (development server).

    For production use gunicorn (see the README).
    """
    app = _make_app()
    if not os.environ.get("ELEARN_BASE_URL"):  # links in invitations, e-mails, certificates: to this server
        app.config["BASE_URL"] = config.local_base_url(host, port)
    warn_about_process_state(app)
    with app.app_context():
        upgrade_database()
    click.echo(f"elearn: {len(app.extensions['catalog'].modules)} modules; serving on http://{host}:{port}/; "
               f"links point to {app.config['BASE_URL']} (set ELEARN_BASE_URL to the address learners use)")
    run_simple(host, port, app, threaded=True, request_handler=RedactingRequestHandler)


@main.group(cls=click.Group)
def content() -> None:
    """Check the lessons and quizzes."""


def _content_dirs():
    settings = config.from_env(config.instance_path())
    return settings["LESSONS_DIR"], settings["QUIZZES_DIR"]


def _age(ctx, param, value):
    try:
        return None if value is None else parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@content.command("check")
@click.option("--lessons", "lessons_dir", type=click.Path(file_okay=False), help="Default: lessons/ of the checkout.")
@click.option("--quizzes", "quizzes_dir", type=click.Path(file_okay=False), help="Default: quizzes/ of the checkout.")
@click.option("--stale-after", callback=_age, metavar="AGE",
              help="Also list lessons whose facts_as_of is older than AGE (90d, 12w, 6m, 1y); never fails.")
@click.option("--lint-details", is_flag=True, help="List each quiz item the lint flags.")
def content_check(lessons_dir: str | None, quizzes_dir: str | None, stale_after, lint_details: bool) -> None:
    """Validate every module, lesson and quiz; print each problem as path:line: message.

    Then the quiz lint and, with --stale-after, the stale lessons: reports for authors that
    never change the exit code (CI must not fail with the passage of time).
    """
    default_lessons, default_quizzes = _content_dirs()
    problems = check_content(lessons_dir or default_lessons, quizzes_dir or default_quizzes)
    if problems:
        _print_problems(problems)
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    catalog = load_catalog(lessons_dir or default_lessons, quizzes_dir or default_quizzes)
    lessons = sum(len(m.lessons) for m in catalog.modules)
    questions = sum(len(m.question_bank) for m in catalog.modules)
    click.echo(f"content ok: {len(catalog.modules)} modules, {lessons} lessons, {questions} questions")
    click.echo(check_report(catalog, clock.today(), stale_after, lint_details))


@content.command("lint")
@click.option("--quizzes", "quizzes_dir", type=click.Path(file_okay=False), help="Default: quizzes/ of the checkout.")
@click.option("--details", is_flag=True, help="List each flagged item.")
def content_lint(quizzes_dir: str | None, details: bool) -> None:
    """Answer cues in the quizzes alone (lessons may be mid-edit). Cues never fail it; a quiz
    file that cannot be read does (exit 1), since its items would be missing from the figures."""
    text, problems = quiz_lint_report(quizzes_dir or _content_dirs()[1], details)
    click.echo(text)
    if problems:
        _print_problems(problems)
        sys.exit(1)


@content.command("stats")
def content_stats() -> None:
    """Per module and language: lessons, words per lesson, questions per type."""
    lessons_dir, quizzes_dir = _content_dirs()
    try:
        catalog = load_catalog(lessons_dir, quizzes_dir)
    except ContentError as exc:
        _print_problems(exc.problems)
        sys.exit(1)
    click.echo(format_stats(catalog))


for _command in (*APP_COMMANDS, translate):
    main.add_command(_command)
