"""Item analysis (elearn.trainer.stats): hand-computed examples, flags and edge cases; no Flask."""
import math

import pytest

from elearn.trainer.stats import (
    MOST_MISSED_FACILITY,
    TestStats,
    drawn_item_analysis,
    error_ratio,
    item_analysis,
    option_shares,
)

OPTIONS = ["a", "b", "c"]


def quiz(*rows):
    """Questions q1..qn with options a, b, c and one attempt per row of points.

    A question scored 1 records option "a" as chosen, 0 records "b": the choices do not matter
    for the marks, but every question counts as answered.
    """
    n = len(rows[0]) if rows else 0
    questions = [(f"q{i + 1}", OPTIONS) for i in range(n)]
    attempts = [
        {f"q{i + 1}": (x, ("a",) if x else ("b",)) for i, x in enumerate(row)} for row in rows
    ]
    return questions, attempts


# The worked example: 5 attempts x 3 questions.
#        q1 q2 q3 | X  rest(q1) rest(q2) rest(q3)
#   a1:   1  1  1 | 3     2        2        2
#   a2:   1  1  0 | 2     1        1        2
#   a3:   1  0  1 | 2     1        2        1
#   a4:   0  1  0 | 1     1        0        1
#   a5:   0  0  0 | 0     0        0        0
MATRIX = [(1, 1, 1), (1, 1, 0), (1, 0, 1), (0, 1, 0), (0, 0, 0)]


@pytest.fixture
def worked():
    return item_analysis(*quiz(*MATRIX))


def test_facility_and_sd(worked):
    _, (q1, q2, q3) = worked
    # q1, q2: three of five right -> F = 0.6; q3: two of five -> F = 0.4
    assert (q1.facility, q2.facility, q3.facility) == pytest.approx((0.6, 0.6, 0.4))
    # sample variance of q1: (3 * 0.4^2 + 2 * 0.6^2) / 4 = (0.48 + 0.72) / 4 = 0.3, same for
    # q2 and q3 (2 * 0.6^2 + 3 * 0.4^2 = 1.2 as well)
    for q in (q1, q2, q3):
        assert q.sd == pytest.approx(math.sqrt(0.3))
        assert q.attempts == 5


def test_discrimination_and_efficiency(worked):
    _, (q1, q2, q3) = worked
    # q1: x - 0.6 = (.4, .4, .4, -.6, -.6), rest - 1 = (1, 0, 0, 0, -1)
    #     cov = (.4 + .6) / 4 = 0.25; var(rest) = 2 / 4 = 0.5
    #     D = 100 * 0.25 / sqrt(0.3 * 0.5) = 64.549...
    #     sorted: x (0,0,1,1,1), rest (0,1,1,1,2) -> cov_max = (.6 + .4) / 4 = 0.25 -> E = 100
    assert q1.discrimination == pytest.approx(100 * 0.25 / math.sqrt(0.15))
    assert q1.efficiency == pytest.approx(100)
    # q2: x - 0.6 = (.4, .4, -.6, .4, -.6), rest - 1 = (1, 0, 1, -1, -1)
    #     products .4 + 0 - .6 - .4 + .6 = 0 -> D = 0 and E = 0
    assert q2.discrimination == pytest.approx(0, abs=1e-9)
    assert q2.efficiency == pytest.approx(0, abs=1e-9)
    # q3: x - 0.4 = (.6, -.4, .6, -.4, -.4), rest - 1.2 = (.8, .8, -.2, -.2, -1.2)
    #     products .48 - .32 - .12 + .08 + .48 = 0.6 -> cov = 0.15
    #     var(rest) = (.64 + .64 + .04 + .04 + 1.44) / 4 = 0.7 -> D = 100 * .15 / sqrt(.21)
    #     sorted: x (0,0,0,1,1) - .4, rest (0,1,1,2,2) - 1.2
    #     products .48 + .08 + .08 + .48 + .48 = 1.6 -> cov_max = 0.4 -> E = 37.5
    assert q3.discrimination == pytest.approx(100 * 0.15 / math.sqrt(0.21))
    assert q3.efficiency == pytest.approx(37.5)


def test_perfectly_discriminating_item_gives_100():
    # q1 and q2 are identical, so each one's rest is the item itself: correlation 1
    _, (q1, q2) = item_analysis(*quiz((1, 1), (1, 1), (0, 0), (0, 0)))
    assert q1.discrimination == pytest.approx(100)
    assert q1.efficiency == pytest.approx(100)


def test_item_everyone_gets_right_has_no_discrimination():
    rows = [(1, 1), (1, 0), (1, 1), (1, 0), (1, 1)]
    _, (easy, _) = item_analysis(*quiz(*rows))
    assert easy.facility == 1 and easy.sd == 0
    assert easy.discrimination is None and easy.efficiency is None
    assert not easy.poor_discrimination and not easy.most_missed


def test_negative_discrimination_and_efficiency():
    # q1 is right exactly when the rest is wrong: x = (1, 1, 0, 0), rest = (0, 0, 1, 1)
    # cov = 4 * (-.25) / 3 = -1/3, var = 1/3 each -> D = -100;
    # sorted x and rest are equal -> cov_max = 1/3 -> E = -100
    _, (q1, _) = item_analysis(*quiz((1, 0), (1, 0), (0, 1), (0, 1)))
    assert q1.discrimination == pytest.approx(-100)
    assert q1.efficiency == pytest.approx(-100)


def test_partial_points():
    # x = (0.5, 1, 0): F = 0.5; deviations (0, .5, -.5) -> sample var = (0 + .25 + .25) / 2
    # = 0.25 -> SD = 0.5
    _, (q1, _) = item_analysis(*quiz((0.5, 1), (1, 1), (0, 0)))
    assert q1.facility == pytest.approx(0.5)
    assert q1.sd == pytest.approx(0.5)


def test_whole_test_and_alpha(worked):
    test, _ = worked
    # X = (3, 2, 2, 1, 0): mean 1.6, squared deviations 1.96 + .16 + .16 + .36 + 2.56 = 5.2
    #   -> var(X) = 5.2 / 4 = 1.3; sum of item variances = 3 * 0.3 = 0.9
    # alpha = 100 * 3/2 * (1 - 0.9 / 1.3) = 100 * 1.5 * 0.4 / 1.3 = 100 * 6/13 = 46.153...
    # error ratio = 100 * sqrt(1 - 6/13) = 100 * sqrt(7/13) = 73.379...
    # totals in percent: X * 100/3 -> mean 53.33, median 66.67, SD = sqrt(1.3) * 100/3 = 38.00
    # standard error = 73.379 * 38.006 / 100 = 27.889...
    sd = math.sqrt(1.3) * 100 / 3
    assert test == TestStats(
        attempts=5,
        mean=pytest.approx(160 / 3),
        median=pytest.approx(200 / 3),
        sd=pytest.approx(sd),
        alpha=pytest.approx(600 / 13),
        error_ratio=pytest.approx(100 * math.sqrt(7 / 13)),
        standard_error=pytest.approx(math.sqrt(7 / 13) * sd),
    )
    assert test.standard_error == pytest.approx(27.889, abs=1e-3)


def test_negative_alpha_gives_error_ratio_100():
    # q1 = (1, 0, 1, 0): var 1/3; q2 = (0, 1, 0, 0): var (.5625 + 3 * .0625) / 3 = 0.25
    # X = (1, 1, 1, 0): var 0.25 -> alpha = 100 * 2 * (1 - (1/3 + 1/4) / (1/4)) = -266.67,
    # clamped to 0 for the error ratio: 100, so the standard error is the whole SD
    test, _ = item_analysis(*quiz((1, 0), (0, 1), (1, 0), (0, 0)))
    assert test.alpha == pytest.approx(-800 / 3)
    assert test.error_ratio == 100
    assert test.standard_error == pytest.approx(test.sd)


def test_error_ratio_clamps():
    assert error_ratio(None) is None
    assert error_ratio(75) == pytest.approx(50)  # 100 * sqrt(0.25)
    assert error_ratio(100) == 0
    assert error_ratio(100 + 1e-12) == 0  # float rounding above the maximum
    assert error_ratio(-50) == 100


def test_alpha_undefined_for_one_question_or_constant_totals():
    test, _ = item_analysis(*quiz((1,), (0,), (1,)))
    assert test.alpha is None and test.error_ratio is None and test.standard_error is None
    test, _ = item_analysis(*quiz((1, 0), (0, 1)))  # X = (1, 1)
    assert test.alpha is None and test.sd == 0


def test_option_shares_single_answer_sum_to_one():
    shares, unanswered = option_shares(["a", "b", "c"], [("a",), ("a",), ("b",), ()])
    assert shares == {"a": 0.5, "b": 0.25, "c": 0.0}
    assert unanswered == 0.25
    assert sum(shares.values()) + unanswered == 1


def test_option_shares_multiple_answer():
    # 4 attempts choosing (a, b), (a), (b, c), nothing: a 2/4, b 2/4, c 1/4, none 1/4;
    # the shares add up to the 5 choices plus 1 blank over 4 attempts
    chosen = [("a", "b"), ("a",), ("b", "c"), ()]
    shares, unanswered = option_shares(["a", "b", "c"], chosen)
    assert shares == {"a": 0.5, "b": 0.5, "c": 0.25}
    assert unanswered == 0.25
    assert sum(shares.values()) + unanswered == pytest.approx(6 / 4)


def test_option_shares_ignore_repeats_and_unknown_options():
    shares, unanswered = option_shares(["a", "b"], [("a", "a"), ("z",)])
    assert shares == {"a": 0.5, "b": 0.0}
    assert unanswered == 0.0  # choosing a removed option is still an answer


def test_option_shares_in_item_analysis():
    questions = [("q1", ["a", "b", "c"])]
    attempts = [{"q1": (1, ("a",))}, {"q1": (0, ("b",))}, {"q1": (0, ())}, {"q1": (1, ("a",))}]
    _, (q1,) = item_analysis(questions, attempts)
    assert q1.option_shares == {"a": 0.5, "b": 0.25, "c": 0.0}
    assert q1.unanswered_share == 0.25


def test_flags(worked):
    _, (q1, q2, q3) = worked
    # 5 attempts: q2 (D = 0) discriminates poorly, q3 (D = 32.7) and q1 (64.5) do not
    assert [q.poor_discrimination for q in (q1, q2, q3)] == [False, True, False]
    # F = 0.6, 0.6, 0.4: none below 0.35
    assert not any(q.most_missed for q in (q1, q2, q3))


def test_most_missed_below_threshold():
    # q1: 1 of 4 right -> F = 0.25 < 0.35; q2: 2 of 4 -> 0.5
    _, (q1, q2) = item_analysis(*quiz((1, 1), (0, 1), (0, 0), (0, 0)))
    assert q1.facility == 0.25 < MOST_MISSED_FACILITY
    assert q1.most_missed and not q2.most_missed


def test_poor_discrimination_needs_five_attempts():
    # the first 4 rows of the worked example leave q2 with x = (1, 1, 0, 1), rest = (2, 1, 2, 0):
    # x - .75 = (.25, .25, -.75, .25), rest - 1.25 = (.75, -.25, .75, -1.25)
    # cov = (.1875 - .0625 - .5625 - .3125) / 3 = -.25; var(x) = .75 / 3 = .25,
    # var(rest) = 2.75 / 3 -> D = 100 * -.25 / sqrt(.25 * 2.75 / 3) = -52.2 (< 20), 4 attempts
    _, (_, q2, _) = item_analysis(*quiz(*MATRIX[:4]))
    assert q2.discrimination == pytest.approx(-100 * 0.25 / math.sqrt(0.25 * 2.75 / 3))
    assert not q2.poor_discrimination


def test_no_attempts():
    test, (q1, q2) = item_analysis([("q1", ["a", "b"]), ("q2", ["c"])], [])
    assert test == TestStats(0, None, None, None, None, None, None)
    assert q1.attempts == 0
    assert q1.facility is q1.sd is q1.discrimination is q1.efficiency is None
    assert q1.option_shares == {"a": None, "b": None} and q1.unanswered_share is None
    assert not q1.most_missed and not q1.poor_discrimination


def test_one_attempt():
    test, (q1, q2) = item_analysis(*quiz((1, 0.5)))
    assert test == TestStats(1, 75.0, 75.0, None, None, None, None)
    assert (q1.facility, q2.facility) == (1.0, 0.5)
    assert q1.sd is q1.discrimination is q1.efficiency is None
    assert q1.option_shares == {"a": 1.0, "b": 0.0, "c": 0.0}


def test_no_questions():
    test, per_question = item_analysis([], [{}, {}])
    assert per_question == []
    assert test.attempts == 2 and test.mean is None and test.alpha is None


def test_question_missing_from_attempt_counts_as_zero_and_unanswered():
    questions = [("q1", ["a", "b"]), ("q2", ["c", "d"])]
    attempts = [
        {"q1": (1, ("a",)), "q2": (1, ("c",))},
        {"q1": (1, ("a",))},  # q2 never reached
        {"q1": (0, ("b",)), "q2": (1, ("c",)), "q9": (1, ("x",))},  # q9 not in the quiz
    ]
    test, (q1, q2) = item_analysis(questions, attempts)
    assert q2.attempts == 3
    assert q2.facility == pytest.approx(2 / 3)
    assert q2.unanswered_share == pytest.approx(1 / 3)
    assert q2.option_shares == {"c": pytest.approx(2 / 3), "d": 0.0}
    # totals (2, 1, 1) of 2 questions -> 100 %, 50 %, 50 %
    assert test.mean == pytest.approx(200 / 3)


@pytest.mark.parametrize("points", [-0.1, 1.5, float("nan")])
def test_points_out_of_range_are_rejected(points):
    with pytest.raises(ValueError, match="q1"):
        item_analysis([("q1", ["a"])], [{"q1": (points, ("a",))}])


def test_question_listed_twice_is_rejected():
    with pytest.raises(ValueError):
        item_analysis([("q1", ["a"]), ("q1", ["b"])], [])


def test_float_noise_does_not_make_a_variance():
    # rest of q1 is 0.1 + 0.2 in one attempt and 0.3 in the other: equal marks, float noise
    questions = [("q1", ["a"]), ("q2", ["a"]), ("q3", ["a"])]
    attempts = [
        {"q1": (1, ("a",)), "q2": (0.1, ("a",)), "q3": (0.2, ("a",))},
        {"q1": (0, ()), "q2": (0.3, ("a",)), "q3": (0, ())},
    ]
    _, (q1, _, _) = item_analysis(questions, attempts)
    assert q1.discrimination is None


def test_a_drawn_quiz_counts_each_question_over_the_attempts_that_asked_it():
    """Each attempt at a drawn final holds only the questions it asked: one not asked is left out
    of that question's figures instead of counting as a wrong answer."""
    questions = [("q1", ["a", "b"]), ("q2", ["c", "d"]), ("q3", ["e", "f"])]
    attempts = [
        {"q1": (1, ("a",)), "q2": (1, ("c",))},  # total 2 of 2
        {"q1": (0, ("b",)), "q3": (1, ("e",))},  # total 1 of 2
        {"q2": (1, ("c",)), "q3": (0, ("f",))},  # total 1 of 2
    ]
    test, (q1, q2, q3) = drawn_item_analysis(questions, attempts)
    assert (q1.attempts, q2.attempts, q3.attempts) == (2, 2, 2)
    assert q1.facility == pytest.approx(0.5) and q2.facility == 1.0 and q3.facility == pytest.approx(0.5)
    assert q2.unanswered_share == 0.0 and q2.option_shares == {"c": 1.0, "d": 0.0}
    # the same attempts read as a whole quiz would count every missing question as a wrong answer
    _whole, (_q1, whole_q2, _q3) = item_analysis(questions, attempts)
    assert whole_q2.facility == pytest.approx(2 / 3)
    assert test.attempts == 3 and test.mean == pytest.approx(200 / 3)  # 100 %, 50 %, 50 %
    assert test.alpha is None and test.error_ratio is None and test.standard_error is None
