"""Quiz pages: intro, one question per page (saved on every step, no JavaScript needed),
review, submit, result."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import dates, steps
from ..certificates import service as certificates
from ..db import db
from ..i18n import current_lang
from ..quiz import review as reviews, service
from ..quiz.models import QuizAttempt
from ..refresher.service import REFRESHER_ID, lessons_to_review, quiz_for
from .access import login_required
from .context import catalog, certificate_policy, flash_step, get_module_lesson, xapi_tracking
from .forms import EmptyForm

bp = Blueprint("quiz", __name__, url_prefix="/<lang:lang>")


def option_label(option, lang: str) -> str:
    """An option's text; true/false options have none and read "True" or "False"."""
    if option.text is not None:
        return option.text.get(lang)
    return _("True") if option.id == "true" else _("False")


def get_quiz(module_id: str, quiz_id: str):
    module, _lesson = get_module_lesson(module_id)
    quiz = module.quizzes.get(quiz_id)
    if quiz is None:
        abort(404)
    return module, quiz


def get_attempt(attempt_id: int):
    """The signed-in learner's own attempt with its module and quiz, or 404 (never reveal
    someone else's)."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    module = catalog().module(attempt.module_id) if attempt is not None else None
    quiz = quiz_for(module, attempt.quiz_id) if module is not None else None
    if quiz is None or attempt.user_id != g.user.id:
        abort(404)
    return attempt, module, quiz


def attempts_state(module, quiz):
    """For the signed-in learner (if any): their graded attempts, their open attempt, and why they
    cannot start another one now (None when they can)."""
    if g.user is None:
        return [], None, None
    graded, current, reason = service.availability(db.session, g.user.id, module.id, quiz)
    return graded, current, blocked_message(quiz, reason)


def blocked_message(quiz, reason) -> str | None:
    """Why the learner cannot start another attempt now, in words (None when they can)."""
    if isinstance(reason, service.DailyLimit):
        return _("You have used today’s %(n)s attempts at this quiz. You can try again after %(time)s.",
                 n=quiz.max_per_day, time=_utc(reason.until))
    if isinstance(reason, service.MustWait):
        return _("You can try again after %(time)s.", time=_utc(reason.until))
    if isinstance(reason, service.NoAttemptsLeft):
        return _("You have used all %(n)s attempts at this quiz.", n=quiz.max_attempts)
    if reason is not None:
        return _("You cannot start a new attempt now. Try again later.")
    return None


def _utc(moment) -> str:
    """A moment as the learner reads it, saying it is UTC (the app's only clock)."""
    return _("%(datetime)s (UTC)", datetime=dates.format_datetime(moment, current_lang(), short=True))


@bp.route("/modules/<module_id>/quizzes/<quiz_id>/")
def quiz(lang, module_id, quiz_id):
    module, quiz = get_quiz(module_id, quiz_id)
    graded, current, blocked = attempts_state(module, quiz)
    return render_template("quiz/quiz.html", module=module, quiz=quiz, graded=graded, current=current,
                           blocked=blocked, show_score=score_shown(quiz, graded), form=EmptyForm())


def score_shown(quiz, graded) -> bool:
    """Whether the quiz's review options show the scores of these attempts now."""
    return reviews.shown(quiz.review, *service.review_state(quiz, graded)).score


@bp.route("/modules/<module_id>/quizzes/<quiz_id>/start", methods=["POST"])
@login_required
def start(lang, module_id, quiz_id):
    module, quiz = get_quiz(module_id, quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt = service.start_attempt(db.session, g.user.id, module, quiz)
    except service.QuizUnavailable:
        return redirect(url_for("quiz.quiz", module_id=module.id, quiz_id=quiz.id))
    return redirect(url_for("quiz.question", attempt_id=attempt.id, number=service.first_unanswered(attempt)))


@bp.route("/attempts/<int:attempt_id>/<int:number>", methods=["GET", "POST"])
@login_required
def question(lang, attempt_id, number):
    attempt, module, quiz = get_attempt(attempt_id)
    if not attempt.is_open:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    shown = service.attempt_questions(quiz, attempt)
    if not 1 <= number <= len(shown):
        abort(404)
    question, options = shown[number - 1]
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        service.save_answer(db.session, attempt, question.id, request.form.getlist("answer"))
        target = request.form.get("go", "next")
        if target == "prev" and number > 1:
            return redirect(url_for("quiz.question", attempt_id=attempt.id, number=number - 1))
        if target == "next" and number < len(shown):
            return redirect(url_for("quiz.question", attempt_id=attempt.id, number=number + 1))
        # isdecimal, not isdigit: int() cannot read "²"; and a bounded length, as it reads at most 4300 digits.
        if target.isdecimal() and len(target) < 6 and 1 <= int(target) <= len(shown):
            return redirect(url_for("quiz.question", attempt_id=attempt.id, number=int(target)))
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    return render_template("quiz/question.html", module=module, quiz=quiz,
                           attempt=attempt, question=question, options=options, number=number,
                           count=len(shown), chosen=set((attempt.answers or {}).get(question.id, [])),
                           shown=shown, form=form)


@bp.route("/attempts/<int:attempt_id>/review")
@login_required
def review(lang, attempt_id):
    attempt, module, quiz = get_attempt(attempt_id)
    if not attempt.is_open:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    return render_template("quiz/review.html", module=module, quiz=quiz, attempt=attempt,
                           shown=service.attempt_questions(quiz, attempt), form=EmptyForm())


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(lang, attempt_id):
    attempt, module, quiz = get_attempt(attempt_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    is_refresher = attempt.quiz_id == REFRESHER_ID
    result = steps.finish_attempt(db.session, catalog(), g.user, attempt, certificate_policy(), xapi_tracking())
    if result.refused:
        flash(_("This attempt was not marked: the quiz’s rules did not allow it (another attempt was "
                "submitted meanwhile, or the rules changed). Your other attempts are unchanged."), "error")
        if is_refresher:
            return redirect(url_for("refresher.intro", module_id=module.id))
        return redirect(url_for("quiz.quiz", module_id=module.id, quiz_id=quiz.id))
    if is_refresher:  # its result page tells about the renewal
        return redirect(url_for("refresher.result", attempt_id=attempt.id))
    flash_step(result)
    return redirect(url_for("quiz.result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(lang, attempt_id):
    attempt, module, quiz = get_attempt(attempt_id)
    if attempt.is_open:
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    if attempt.quiz_id == REFRESHER_ID:
        return redirect(url_for("refresher.result", attempt_id=attempt.id))
    show, items = result_view(module, quiz, attempt)
    certificate = certificates.for_user_module(db.session, g.user.id, module.id)
    lessons, whole_module = lessons_to_review(module, attempt.question_points or {})
    # After a failed attempt the page leads to the next one: "Try again", the open attempt, or when.
    _graded, current, blocked = attempts_state(module, quiz) if not attempt.passed else ([], None, None)
    return render_template("quiz/result.html", module=module, quiz=quiz, attempt=attempt, items=items,
                           show=show, certificate=certificate, next_lesson=_next_after(module, quiz),
                           lessons=lessons if quiz.lesson_id is None else None, whole_module=whole_module,
                           current=current, blocked=blocked, form=EmptyForm())


def result_view(module, quiz, attempt):
    """What the result page of a graded attempt shows now (the quiz's review options at the
    learner's standing), and its questions as shown (elearn.quiz.review)."""
    graded = service.graded_attempts(db.session, attempt.user_id, module.id, quiz.id)
    show = reviews.shown(quiz.review, *service.review_state(quiz, graded))
    return show, reviews.items(service.attempt_questions(quiz, attempt), attempt.answers or {},
                              attempt.question_points or {}, show)


def _next_after(module, quiz):
    """The lesson after a check quiz's lesson (None after the last, or for the final quiz)."""
    if quiz.lesson_id is None:
        return None
    lesson = module.lesson(quiz.lesson_id)
    return module.lessons[lesson.position + 1] if lesson.position + 1 < len(module.lessons) else None
