"""Refresher pages: intro and start, then the quiz engine's question pages, then the result."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, url_for

from ..db import db
from ..quiz import service as quiz_service
from ..refresher import service
from .access import login_required
from .context import catalog, get_module_lesson
from .forms import EmptyForm
from .quiz import attempts_state, get_attempt, result_view, score_shown

bp = Blueprint("refresher", __name__, url_prefix="/<lang:lang>")


def renewal_notices() -> list:
    """For templates: the signed-in person's certificates due soon or expired (empty when signed out)."""
    if g.get("user") is None:
        return []
    return service.needing_renewal(db.session, catalog(), g.user.id, current_app.config["CERTIFICATE_DUE_SOON_DAYS"])


def get_refresher(module_id: str):
    module, _lesson = get_module_lesson(module_id)
    quiz = service.refresher_quiz(module)
    if quiz is None:
        abort(404)
    return module, quiz


@bp.route("/modules/<module_id>/refresher/")
def intro(lang, module_id):
    module, quiz = get_refresher(module_id)
    certificate = service.renewable_certificate(db.session, g.user.id, module) if g.user else None
    graded, current, blocked = attempts_state(module, quiz)  # a refresher has no attempt limit
    size = min(current_app.config["REFRESHER_QUESTIONS"], len(quiz.questions))
    return render_template("refresher/intro.html", module=module, quiz=quiz, certificate=certificate, size=size,
                           graded=graded, current=current, blocked=blocked, show_score=score_shown(quiz, graded),
                           form=EmptyForm())


@bp.route("/modules/<module_id>/refresher/start", methods=["POST"])
@login_required
def start(lang, module_id):
    module, _quiz = get_refresher(module_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if service.renewable_certificate(db.session, g.user.id, module) is None:
        return redirect(url_for("refresher.intro", module_id=module.id))
    try:
        attempt = service.start(db.session, g.user.id, module, current_app.config["REFRESHER_QUESTIONS"])
    except quiz_service.QuizUnavailable:
        return redirect(url_for("refresher.intro", module_id=module.id))
    return redirect(url_for("quiz.question", attempt_id=attempt.id, number=quiz_service.first_unanswered(attempt)))


@bp.route("/refresher/attempts/<int:attempt_id>/")
@login_required
def result(lang, attempt_id):
    attempt, module, quiz = get_attempt(attempt_id)
    if attempt.quiz_id != service.REFRESHER_ID:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    if attempt.is_open:
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    lessons, whole_module = service.lessons_to_review(module, attempt.question_points or {})
    show, items = result_view(module, quiz, attempt)
    return render_template("refresher/result.html", module=module, quiz=quiz, attempt=attempt, show=show,
                           items=items, renewed=service.renewal_from(db.session, attempt),
                           lessons=lessons, whole_module=whole_module)
