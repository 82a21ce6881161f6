"""The `elearn` command: help without building the app, and the translation checks."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import elearn
from elearn import cli

INVALID = Path(__file__).parent / "fixtures" / "content" / "invalid"


def test_help_lists_every_command_without_building_the_app(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("`elearn --help` built the app")

    monkeypatch.setattr(elearn, "create_app", refuse)
    monkeypatch.setenv("ELEARN_CONTENT_DIR", str(next(p for p in INVALID.iterdir() if p.is_dir())))
    result = CliRunner().invoke(cli.main, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("serve", "db", "users", "content", "certificates", "reminders", "demo", "translate"):
        assert f"  {command} " in result.output


def test_a_command_that_needs_the_app_reports_invalid_content(monkeypatch, tmp_path):
    monkeypatch.setenv("ELEARN_CONTENT_DIR", str(next(p for p in INVALID.iterdir() if p.is_dir())))
    monkeypatch.setenv("ELEARN_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(cli.main, ["users", "create", "x", "--password", "a long enough password"])
    assert result.exit_code == 1
    assert "fix the content problems above" in result.output


def test_translations_are_complete_and_the_template_is_fresh():
    result = CliRunner().invoke(cli.main, ["translate", "check"])
    assert result.exit_code == 0, result.output
    assert "translations ok" in result.output
