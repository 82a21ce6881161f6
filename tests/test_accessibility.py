"""Every page type, in Arabic and English, scanned with axe-core in headless Chromium: no
serious or critical violations (colour contrast included in Arabic), Arabic laid out right to
left and English left to right, and no request to any other host.

axe-core comes from npm (`npm ci`, node_modules/axe-core) and runs offline. JavaScript is on in
these browser contexts only so that axe can run; the pages themselves use none.
"""
from __future__ import annotations

import re
import shutil
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from browser import AXE, LANGS, PAGE_TYPES, ROOT, USERS, RequestLog, launch, live_server, missing, new_context, seed, \
    sign_in, unavailable
from conftest import PG_URL, base_config
from elearn import create_app
from elearn.db import db

pytestmark = pytest.mark.browser
SEVERE = ("serious", "critical")

# axe-core 4.7+ skips colour contrast on text it takes for icon ligatures, and joined Arabic
# letters look like ligatures to it, so Arabic text would never be checked. Match every visible
# element with a text node of its own instead (text inputs too).
AXE_CONFIGURE = """() => {
  const nonText = ['hidden', 'range', 'color', 'checkbox', 'radio', 'image'];
  axe.configure({rules: [{id: 'color-contrast', matches: function (node) {
    const tag = node.nodeName.toLowerCase();
    if (['input', 'select', 'textarea'].includes(tag)) return !nonText.includes(node.type) && !node.disabled;
    if (tag === 'option') return false;
    const ownText = Array.from(node.childNodes).some(c => c.nodeType === 3 && c.nodeValue.trim() !== '');
    return ownText && axe.commons.dom.isVisibleOnScreen(node);
  }}]});
}"""
AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
}"""
# Where the first heading's text starts and where the site name sits, to compare with the direction.
LAYOUT = """() => {
  const heading = document.querySelector('main h1');
  const range = document.createRange();
  range.selectNodeContents(heading);
  const text = range.getBoundingClientRect(), box = heading.getBoundingClientRect();
  const brand = document.querySelector('header .brand').getBoundingClientRect();
  return {direction: getComputedStyle(document.querySelector('main')).direction,
          headingDirection: getComputedStyle(heading).direction, textLeft: text.left - box.left, textRight: box.right - text.right,
          brandCentre: (brand.left + brand.right) / 2, width: document.documentElement.clientWidth};
}"""


class Site:
    def __init__(self, app, base, ids, contexts, log):
        self.app, self.base, self.ids, self.contexts, self.log = app, base, ids, contexts, log

    def open(self, page_type, lang):
        page = self.contexts[page_type.role].new_page()
        response = page.goto(page_type.url(self.base, lang, self.ids))
        assert response.status == page_type.status, f"{page.url}: {response.status}"
        return page


@pytest.fixture(scope="module")
def chromium():
    reason = missing(axe=True)
    if reason:
        unavailable(reason)
    with launch() as browser:
        yield browser


@contextmanager
def serve_seeded(browser, folder, template_db, **config):
    """A seeded app served on loopback, with a browser context per role (signed in), JavaScript on."""
    url = PG_URL or f"sqlite:///{folder / 'a11y.sqlite3'}"
    if not PG_URL:
        shutil.copy(template_db.removeprefix("sqlite:///"), folder / "a11y.sqlite3")
    app = create_app({**base_config(folder, url), **config})
    ids = seed(app)
    log = RequestLog()
    try:
        with live_server(app) as base:
            contexts = {}
            for role in (None, *USERS):
                contexts[role] = new_context(browser, log, java_script_enabled=True)
                if role:
                    sign_in(contexts[role], base, USERS[role])
            yield Site(app, base, ids, contexts, log)
            for context in contexts.values():
                context.close()
    finally:
        with app.app_context():
            if PG_URL:
                tables = ", ".join(t.name for t in db.metadata.sorted_tables)
                with db.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.remove()
            db.engine.dispose()


# Class-scoped: one seeded site at a time, since on PostgreSQL both use the same database.
@pytest.fixture(scope="class")
def site(chromium, tmp_path_factory, template_db):
    """The test content (tests/fixtures/content/valid), seeded so that every page type exists."""
    with serve_seeded(chromium, tmp_path_factory.mktemp("a11y"), template_db) as served:
        yield served


@pytest.fixture(scope="class")
def curriculum_site(chromium, tmp_path_factory, template_db):
    """The real curriculum (lessons/ and quizzes/ at the repository root)."""
    with serve_seeded(chromium, tmp_path_factory.mktemp("a11y-real"), template_db,
                      LESSONS_DIR=str(ROOT / "lessons"), QUIZZES_DIR=str(ROOT / "quizzes")) as served:
        yield served


def run_axe(page) -> list[dict]:
    # Evaluated over the DevTools protocol: a <script> tag would be (rightly) refused by the CSP.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    page.evaluate(AXE_CONFIGURE)
    return page.evaluate(AXE_RUN)


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n" + "\n".join(
        f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5]) for v in violations)


PAGES = [pytest.param(page_type, lang, id=f"{page_type.name}-{lang}") for page_type in PAGE_TYPES for lang in LANGS]


class TestPageTypes:
    """The test content, every page type in both languages."""

    @pytest.mark.parametrize("page_type, lang", PAGES)
    def test_page_has_no_serious_violations_and_follows_the_language_direction(self, site, page_type, lang):
        page = site.open(page_type, lang)
        try:
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
            severe = [v for v in run_axe(page) if v["impact"] in SEVERE]
            assert severe == [], describe(severe)
            layout = page.evaluate(LAYOUT)
        finally:
            page.close()
        # The site name sits at the start of the bar: on the right in Arabic, on the left in English.
        assert layout["direction"] == ("rtl" if lang == "ar" else "ltr"), layout
        assert (layout["brandCentre"] > layout["width"] / 2) == (lang == "ar"), layout
        # The heading's text starts at its start edge (a user-written name with dir=auto keeps its own).
        assert layout["textRight" if layout["headingDirection"] == "rtl" else "textLeft"] < 2, layout
        site.log.assert_local()

    def test_colour_contrast_is_checked_on_arabic_text(self, site):
        """The reconfigured rule catches pale Arabic text that axe's default matching skips."""
        page = site.open(PAGE_TYPES[0], "ar")
        try:
            page.evaluate("""() => {
              const p = document.createElement('p');
              p.id = 'pale';
              p.textContent = 'نص باهت يصعب على كثير من القراء تمييزه';
              p.style.color = '#c8c8c8';
              document.querySelector('main').prepend(p);
            }""")
            contrast = [v for v in run_axe(page) if v["id"] == "color-contrast"]
        finally:
            page.close()
        assert any(n["target"] == "#pale" for v in contrast for n in v["nodes"]), contrast

    def test_a_quiz_option_puts_its_control_at_the_start_of_the_line(self, site):
        """In Arabic the radio button sits to the right of its text; in English to the left."""
        question = next(p for p in PAGE_TYPES if p.name == "quiz-question")
        for lang in LANGS:
            page = site.open(question, lang)
            try:
                control = page.locator(".option input").first.bounding_box()
                label = page.locator(".option span").first.bounding_box()
            finally:
                page.close()
            if lang == "ar":
                assert control["x"] > label["x"] + label["width"] - 1
            else:
                assert control["x"] + control["width"] < label["x"] + 1


class TestCurriculum:
    def test_every_curriculum_module_and_lesson_page_has_no_serious_violations(self, curriculum_site):
        """The real lessons carry markup the test content does not (tables, quotes, long links)."""
        catalog = curriculum_site.app.extensions["catalog"]
        paths = [f"/modules/{m.id}/" for m in catalog.modules]
        paths += [f"/modules/{m.id}/{lesson.id}/" for m in catalog.modules for lesson in m.lessons]
        failures = []
        page = curriculum_site.contexts["learner"].new_page()
        for path in paths:
            for lang in LANGS:
                assert page.goto(f"{curriculum_site.base}/{lang}{path}").status == 200
                severe = [v for v in run_axe(page) if v["impact"] in SEVERE]
                failures += [f"/{lang}{path}: {describe(severe)}"] if severe else []
        page.close()
        assert failures == [], "\n".join(failures)
        curriculum_site.log.assert_local()


def test_no_page_type_is_left_out_of_the_scan(app):
    """Every page a browser can GET is in PAGE_TYPES, or listed here with the reason it is not."""
    not_pages = {
        "static": "files, not pages",
        "healthz": "JSON for load balancers",
        "learning.root": "redirects to /<lang>/",
        "verify_redirect": "redirects to /<lang>/verify/<code>",
        "badges.issuer": "JSON-LD for credential verifiers",
        "badges.key": "JSON-LD for credential verifiers",
        "badges.status_list": "JSON-LD for credential verifiers",
        "badges.achievement": "redirects to the module's page",
        "credentials.download": "a JSON file (the learner's Open Badges credential)",
        "auth.my_data_json": "a JSON file (everything held about the person)",
        "offline.worker": "the service worker's script",
        "offline.manifest": "the web app manifest (JSON)",
    }
    scanned = {page_type.path for page_type in PAGE_TYPES}
    missing_pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in not_pages or rule.rule.endswith((".csv", ".pdf")):
            continue
        path = rule.rule.replace("<lang:lang>", "{lang}")
        if not any(_same_shape(path, s) for s in scanned):
            missing_pages.append(f"{rule.endpoint} {rule.rule}")
    assert missing_pages == [], "add these to PAGE_TYPES in tests/browser.py: " + ", ".join(missing_pages)


def _same_shape(rule: str, path: str) -> bool:
    """Whether a URL rule (with <converters>) and a PAGE_TYPES path (with {ids}) name the same page."""
    def shape(p):
        return re.sub(r"<[^>]+>|\{(?!lang\})[^}]+\}", "*", p)

    return shape(rule) == shape(path)
