"""Item analysis of a quiz's graded attempts, after Moodle's quiz statistics; pure functions.

Input: the quiz's questions as ``(question_id, [option ids])`` and its graded attempts, each a
mapping ``{question_id: (points, chosen_option_ids)}`` with points in [0, 1] (every question is
worth M = 1 point). A question missing from an attempt counts as 0 points and unanswered.

Notation: s attempts, p questions; x = points on one question, X = total points of the attempt,
rest = X - x (the attempt's mark on the rest of the test).

- facility index F = mean(x) / M;
- discrimination index = 100 * cov(x, rest) / sqrt(var(x) * var(rest)), i.e. the correlation
  of the question with the rest of the test;
- discriminative efficiency = 100 * cov(x, rest) / cov_max, cov_max being cov(x, rest) with x
  and rest each sorted ascending, i.e. the largest covariance these marks could reach;
- Cronbach's alpha = 100 * p / (p - 1) * (1 - sum(var(x_i)) / var(X));
- error ratio = 100 * sqrt(1 - alpha / 100); standard error = error ratio * SD / 100, in
  percentage points of the total, like SD.

Every variance, covariance and SD is the *sample* one (divisor s - 1), so all of them are
undefined (None) below 2 attempts. Anything else undefined (no attempts, a variance of zero) is
None too, never an exception. A variance within ``ZERO_VARIANCE`` of 0 counts as 0, because
float sums of equal marks such as 0.1 + 0.2 need not come out exactly equal.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Hashable, Iterable, Mapping, Sequence

MOST_MISSED_FACILITY = 0.35  # "most missed": facility index below this
POOR_DISCRIMINATION = 20.0  # "poor discrimination": discrimination index below this ...
MIN_ATTEMPTS_FOR_DISCRIMINATION_FLAG = 5  # ... once there are at least this many attempts
ZERO_VARIANCE = 1e-12

QuestionId = Hashable
OptionId = Hashable
Attempt = Mapping[QuestionId, tuple[float, Sequence[OptionId]]]


@dataclass(frozen=True)
class QuestionStats:
    """Statistics of one question; None where undefined (see the module docstring)."""

    question_id: QuestionId
    attempts: int
    facility: float | None  # 0..1
    sd: float | None  # 0..1, sample SD of the points
    discrimination: float | None  # -100..100
    efficiency: float | None  # -100..100
    option_shares: dict[OptionId, float | None]  # share 0..1 of attempts choosing each option
    unanswered_share: float | None  # share 0..1 of attempts choosing no option
    most_missed: bool
    poor_discrimination: bool


@dataclass(frozen=True)
class TestStats:
    """Statistics of the whole test; mean, median, SD and standard error in percent (0..100)."""

    __test__ = False  # not a pytest test class, despite its name

    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None  # at most 100; may be negative for an inconsistent test
    error_ratio: float | None  # 0..100
    standard_error: float | None


def _mean(xs: Sequence[float]) -> float | None:
    return statistics.fmean(xs) if xs else None


def covariance(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Sample covariance (divisor n - 1); None below 2 values.

    Own two-pass fsum version: statistics.variance works in exact fractions, far too slow here.
    """
    n = len(xs)
    if n < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (n - 1)


def variance(xs: Sequence[float]) -> float | None:
    """Sample variance (divisor n - 1); None below 2 values."""
    return covariance(xs, xs)


def _is_zero(value: float | None) -> bool:
    return value is None or abs(value) <= ZERO_VARIANCE


def standard_deviation(xs: Sequence[float]) -> float | None:
    """Sample standard deviation; None below 2 values."""
    var = variance(xs)
    return None if var is None else math.sqrt(max(var, 0.0))


def discrimination_index(x: Sequence[float], rest: Sequence[float]) -> float | None:
    """100 x the correlation of x with rest; None if either does not vary (or < 2 attempts)."""
    var_x, var_rest = variance(x), variance(rest)
    if _is_zero(var_x) or _is_zero(var_rest):
        return None
    return 100 * covariance(x, rest) / math.sqrt(var_x * var_rest)


def discriminative_efficiency(x: Sequence[float], rest: Sequence[float]) -> float | None:
    """100 x cov(x, rest) / cov(sorted x, sorted rest); None when that maximum is 0."""
    cov_max = covariance(sorted(x), sorted(rest))
    if _is_zero(cov_max):
        return None
    return 100 * covariance(x, rest) / cov_max


def option_shares(
    options: Sequence[OptionId], chosen: Sequence[Sequence[OptionId]]
) -> tuple[dict[OptionId, float | None], float | None]:
    """Share of attempts choosing each option, and share choosing none; None if no attempts.

    An attempt choosing several options counts for each of them (multiple answer), and once
    for an option listed twice. Options not in ``options`` (say, removed since) are not
    reported, but choosing one still means the question was answered.
    """
    s = len(chosen)
    if s == 0:
        return dict.fromkeys(options), None
    counts = dict.fromkeys(options, 0)
    for picked in chosen:
        for option in set(picked) & counts.keys():
            counts[option] += 1
    unanswered = sum(1 for picked in chosen if not picked)
    return {option: n / s for option, n in counts.items()}, unanswered / s


def cronbach_alpha(columns: Sequence[Sequence[float]], totals: Sequence[float]) -> float | None:
    """Cronbach's alpha in percent from per-question points and totals.

    None with fewer than 2 questions or 2 attempts, or when the totals do not vary.
    """
    p = len(columns)
    var_total = variance(totals)
    if p < 2 or _is_zero(var_total):
        return None
    item_variances = math.fsum(variance(column) for column in columns)
    return 100 * p / (p - 1) * (1 - item_variances / var_total)


def error_ratio(alpha: float | None) -> float | None:
    """100 x sqrt(1 - alpha / 100), with alpha clamped to 0..100 first; None without alpha.

    Alpha estimates the reliable share of the variance: a negative estimate means no
    reliability, so it gives 100 (all error) rather than a ratio above 100 that means nothing;
    the clamp at 100 only absorbs float rounding (alpha cannot exceed 100).
    """
    if alpha is None:
        return None
    return 100 * math.sqrt(1 - min(max(alpha, 0.0), 100.0) / 100)


def _columns(
    question_ids: Sequence[QuestionId], attempts: Sequence[Attempt]
) -> tuple[list[list[float]], list[list[Sequence[OptionId]]]]:
    """Points and chosen options per question (one list per question, one entry per attempt)."""
    points = [[] for _ in question_ids]
    chosen = [[] for _ in question_ids]
    for attempt in attempts:
        for i, qid in enumerate(question_ids):
            x, picked = attempt.get(qid, (0.0, ()))
            if not 0 <= x <= 1:  # also rejects NaN
                raise ValueError(f"points for question {qid!r} not in [0, 1]: {x!r}")
            points[i].append(float(x))
            chosen[i].append(picked)
    return points, chosen


def _question_stats(
    qid: QuestionId,
    options: Sequence[OptionId],
    x: list[float],
    totals: list[float],
    chosen: list[Sequence[OptionId]],
) -> QuestionStats:
    rest = [total - xi for total, xi in zip(totals, x)]
    facility = _mean(x)  # M = 1, so no division
    discrimination = discrimination_index(x, rest)
    shares, unanswered = option_shares(options, chosen)
    return QuestionStats(
        question_id=qid,
        attempts=len(x),
        facility=facility,
        sd=standard_deviation(x),
        discrimination=discrimination,
        efficiency=discriminative_efficiency(x, rest),
        option_shares=shares,
        unanswered_share=unanswered,
        most_missed=facility is not None and facility < MOST_MISSED_FACILITY,
        # an item nobody or everybody gets right has no index (None) and is not flagged here
        poor_discrimination=len(x) >= MIN_ATTEMPTS_FOR_DISCRIMINATION_FLAG
        and discrimination is not None
        and discrimination < POOR_DISCRIMINATION,
    )


def _test_stats(columns: list[list[float]], totals: list[float]) -> TestStats:
    p = len(columns)
    percents = [100 * total / p for total in totals] if p else []
    sd = standard_deviation(percents)
    alpha = cronbach_alpha(columns, totals)
    ratio = error_ratio(alpha)
    return TestStats(
        attempts=len(totals),
        mean=_mean(percents),
        median=statistics.median(percents) if percents else None,
        sd=sd,
        alpha=alpha,
        error_ratio=ratio,
        standard_error=None if ratio is None or sd is None else ratio * sd / 100,
    )


def item_analysis(
    questions: Iterable[tuple[QuestionId, Sequence[OptionId]]],
    attempts: Iterable[Attempt],
) -> tuple[TestStats, list[QuestionStats]]:
    """Whole-test statistics and per-question statistics (in the order of ``questions``).

    Questions in an attempt but not in ``questions`` are ignored. Raises ValueError for
    points outside [0, 1] or a question listed twice.
    """
    questions = [(qid, list(dict.fromkeys(options))) for qid, options in questions]
    question_ids = [qid for qid, _ in questions]
    if len(set(question_ids)) != len(question_ids):
        raise ValueError("a question is listed twice")
    attempts = list(attempts)
    columns, chosen = _columns(question_ids, attempts)
    # zip(*columns) yields nothing without questions, yet every attempt still counts
    totals = [math.fsum(row) for row in zip(*columns)] if columns else [0.0] * len(attempts)
    per_question = [
        _question_stats(qid, options, columns[i], totals, chosen[i])
        for i, (qid, options) in enumerate(questions)
    ]
    return _test_stats(columns, totals), per_question


def drawn_item_analysis(
    questions: Iterable[tuple[QuestionId, Sequence[OptionId]]],
    attempts: Iterable[Attempt],
) -> tuple[TestStats, list[QuestionStats]]:
    """Item analysis of a quiz whose attempts each ask their own selection (a final drawn from
    the module's bank): an attempt holds only the questions it asked. A question's figures come
    from the attempts that asked it (one not asked is not a wrong answer), its discrimination
    against those attempts' totals of the others. Cronbach's alpha needs every attempt to answer
    the same questions, so the whole test gets no alpha, error ratio or standard error."""
    attempts = [a for a in attempts if a]
    totals = [math.fsum(x for x, _picked in attempt.values()) for attempt in attempts]
    per_question = []
    for qid, options in questions:
        asked = [(attempt, total) for attempt, total in zip(attempts, totals) if qid in attempt]
        columns, chosen = _columns([qid], [attempt for attempt, _total in asked])
        per_question.append(_question_stats(qid, list(dict.fromkeys(options)), columns[0],
                                            [total for _attempt, total in asked], chosen[0]))
    percents = [100 * total / len(attempt) for attempt, total in zip(attempts, totals)]
    test = TestStats(attempts=len(attempts), mean=_mean(percents),
                     median=statistics.median(percents) if percents else None, sd=standard_deviation(percents),
                     alpha=None, error_ratio=None, standard_error=None)
    return test, per_question


@dataclass(frozen=True)
class Missed:
    """A question most people miss, for the plain-language summary above the figures."""

    position: int  # 1-based, in the quiz's order
    question_id: QuestionId
    facility: float  # 0..1
    wrong_option: OptionId | None  # the wrong option chosen most often, if any was chosen
    wrong_share: float | None  # 0..1 of attempts choosing it


def most_missed(questions: Sequence[tuple[QuestionId, Iterable[OptionId]]],
                stats: Sequence[QuestionStats]) -> list[Missed]:
    """The questions flagged as most missed, hardest first, each with the wrong answer most
    attempts chose. `questions` are (question id, right option ids), in the order of `stats`."""
    missed = []
    for position, ((qid, right), s) in enumerate(zip(questions, stats), start=1):
        if not s.most_missed:
            continue
        wrong = {o: share for o, share in s.option_shares.items() if o not in set(right) and share}
        top = max(wrong, key=wrong.get) if wrong else None
        missed.append(Missed(position, qid, s.facility, top, wrong.get(top) if top is not None else None))
    return sorted(missed, key=lambda m: (m.facility, m.position))
