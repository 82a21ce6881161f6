"""/, /<lang>/, /<lang>/modules/<module>/, /<lang>/modules/<module>/<lesson>/."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .. import steps
from ..certificates.service import for_user
from ..clock import today
from ..db import db
from ..i18n import preferred_lang
from ..learning import service
from ..trainer.assignments import for_learner
from ..trainer.service import memberships_of
from .access import login_required
from .context import catalog, certificate_policy, flash_step, get_module_lesson, xapi_tracking
from .forms import EmptyForm

bp = Blueprint("learning", __name__)


def assignments_for(user_id: int):
    return for_learner(db.session, user_id, today())


def lesson_article(module, lesson, lang: str) -> Markup:
    """The lesson's article (text, objectives, key terms, sources), rendered once per process.

    It cannot go stale: it depends only on the catalog, which is immutable while the process
    runs (a content change means a restart, and a new module version in the key), and on the
    interface catalogue, also loaded once. Rendering it per view was most of a lesson page's cost.
    """
    articles = current_app.extensions.setdefault("lesson_articles", {})
    key = (module.id, module.version, lesson.id, lang)
    if key not in articles:
        articles[key] = Markup(render_template("learning/_lesson_article.html", module=module, lesson=lesson,
                                               text=lesson.text(lang), lang=lang))
    return articles[key]


@bp.route("/")
def root():
    return redirect(url_for("learning.home", lang=preferred_lang()))


@bp.route("/<lang:lang>/")
def home(lang):
    progress = resume = assigned = None
    if g.user is not None:
        progress = service.progress_by_module(db.session, g.user.id, catalog())
        resume = service.continue_point(db.session, g.user.id, catalog())
        assigned = assignments_for(g.user.id)
    return render_template("learning/home.html", modules=catalog().modules, progress=progress, resume=resume,
                           assignments=assigned, modules_by_id={m.id: m for m in catalog().modules})


@bp.route("/<lang:lang>/modules/<module_id>/")
def module(lang, module_id):
    module, _lesson = get_module_lesson(module_id)
    progress = None
    if g.user is not None:
        progress = service.progress_by_module(db.session, g.user.id, catalog())[module.id]
    return render_template("learning/module.html", module=module, progress=progress)


@bp.route("/<lang:lang>/modules/<module_id>/<lesson_id>/")
def lesson(lang, module_id, lesson_id):
    module, lesson = get_module_lesson(module_id, lesson_id)
    completed = False
    if g.user is not None:
        completed = service.record_visit(db.session, g.user.id, module, lesson.id)
    position = lesson.position
    previous = module.lessons[position - 1] if position > 0 else None
    following = module.lessons[position + 1] if position + 1 < len(module.lessons) else None
    return render_template("learning/lesson.html", module=module, lesson=lesson, text=lesson.text(lang),
                           article=lesson_article(module, lesson, lang),
                           previous=previous, following=following, completed=completed)


@bp.route("/<lang:lang>/modules/<module_id>/<lesson_id>/complete", methods=["POST"])
@login_required
def complete(lang, module_id, lesson_id):
    module, lesson = get_module_lesson(module_id, lesson_id)
    if EmptyForm().validate_on_submit():
        result = steps.finish_lesson(db.session, catalog(), g.user, module, lesson.id, certificate_policy(),
                                     xapi_tracking())
        flash(_("Lesson marked as complete."), "success")
        flash_step(result)
    position = lesson.position
    if position + 1 < len(module.lessons):
        return redirect(url_for("learning.lesson", module_id=module.id, lesson_id=module.lessons[position + 1].id))
    return redirect(url_for("learning.module", module_id=module.id))


@bp.route("/<lang:lang>/me/")
@login_required
def me(lang):
    """My learning: every module's status, last activity, best scores and certificates."""
    progress = service.progress_by_module(db.session, g.user.id, catalog())
    certificates = {c.module_id: c for c in for_user(db.session, g.user.id)}
    return render_template("learning/me.html", modules=catalog().modules, progress=progress,
                           certificates=certificates, groups=memberships_of(db.session, g.user.id),
                           form=EmptyForm(), assignments=assignments_for(g.user.id),
                           modules_by_id={m.id: m for m in catalog().modules})
