"""Item analysis opens with a summary in plain words (issue 15): how the group did, the questions
most people miss (hardest first, with the wrong answer chosen most), the questions that separate
stronger from weaker attempts badly."""
from __future__ import annotations

import datetime as dt

import pytest

from elearn.trainer import stats
from factories import make_assignment, make_group, make_progress


def test_most_missed_lists_the_hardest_first_with_the_commonest_wrong_answer():
    options = [("q1", ["a", "b", "c"]), ("q2", ["a", "b", "c"]), ("q3", ["a", "b"])]
    right = [("q1", ["a"]), ("q2", ["a", "c"]), ("q3", ["b"])]
    attempts = [{"q1": (0.0, ["b"]), "q2": (0.0, ["b"]), "q3": (1.0, ["b"])},
                {"q1": (0.0, ["c"]), "q2": (0.5, ["a"]), "q3": (1.0, ["b"])},
                {"q1": (0.0, ["b"]), "q2": (0.0, ["b"]), "q3": (0.0, ["a"])}]
    _test, per_question = stats.item_analysis(options, attempts)
    missed = stats.most_missed(right, per_question)
    assert [(m.position, m.question_id) for m in missed] == [(1, "q1"), (2, "q2")]  # q3: 2/3 right
    assert missed[0].facility == 0.0 and missed[0].wrong_option == "b" and missed[0].wrong_share == pytest.approx(2 / 3)
    assert missed[1].wrong_option == "b" and missed[1].wrong_share == pytest.approx(2 / 3)


def test_nobody_chose_a_wrong_answer_leaves_it_out():
    _test, per_question = stats.item_analysis([("q1", ["a", "b"])], [{"q1": (0.0, [])}, {"q1": (0.0, [])}])
    [missed] = stats.most_missed([("q1", ["a"])], per_question)
    assert missed.wrong_option is None and missed.wrong_share is None


@pytest.mark.parametrize("lang, words", [
    ("en", ["In short", "6 attempts by members of this group earned on average 25% of the marks.",
            "1 question most people miss:", "Choose the right ones.", "question 1 · 0% of the marks",
            "the wrong answer chosen most: “B” (100%)"]),
    ("ar", ["باختصار", "سؤال واحد يخطئ فيه معظم المتعلّمين:", "اختر الصحيح.", "الإجابة الخاطئة الأكثر اختيارًا: «ب» (100%)"]),
])
def test_the_page_opens_with_the_summary(app, trainer, lang, words):
    with app.app_context():
        group = make_group("coach", [f"p{i}" for i in range(6)])
        make_assignment(group, due_on=dt.date(2030, 1, 31))
        for i in range(6):  # everyone misses s-multi with "b"; half get the scenario right
            make_progress(f"p{i}", quizzes=[("final", {"s-multi": ["b"], "s-scenario": ["b"] if i < 3 else ["a"]})])
        group_id = group.id
    html = trainer.get(f"/{lang}/trainer/groups/{group_id}/modules/sample/quizzes/final/").get_data(as_text=True)
    summary = html.split('<section class="summary-box"', 1)[1].split("</section>", 1)[0]
    text = " ".join(__import__("re").sub(r"<[^>]+>", " ", summary).split())
    for word in words:
        assert word in text, (word, text)
    assert 'href="#q-s-multi"' in summary and 'id="q-s-multi"' in html
    assert html.index("summary-box") < html.index('class="report cards"')
