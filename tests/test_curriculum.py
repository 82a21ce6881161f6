"""The repository's curriculum: every page renders in both languages, and the content meets
the curriculum's rules (lesson lengths, bank size and mix, sources, review date)."""
import pytest

from conftest import base_config
from elearn import create_app
from elearn.config import ROOT
from elearn.content import load_catalog

CATALOG = load_catalog(ROOT / "lessons", ROOT / "quizzes")


@pytest.fixture
def real_client(tmp_path, template_db, app):
    config = base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    config.update(LESSONS_DIR=str(ROOT / "lessons"), QUIZZES_DIR=str(ROOT / "quizzes"))
    return create_app(config).test_client()


def test_six_modules_in_order():
    assert [m.id for m in CATALOG.modules] == ["ucm-syria", "caesar-act", "over-compliance", "captagon", "advocacy",
                                               "after-assad"]
    assert CATALOG.module("over-compliance").certificate_validity_months == 12


@pytest.mark.parametrize("module", CATALOG.modules, ids=lambda m: m.id)
def test_module_meets_the_curriculum_rules(module):
    assert 2 <= len(module.lessons) <= 4
    for lesson in module.lessons:
        for lang in ("ar", "en"):
            text = lesson.text(lang)
            assert 600 <= text.words <= 1200, (lesson.id, lang, text.words)
            assert text.sources and text.objectives and text.key_terms
        assert lesson.check_quiz_id and 4 <= len(module.quizzes[lesson.check_quiz_id].questions) <= 6
    bank = module.question_bank
    assert len(bank) >= 20
    assert {q.type for q in bank} == {"single", "multiple", "true_false", "scenario"}
    assert all(o.feedback.ar and o.feedback.en for q in bank for o in q.options)


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("en", "ltr")])
def test_every_lesson_and_quiz_page_renders(real_client, lang, direction):
    for module in CATALOG.modules:
        page = real_client.get(f"/{lang}/modules/{module.id}/")
        assert page.status_code == 200 and module.title.get(lang) in page.get_data(as_text=True)
        for lesson in module.lessons:
            html = real_client.get(f"/{lang}/modules/{module.id}/{lesson.id}/").get_data(as_text=True)
            assert f'<html lang="{lang}" dir="{direction}">' in html
            assert lesson.text(lang).title.replace("'", "&#39;").replace('"', "&#34;") in html
            assert lesson.text(lang).sources[0].url.replace("&", "&amp;") in html
        for quiz in module.quizzes.values():
            assert real_client.get(f"/{lang}/modules/{module.id}/quizzes/{quiz.id}/").status_code == 200
