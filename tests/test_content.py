"""The content validator: valid content loads; each kind of broken copy is reported as path:line."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import VALID
from elearn.cli import main
from elearn.config import ROOT
from elearn.content import ContentError, check_content, load_catalog


@pytest.fixture
def broken(tmp_path):
    """A copy of the valid fixture tree to break in one place."""
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


def problems_of(root: Path) -> list[str]:
    return check_content(root / "lessons", root / "quizzes")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_valid_fixture_loads_into_an_immutable_catalog():
    catalog = load_catalog(VALID / "lessons", VALID / "quizzes")
    module = catalog.module("sample")
    assert [l.id for l in module.lessons] == ["first-lesson", "second-lesson"]
    assert module.lessons[0].check_quiz_id == "check-first-lesson"
    assert module.final_quiz.pass_mark == 80 and module.final_quiz.max_attempts == 3
    assert module.certificate_validity_months == 12
    assert len(module.question_bank) == 4
    assert module.quizzes["check-first-lesson"].question("s-tf").answer == frozenset({"true"})
    with pytest.raises(Exception):
        module.lessons[0].id = "changed"  # frozen


def test_markdown_is_rendered_and_sanitised():
    html = load_catalog(VALID / "lessons", VALID / "quizzes").module("sample").lessons[0].text("en").html
    assert "<strong>bold</strong>" in html and "<h2>Timeline</h2>" in html
    assert "<script>" not in html


def test_module_version_changes_with_content(broken):
    before = load_catalog(broken / "lessons", broken / "quizzes").module("sample").version
    edit(broken / "lessons/sample/first-lesson.en.md", "Some text", "Other text")
    after = load_catalog(broken / "lessons", broken / "quizzes").module("sample").version
    assert before != after


CASES = [
    # (file, old, new, expected "path:line: message" fragment)
    ("lessons/sample/first-lesson.ar.md", None, None, "lessons/sample/module.yaml:10: missing language 'ar'"),
    ("lessons/sample/first-lesson.ar.md", "## التسلسل الزمني", "### التسلسل الزمني",
     "lessons/sample/first-lesson.ar.md:19: section 2 is a level-3 heading here but level-2 in English"),
    ("lessons/sample/first-lesson.ar.md", "## التسلسل الزمني\n", "## التسلسل الزمني\n\n## زائد\n",
     "lessons/sample/first-lesson.ar.md:21: sections differ between languages: 3 headings in Arabic, 2 in English"),
    ("lessons/sample/first-lesson.en.md", "sources:\n  - publisher: Example Publisher\n    title: A source\n    date: 2025-12-18\n    url: https://example.org/source\n", "",
     "lessons/sample/first-lesson.en.md:2: missing sources"),
    ("lessons/sample/first-lesson.en.md", "reviewed: 2026-11-01\n", "",
     "lessons/sample/first-lesson.en.md:2: missing or invalid 'reviewed' date"),
    ("lessons/sample/first-lesson.en.md", "minutes: 5", "minutes: 5\nauthor: someone",
     "lessons/sample/first-lesson.en.md:4: unknown field 'author' in front matter"),
    ("quizzes/sample/check-first-lesson.yaml", "    answer: a\n", "    answer: z\n",
     "quizzes/sample/check-first-lesson.yaml:16: answer 'z' is not an option of this question"),
    ("quizzes/sample/check-first-lesson.yaml", "      - id: b\n", "      - id: a\n",
     "quizzes/sample/check-first-lesson.yaml:13: duplicate option id 'a'"),
    ("quizzes/sample/final.yaml", "  - id: s-multi", "  - id: s-single",
     "quizzes/sample/final.yaml:7: duplicate question id 's-single' (first in check-first-lesson.yaml:6)"),
    ("quizzes/sample/final.yaml", "  - id: s-multi\n    type: multiple", "  - id: s-multi\n    type: multiple\n    hint: x",
     "quizzes/sample/final.yaml:9: unknown field 'hint' in question"),
    ("quizzes/sample/final.yaml", "scenario: {ar: متطوعة تتلقى طلبا., en: A volunteer receives a request.}",
     "scenario: {en: A volunteer receives a request.}",
     "quizzes/sample/final.yaml:23: missing language 'ar' in 'scenario'"),
    ("quizzes/sample/final.yaml", "    answer: [a, c]", "    answer: a",
     "quizzes/sample/final.yaml:20: a multiple-answer question's answer must be a list"),
    ("quizzes/sample/check-first-lesson.yaml", "lesson: first-lesson", "lesson: no-such-lesson",
     "quizzes/sample/check-first-lesson.yaml:3: check quiz must name a lesson of this module"),
    ("lessons/sample/module.yaml", "final_quiz: final", "final_quiz: missing-quiz",
     "lessons/sample/module.yaml:12: final quiz 'missing-quiz' not found"),
    ("quizzes/sample/final.yaml", "questions:", "questions: [",
     "quizzes/sample/final.yaml:"),
    ("lessons/sample/first-lesson.en.md", "    title: A source\n", "    title: [A described source]\n",
     "lessons/sample/first-lesson.en.md:11: source title must be text (quote it if it starts with [ or {)"),
]


@pytest.mark.parametrize("file, old, new, expected", CASES)
def test_broken_content_is_reported_with_path_and_line(broken, file, old, new, expected):
    path = broken / file
    if old is None:
        path.unlink()
    else:
        edit(path, old, new)
    problems = problems_of(broken)
    assert any(p.startswith(expected) or expected in p for p in problems), problems
    with pytest.raises(ContentError):
        load_catalog(broken / "lessons", broken / "quizzes")


def test_content_check_command_exit_codes(broken):
    runner = CliRunner()
    ok = runner.invoke(main, ["content", "check", "--lessons", str(broken / "lessons"), "--quizzes", str(broken / "quizzes")])
    assert ok.exit_code == 0, ok.output
    assert "content ok: 1 modules, 2 lessons, 4 questions" in ok.output
    edit(broken / "quizzes/sample/check-first-lesson.yaml", "    answer: a\n", "    answer: z\n")
    bad = runner.invoke(main, ["content", "check", "--lessons", str(broken / "lessons"), "--quizzes", str(broken / "quizzes")])
    assert bad.exit_code == 1
    assert "check-first-lesson.yaml:16: answer 'z' is not an option of this question" in bad.output


def test_app_refuses_to_start_on_invalid_content(broken, tmp_path, monkeypatch):
    edit(broken / "quizzes/sample/check-first-lesson.yaml", "    answer: a\n", "    answer: z\n")
    monkeypatch.setenv("ELEARN_CONTENT_DIR", str(broken))
    monkeypatch.setenv("ELEARN_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "answer 'z' is not an option" in result.output and "cannot start" in result.output


def test_the_repository_content_is_valid():
    problems = check_content(ROOT / "lessons", ROOT / "quizzes")
    assert problems == []
