"""Every page type on a phone (390 px) and a laptop (1280 px), in Arabic and English, in headless
Chromium (issue 15): the page never scrolls sideways (a wide table becomes labelled cards or
scrolls inside its own box), and on the phone every button, form control and navigation link is a
tap target at least 44 px tall.

Seeded as the accessibility scan seeds (tests/browser.py), with the same page list, on the real
curriculum: its long module titles and sources are what a narrow screen has to hold.
"""
from __future__ import annotations

import pytest

from browser import LANGS, PAGE_TYPES, ROOT, launch, missing, unavailable
from test_accessibility import serve_seeded

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = (390, 1280)
TAP = 44

# The document's width against the viewport's, and what sticks out (to say what to fix).
OVERFLOW = """() => {
  const doc = document.documentElement, width = doc.clientWidth;
  const out = [...document.querySelectorAll('body *')].filter(e => {
    if (e.closest('.skip, .visually-hidden')) return false;
    const box = e.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1) && !e.parentElement.closest('.scroll');
  });
  return {scrollWidth: doc.scrollWidth, clientWidth: width,
          culprits: out.slice(0, 6).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '')
                                             + ' ' + Math.round(e.getBoundingClientRect().width) + 'px')};
}"""
# Controls someone taps: buttons, inputs, selects, quiz options, the site's navigation links and
# links styled as buttons. Links inside running text are exempt (WCAG 2.5.5's inline exception).
SMALL_TARGETS = """(tap) => {
  const targets = document.querySelectorAll(
    'button, .button, select, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), .option, ' +
    'header.site a, header.site button, nav.crumbs a, .pager a, .qlink, summary, td > a:only-child, .actions a');
  return [...targets].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.height < tap - 0.5 && !e.closest('.skip, .visually-hidden');
  }).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '')
              + ' "' + (e.textContent || e.value || '').trim().slice(0, 30) + '" ' + Math.round(e.getBoundingClientRect().height) + 'px');
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_db):
    reason = missing()
    if reason:
        unavailable(reason)
    with launch() as browser:
        with serve_seeded(browser, tmp_path_factory.mktemp("layout"), template_db,
                          LESSONS_DIR=str(ROOT / "lessons"), QUIZZES_DIR=str(ROOT / "quizzes")) as served:
            yield served


def open_at(site, page_type, lang: str, width: int):
    page = site.contexts[page_type.role].new_page()
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    response = page.goto(page_type.url(site.base, lang, site.ids))
    assert response.status == page_type.status, f"{page.url}: {response.status}"
    return page


PAGES = [pytest.param(page_type, lang, width, id=f"{page_type.name}-{lang}-{width}")
         for page_type in PAGE_TYPES for lang in LANGS for width in WIDTHS]


@pytest.mark.parametrize("page_type, lang, width", PAGES)
def test_no_page_scrolls_sideways(site, page_type, lang, width):
    page = open_at(site, page_type, lang, width)
    try:
        found = page.evaluate(OVERFLOW)
    finally:
        page.close()
    print(f"{page_type.name} {lang} {width}: document {found['scrollWidth']} px in {found['clientWidth']} px")
    assert found["scrollWidth"] <= found["clientWidth"], found


@pytest.mark.parametrize("page_type, lang", [pytest.param(p, lang, id=f"{p.name}-{lang}") for p in PAGE_TYPES
                                             for lang in LANGS])
def test_tap_targets_on_a_phone_are_44_px(site, page_type, lang):
    page = open_at(site, page_type, lang, 390)
    try:
        small = page.evaluate(SMALL_TARGETS, TAP)
    finally:
        page.close()
    assert small == []


def test_the_check_finds_a_page_that_scrolls_sideways(site):
    """A wide element added to a page makes the check fail: it can fail."""
    page = open_at(site, PAGE_TYPES[0], "ar", 390)
    try:
        page.evaluate("() => { const d = document.createElement('div'); d.style.inlineSize = '600px';"
                      " d.textContent = 'wide'; document.querySelector('main').append(d); }")
        found = page.evaluate(OVERFLOW)
    finally:
        page.close()
    assert found["scrollWidth"] > found["clientWidth"] and any(c.startswith("div") for c in found["culprits"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_quiz_button_stays_in_reach_on_a_phone(site, lang):
    """On a short phone screen the question and its options push the Save button below the
    fold; it sticks to the bottom of the screen instead."""
    question = next(p for p in PAGE_TYPES if p.name == "quiz-question")
    page = site.contexts[question.role].new_page()
    page.set_viewport_size({"width": 390, "height": 420})
    try:
        page.goto(question.url(site.base, lang, site.ids))
        found = page.evaluate("""() => ({
          form: document.querySelector('#answer-form').getBoundingClientRect().bottom,
          button: document.querySelector('#answer-form .actions .button:last-child').getBoundingClientRect().bottom,
          height: window.innerHeight})""")
    finally:
        page.close()
    assert found["form"] > found["height"], found  # the form runs below the fold ...
    assert found["button"] <= found["height"], found  # ... and the button is still on screen


@pytest.mark.parametrize("page_type, lang", [pytest.param(p, lang, id=f"{p.name}-{lang}") for p in PAGE_TYPES
                                             for lang in LANGS])
def test_tables_stay_tables_on_a_laptop(site, page_type, lang):
    """The phone's cards are for phones: at 1280 px every table lays out as a table (a rule meant
    for the home page's cards once turned the report's tables into a grid of loose cells)."""
    page = open_at(site, page_type, lang, 1280)
    try:
        shown = page.evaluate("""() => [...document.querySelectorAll('table')].map(t =>
          (t.className || 'table') + ': ' + getComputedStyle(t).display)""")
    finally:
        page.close()
    assert [s for s in shown if not s.endswith(": table")] == []
