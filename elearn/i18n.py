"""Two languages, chosen by the URL prefix (`/ar/...`, `/en/...`).

Locale precedence, for pages without a prefix (`/`, errors outside a language):
1. the language in the URL, when the URL has one;
2. the signed-in learner's saved choice;
3. the browser's `Accept-Language`;
4. Arabic.
"""
from __future__ import annotations

import io
import os
from functools import cached_property

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, g, request, url_for
from flask_babel import Babel, Domain, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.routing import AnyConverter

from . import dates

LANGUAGES = ("ar", "en")
DEFAULT = "ar"
RTL = {"ar"}
NAMES = {"ar": "العربية", "en": "English"}


class PoDomain(Domain):
    """Reads `.po` catalogues directly, compiling them in memory once per process.

    Flask-Babel needs compiled `.mo` files and silently falls back to English without them;
    compiling in memory means a fresh clone works with no build step and no stale `.mo`.
    """

    def get_translations(self):
        locale = str(get_locale() or DEFAULT)
        try:
            return self.cache[locale]
        except KeyError:
            self.cache[locale] = _compile(self.translation_directories, locale)
            return self.cache[locale]


def _compile(directories, locale: str) -> Translations:
    for folder in directories:
        path = os.path.join(folder, locale, "LC_MESSAGES", "messages.po")
        if os.path.exists(path):
            with open(path, "rb") as f:
                catalog = read_po(f, locale=locale)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            return Translations(fp=buffer)
    return Translations()


class ElearnBabel(Babel):
    @cached_property
    def domain_instance(self):
        return PoDomain(domain=self.domain)


babel = ElearnBabel()


def current_lang() -> str:
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    return preferred_lang()


def preferred_lang() -> str:
    """The language for a page whose URL names none (see the module docstring)."""
    first = request.path.strip("/").split("/", 1)[0]
    if first in LANGUAGES:
        return first
    user = g.get("user")
    if user is not None and user.locale in LANGUAGES:
        return user.locale
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def text_dir(lang: str | None = None) -> str:
    return "rtl" if (lang or current_lang()) in RTL else "ltr"


def render_lang() -> str:
    """The language of the text being rendered: the page's, or the one an e-mail is forced to."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else current_lang()


def date_filter(value, style: str | None = None) -> str:
    """`{{ day|dateformat('medium') }}` through elearn.dates in the language rendered ('short' and
    'medium' give "30 Nov 2026", 'long' "30 November 2026"; Arabic has one form)."""
    return "" if value is None else dates.format_date(value, render_lang(), dates.is_short(style))


def datetime_filter(value, style: str | None = None) -> str:
    return "" if value is None else dates.format_datetime(value, render_lang(), dates.is_short(style))


def time_filter(value, style: str | None = None) -> str:
    return "" if value is None else dates.format_time(value)


def partial_date_filter(value) -> str:
    """`{{ source.date|partialdate }}`: a date given as a year, a month or a day, as precise as given."""
    return "" if value is None else dates.format_partial(value, render_lang())


def switch_url(lang: str) -> str:
    """This page in another language: same endpoint and arguments, and the query parameters the
    page declared it reads (web.keeps_query), none on a page that carries a secret: a page never
    echoes a parameter it does not know (with a secret beside it, that would leak it: BREACH)."""
    args = dict(request.view_args or {})
    if request.endpoint and "lang" in args:
        if not g.get("carries_secrets"):
            kept = g.get("kept_query", ())
            args.update((k, v) for k, v in request.args.items() if k in kept)
        args["lang"] = lang
        return url_for(request.endpoint, **args)
    return url_for("learning.home", lang=lang)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", app.config["TRANSLATIONS_DIR"])
    babel.init_app(app, default_locale=DEFAULT, locale_selector=current_lang)
    # Flask-Babel's date filters (CLDR patterns with bidi marks, numeric dates) replaced by
    # elearn.dates, so every template, e-mails included, writes dates one way.
    app.jinja_env.filters.update(dateformat=date_filter, datetimeformat=datetime_filter, timeformat=time_filter,
                                 partialdate=partial_date_filter)
    app.url_map.converters["lang"] = LangConverter
    app.jinja_env.globals.update(
        current_lang=current_lang, text_dir=text_dir, switch_url=switch_url,
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=NAMES,
    )
    app.context_processor(catalogue_callables)

    @app.url_value_preprocessor
    def _pull_lang(endpoint, values):
        if values and "lang" in values:
            g.lang = values["lang"]

    @app.url_defaults
    def _add_lang(endpoint, values):
        if "lang" not in values and g.get("lang") and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.lang


def catalogue_callables() -> dict:
    """`gettext` and `ngettext` for one render, bound to the catalogue of the page's language.

    Flask-Babel's own template callables find the locale and the catalogue again on every
    string (about 30 on a lesson page, a quarter of its rendering time). Looked up once per
    render, they cannot go stale: a render (an e-mail under force_locale included) has one locale.
    They behave as Jinja's "newstyle" gettext: autoescaped, `%(name)s` placeholders, `num` set.
    """
    translations = get_translations()

    @pass_context
    def gettext(context, string, **variables):
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext}


class LangConverter(AnyConverter):
    """`<lang:lang>` matches only the supported languages; anything else is a 404."""

    def __init__(self, url_map):
        super().__init__(url_map, *LANGUAGES)
