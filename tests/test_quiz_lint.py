"""The quiz lint: answer cues counted on a small quiz whose figures are worked out by hand."""
import shutil
from collections import Counter

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, VALID
from elearn.cli import main
from elearn.content.lint import absolute_words, lint_quizzes, unknown_phrases
from elearn.content.loader import load_quizzes

CUES = FIXTURES / "lint" / "quizzes"


@pytest.fixture(scope="module")
def report():
    modules, problems = load_quizzes(CUES)
    assert problems == []
    return lint_quizzes(modules.items())


def test_absolute_words_in_wrong_and_right_options(report):
    figures = report.overall
    # Options with text: 16 wrong and 10 right (the true/false item has none). Wrong options with an
    # absolute word: "always … everyone", "only", "never … any"; right: "every transfer".
    for lang in ("en", "ar"):
        assert (figures.absolute[(lang, "wrong")], figures.options[(lang, "wrong")]) == (3, 16)
        assert (figures.absolute[(lang, "right")], figures.options[(lang, "right")]) == (1, 10)
        assert figures.absolute_statements[(lang, "false")] == 1 and figures.statements["false"] == 1


def test_multiple_answer_counts_and_the_dominant_count(report):
    figures = report.overall
    assert figures.multiple == Counter({(2, 4): 2, (2, 5): 1, (1, 4): 1})
    assert figures.dominant_right_count() == (2, 3)  # 3 of 4 items have 2 right answers: over 50%
    assert figures.multiple_is_dominated()
    flagged = sorted(f.question_id for f in report.flags if f.cue == "multiple")
    assert flagged == ["multi-a", "multi-b", "multi-c"]


def test_right_option_length(report):
    figures = report.overall
    assert figures.single["items"] == 3  # two single items and one scenario
    assert figures.longest == Counter({"en": 2, "ar": 2}) and figures.shortest == Counter({"en": 1, "ar": 1})
    assert figures.length_cue("en") == "FLAG" and figures.length_cue("ar") == "FLAG"  # 67% > 40%


def test_keys_resting_on_an_unknown_status(report):
    flags = [f for f in report.flags if f.cue == "unknown"]
    assert [(f.where, f.question_id) for f in flags] == [("quizzes/cues/final.yaml:90", "status-unknown")]
    assert "غير معروف" in flags[0].detail and "unknown" in flags[0].detail


def test_flags_name_file_line_and_question(report):
    absolute = [str(f) for f in report.flags if f.cue == "absolute"]
    assert absolute == [
        "quizzes/cues/final.yaml:6 long-right: absolute: wrong option b: ar دائما, الجميع; en always, everyone",
        "quizzes/cues/final.yaml:6 long-right: absolute: wrong option c: ar فقط; en only",
        "quizzes/cues/final.yaml:23 short-right: absolute: wrong option b: ar ابدا, لا … اي; en never, any",
    ]
    assert len(report.flags) == 10


@pytest.mark.parametrize("text, lang, expected", [
    ("The President only signed it in June 2020.", "en", ("only",)),
    ("No one objected; nothing changed.", "en", ("nothing", "no one")),
    ("It was passed once, in December 2019.", "en", ()),
    ("وقّعه الرئيس ولم يوقّعه إلا في حزيران/يونيو 2020.", "ar", ("ولم … الا",)),
    ("تنطبق على كلِّ المصارف", "ar", ("كل",)),
    ("يُطبَّق لكلّها", "ar", ("لكلها",)),
    ("لا يجوز تحويل أيِّ مبلغ", "ar", ("لا … اي",)),
    ("المسؤولية تقع عليه وحدَه", "ar", ("وحده",)),
    ("صدر القانون في كانون الأول/ديسمبر 2019", "ar", ()),
    ("كلا الخيارين صحيح", "ar", ()),  # "both", not "all"
])
def test_absolute_words(text, lang, expected):
    assert absolute_words(text, lang) == expected


@pytest.mark.parametrize("text, lang, found", [
    ("Its status is unknown as of the review date", "en", True),
    ("It has not yet been announced.", "en", True),
    ("The rules remain unclear.", "en", True),
    ("The bank refused, citing cost and unclear rules.", "en", False),
    ("لم يُرفع بعد.", "ar", True),
    ("وضعه مجهول حتى تاريخ المراجعة", "ar", True),
    ("ناشط مجهول الهوية", "ar", False),  # anonymous, not unknown
    ("بدأت العقوبات بعد 180 يومًا", "ar", False),  # "after", not "not yet"
])
def test_unknown_phrases(text, lang, found):
    assert bool(unknown_phrases(text, lang)) is found


def test_lint_command_and_check_report_without_changing_the_exit_code():
    runner = CliRunner()
    lint = runner.invoke(main, ["content", "lint", "--quizzes", str(CUES), "--details"])
    assert lint.exit_code == 0, lint.output
    assert "cues  en wrong 19% (3/16), right 10% (1/10)" in lint.output
    assert "4 items: 1/4 ×1, 2/4 ×2, 2/5 ×1; 2 right in 75% (3/4)  FLAG" in lint.output
    assert "quizzes/cues/final.yaml:90 status-unknown: unknown" in lint.output
    check = runner.invoke(main, ["content", "check", "--lessons", str(VALID / "lessons"),
                                 "--quizzes", str(VALID / "quizzes")])
    assert check.exit_code == 0 and "quiz lint: answer cues" in check.output
    assert "final.yaml:" not in check.output  # items only with --lint-details
    detailed = runner.invoke(main, ["content", "check", "--lessons", str(VALID / "lessons"),
                                    "--quizzes", str(VALID / "quizzes"), "--lint-details"])
    assert detailed.exit_code == 0 and "quizzes/sample/" in detailed.output


def test_lint_command_fails_only_on_an_unreadable_quiz(tmp_path):
    quizzes = tmp_path / "quizzes"
    shutil.copytree(CUES, quizzes)
    path = quizzes / "cues" / "final.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    answer: [c]\n", "    answer: [z]\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["content", "lint", "--quizzes", str(quizzes)])
    assert result.exit_code == 1
    assert "quizzes/cues/final.yaml:" in result.output and "answer 'z' is not an option" in result.output
