"""After a quiz (issue 15): a failed attempt leads to the next one ("Try again", the open attempt,
or when the rules allow it, in words and the one date style); a passed one to the next lesson."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from elearn.quiz import service
from quizhelpers import attempt_id, take

TRY_FORM = re.compile(r'<form method="post" action="/(en|ar)/modules/sample/quizzes/(\S+)/start" class="inline">')


def result_page(client, location: str, lang: str = "en") -> str:
    return client.get(f"/{lang}/attempts/{attempt_id(location)}/result").get_data(as_text=True)


def actions(html: str) -> str:
    return re.search(r'<div class="actions next-steps">(.*?)</div>', html, re.S).group(1)


@pytest.mark.parametrize("lang, again", [("en", "Try again"), ("ar", "حاول مرة أخرى")])
def test_a_failed_check_leads_to_another_attempt_before_the_next_lesson(app, client, login, lang, again):
    login("rami", client)
    result = result_page(client, take(app, client, "check-first-lesson", answers={}, lang=lang), lang)
    block = actions(result)
    assert TRY_FORM.search(block) and again in block
    # "Try again" is the main button; the next lesson comes second, as a secondary one
    assert block.index(again) < block.index('class="button secondary" href="/' + lang + '/modules/sample/second-lesson/"')


def test_a_passed_check_leads_to_the_next_lesson(app, client, login):
    login("rami", client)
    result = result_page(client, take(app, client, "check-first-lesson"))
    block = actions(result)
    assert not TRY_FORM.search(block) and 'class="button" href="/en/modules/sample/second-lesson/"' in block


def test_no_attempt_left_says_so_instead_of_try_again(app, client, login):
    login("rami", client)
    for _ in range(3):  # the fixture's final quiz allows 3
        location = take(app, client, answers={})
    html = result_page(client, location)
    assert "You have used all 3 attempts at this quiz." in html and not TRY_FORM.search(actions(html))


@pytest.mark.parametrize("lang, when", [("en", "You can try again after 30 Nov 2026, 14:05 (UTC)."),
                                        ("ar", "30 تشرين الثاني/نوفمبر 2026، 14:05 (بالتوقيت العالمي)")])
def test_a_wait_says_when_in_the_one_date_style(app, client, login, monkeypatch, lang, when):
    login("rami", client)
    location = take(app, client, answers={}, lang=lang)
    real = service.check_policy

    def must_wait(quiz, graded, now=None):
        real(quiz, graded, now)
        raise service.MustWait(dt.datetime(2026, 11, 30, 14, 5))

    monkeypatch.setattr(service, "check_policy", must_wait)
    html = result_page(client, location, lang)
    assert when in html and not TRY_FORM.search(actions(html))
