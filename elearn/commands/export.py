"""`elearn export scorm MODULE --lang ar|en`: a module as a SCORM 1.2 package (elearn/scorm)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import AppGroup
from flask_babel import force_locale, gettext as _

from ..i18n import LANGUAGES
from ..scorm import package, schema

export = AppGroup("export", help="Export modules for other platforms.")


def _strings(pass_mark: int) -> tuple[dict, dict]:
    """The scripts' messages, in the locale in force."""
    sco = {"connected": _("Your learning platform saves your progress."),
           "offline": _("Not connected to a learning platform: your progress is not saved.")}
    # quiz.js puts the score where "{score}" is.
    quiz = {"passed": _("You passed: %(score)s%%.", score="{score}"),
            "failed": _("Not passed: %(score)s%%. The pass mark is %(mark)s%%.", score="{score}", mark=pass_mark),
            "right": _("Right."), "partly": _("Partly right."), "wrong": _("Not right.")}
    return sco, quiz


@export.command("scorm")
@click.argument("module_id")
@click.option("--lang", type=click.Choice(LANGUAGES), required=True, help="The package's language.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Default: elearn-MODULE-LANG-scorm12.zip")
def scorm(module_id: str, lang: str, output: str | None) -> None:
    """Write MODULE as a SCORM 1.2 zip: its lessons as static pages and its final quiz, graded
    in the package (which therefore carries the quiz's answer key)."""
    app = current_app._get_current_object()
    module = app.extensions["catalog"].module(module_id)
    if module is None:
        raise click.ClickException(f"no module {module_id}")
    with app.test_request_context("/", base_url=app.config["BASE_URL"]), force_locale(lang):
        sco, quiz = _strings(package.final_quiz(module).pass_mark)
        rendered = {path: render_template(template, **context)
                    for path, template, context in package.renders(module, lang, sco, quiz)}
    data = package.build(module, lang, rendered, (Path(app.config["STATIC_DIR"]) / "css" / "app.css").read_bytes())
    target = Path(output or f"elearn-{module.id}-{lang}-scorm12.zip")
    target.write_bytes(data)
    click.echo(f"{target}: {len(data):,} bytes")
    click.echo(_checked(package.manifest(module, lang, package.listed_files(rendered))))


def _checked(manifest: str) -> str:
    try:
        found = schema.problems(manifest)
    except schema.NoValidator as exc:
        return f"manifest not checked against the SCORM 1.2 schemas: {exc}"
    if found:
        raise click.ClickException("the manifest does not match the SCORM 1.2 schemas: " + "; ".join(found))
    return "manifest valid against the ADL SCORM 1.2 schemas"
