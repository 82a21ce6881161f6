"""`elearn translate extract|update|compile|check`: the pybabel steps with this project's options.

Locations are written as file names only and the template is sorted, so re-running `extract` or
`update` after a change shows only the strings that changed, not every moved line number or a
new creation date.
"""
from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from ..config import ROOT

TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LANGUAGES = ("ar", "en")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract_to(target: Path) -> None:
    """Extract every interface string of the package into the template `target`."""
    with contextlib.chdir(ROOT):  # locations relative to the checkout (elearn/...), wherever it is
        _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--add-location=file",
                 "--sort-output", "--project=elearn", "--copyright-holder=elearn", "-o", str(target), ".")


def _ids(path: Path) -> set:
    with open(path, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def problems(template: Path) -> list[str]:
    """What is wrong with the catalogues against a freshly extracted template."""
    found = []
    ids = _ids(template)
    if not TEMPLATE.exists() or _ids(TEMPLATE) != ids:
        found.append(f"{TEMPLATE.relative_to(ROOT)} is stale: run `elearn translate update`")
    with open(TRANSLATIONS / "ar" / "LC_MESSAGES" / "messages.po", "rb") as f:
        arabic = read_po(f, locale="ar")
    for message in arabic:
        if message.id and message.id in ids:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings) or message.fuzzy:
                found.append(f"ar: untranslated or fuzzy: {message.id!r}")
    known = {m.id for m in arabic if m.id}
    found += [f"ar: missing: {msgid!r}" for msgid in sorted(ids - known, key=str)]
    return found


@click.group()
def translate() -> None:
    """Interface translations (translations/<lang>/LC_MESSAGES/messages.po)."""


@translate.command()
def extract() -> None:
    """Write translations/messages.pot from the code and templates."""
    extract_to(TEMPLATE)
    click.echo(f"{len(_ids(TEMPLATE))} strings in {TEMPLATE.relative_to(ROOT)}")


@translate.command()
def update() -> None:
    """Extract, then merge new and changed strings into every language's catalogue."""
    extract_to(TEMPLATE)
    for lang in LANGUAGES:  # one at a time: Babel 2.17+ wants a locale with --init-missing
        _pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", lang, "--no-fuzzy-matching",
                 "--ignore-obsolete", "--init-missing")
    click.echo("updated: " + ", ".join(LANGUAGES) + "; translate the new entries, then run `elearn translate check`")


@translate.command("compile")
def compile_() -> None:
    """Compile .mo files (optional: the app compiles the .po files in memory at start)."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


@translate.command()
def check() -> None:
    """Fail when the template is stale or an Arabic string is missing, empty or fuzzy."""
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "messages.pot"
        extract_to(template)
        found = problems(template)
    for problem in found:
        click.echo(problem, err=True)
    if found:
        sys.exit(1)
    click.echo("translations ok")
