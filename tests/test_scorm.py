"""SCORM 1.2 export: `elearn export scorm` on a real module in each language; the manifest against
ADL's schemas (xmlschema); then the package run in headless Chromium under scorm-again (npm), a
SCORM 1.2 runtime that checks every value the package sets, for a pass, a fail and a resumed
session."""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import RequestLog, launch, missing, new_context, unavailable
from conftest import base_config
from elearn import create_app
from elearn.scorm import package, schema

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "node_modules" / "scorm-again" / "dist" / "scorm12.min.js"
MODULE = "caesar-act"
HARNESS = """<!doctype html>
<html><head><meta charset="utf-8"><title>LMS</title><script src="scorm12.min.js"></script>
<script>
  // An LMS page: scorm-again's SCORM 1.2 API as window.API, with what a previous session left.
  window.API = new Scorm12API({autocommit: false, logLevel: 5});
  var previous = location.hash ? JSON.parse(decodeURIComponent(location.hash.slice(1))) : null;
  if (previous) { window.API.loadFromJSON(previous); }
  window.setCalls = [];
  window.API.on("LMSSetValue.cmi.*", function (element, value) { window.setCalls.push([element, value]); });
</script></head>
<body><iframe id="sco" src="package/index.html" style="inline-size: 100%; block-size: 95vh"></iframe></body></html>
"""


@pytest.fixture(scope="module")
def real_app(tmp_path_factory):
    """The app over the course's own lessons and quizzes (the export needs no database)."""
    folder = tmp_path_factory.mktemp("scorm")
    config = base_config(folder, f"sqlite:///{folder / 'unused.sqlite3'}")
    config.update(LESSONS_DIR=str(ROOT / "lessons"), QUIZZES_DIR=str(ROOT / "quizzes"))
    return create_app(config)


@functools.cache
def _export(app, lang: str, folder: Path) -> Path:
    target = folder / f"{MODULE}-{lang}.zip"
    result = app.test_cli_runner().invoke(args=["export", "scorm", MODULE, "--lang", lang, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "manifest valid against the ADL SCORM 1.2 schemas" in result.output
    return target


@pytest.fixture(scope="module")
def exported(real_app, tmp_path_factory):
    folder = tmp_path_factory.mktemp("packages")
    return lambda lang: _export(real_app, lang, folder)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_manifest_is_at_the_root_and_valid(real_app, exported, lang):
    path = exported(lang)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = archive.read("imsmanifest.xml").decode()
    assert names[0] == "imsmanifest.xml"
    assert schema.problems(manifest) == []
    assert '<schemaversion>1.2</schemaversion>' in manifest and 'adlcp:scormtype="sco"' in manifest
    listed = {line.split('"')[1] for line in manifest.splitlines() if "<file href=" in line}
    assert listed == set(names) - {"imsmanifest.xml", *package.SCHEMAS}  # every file listed, none missing
    print(f"\n{path.name}: {path.stat().st_size:,} bytes, {len(names)} files")


def test_a_broken_manifest_fails_the_schemas(exported):
    with zipfile.ZipFile(exported("en")) as archive:
        manifest = archive.read("imsmanifest.xml").decode()
    assert schema.problems(manifest.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="lesson"'))
    assert schema.problems(manifest.replace("<organizations ", "<organisation ").replace("</organizations>", "</organisation>"))


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("en", "ltr")])
def test_lessons_are_static_pages_with_the_site_stylesheet_and_direction(real_app, exported, lang, direction):
    module = real_app.extensions["catalog"].module(MODULE)
    with zipfile.ZipFile(exported(lang)) as archive:
        assert archive.read(package.STYLESHEET) == (ROOT / "static" / "css" / "app.css").read_bytes()
        for lesson in module.lessons:
            html = archive.read(package.lesson_href(lesson)).decode()
            assert f'<html lang="{lang}" dir="{direction}">' in html
            assert 'href="../css/app.css"' in html and "<script" not in html
            assert lesson.text(lang).title in html
        quiz = archive.read(package.QUIZ).decode()
        assert package.final_quiz(module).title.get(lang) in quiz
        assert "http://" not in archive.read("index.html").decode()  # nothing loads from elsewhere


@contextmanager
def lms(package_zip: Path, folder: Path):
    """The harness, scorm-again and the unpacked package, served on loopback."""
    folder.mkdir(exist_ok=True)
    (folder / "index.html").write_text(HARNESS, encoding="utf-8")
    shutil.copy(RUNTIME, folder / "scorm12.min.js")
    with zipfile.ZipFile(package_zip) as archive:
        archive.extractall(folder / "package")
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        server.shutdown()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def cmi(page) -> dict:
    """What the runtime holds after the session (exit and session_time are write-only in SCORM
    1.2: their last values come from the log of LMSSetValue calls)."""
    found = page.evaluate("""() => ({
        status: API.cmi.core.lesson_status, raw: API.cmi.core.score.raw, min: API.cmi.core.score.min,
        max: API.cmi.core.score.max, suspend: API.cmi.suspend_data, location: API.cmi.core.lesson_location,
        finished: API.isTerminated(), sets: window.setCalls})""")
    last = dict(found["sets"])
    return {**found, "exit": last.get("cmi.core.exit"), "time": last.get("cmi.core.session_time", "")}


def answer(content, quiz, right: bool, only: int | None = None):
    for question in quiz.questions[:only]:
        options = [o.id for o in question.options]
        chosen = sorted(question.answer) if right else [o for o in options if o not in question.answer][:1]
        for option in chosen:
            content.locator(f'input[name="{question.id}"][value="{option}"]').check()


def finish(page):
    """The learner leaves: the LMS removes the SCO's frame (its pagehide calls LMSFinish)."""
    page.evaluate("document.getElementById('sco').remove()")
    page.wait_for_function("API.isTerminated()")


@pytest.fixture
def chromium():
    if reason := missing():
        unavailable(reason)
    if not RUNTIME.exists():
        unavailable("scorm-again is not installed (run `npm ci`)")
    with launch() as browser:
        yield browser


def open_sco(browser, log, url):
    context = new_context(browser, log, java_script_enabled=True)
    page = context.new_page()
    page.goto(url)
    sco = page.frame_locator("#sco")
    return context, page, sco, sco.frame_locator("#content")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_pass_a_fail_and_a_resumed_session_in_scorm_again(real_app, exported, chromium, tmp_path, lang):
    module = real_app.extensions["catalog"].module(MODULE)
    quiz = package.final_quiz(module)
    log = RequestLog()
    with lms(exported(lang), tmp_path / "lms") as url:
        # A pass: every lesson read, every answer right.
        context, page, sco, content = open_sco(chromium, log, url)
        for lesson in module.lessons[1:]:
            sco.locator(f'a[data-page="{package.lesson_href(lesson)}"]').click()
            # Wait until the SCO has recorded the page as read (the previous page's h1 would
            # already be there, and a click before the load would cancel it on a busy machine).
            sco.locator(f'a[data-page="{package.lesson_href(lesson)}"].seen').wait_for()
        sco.locator(f'a[data-page="{package.QUIZ}"]').click()
        answer(content, quiz, right=True)
        content.locator("#submit").click()
        content.locator("#result").wait_for()
        finish(page)
        passed = cmi(page)
        context.close()
        assert (passed["status"], passed["raw"], passed["min"], passed["max"]) == ("passed", "100", "0", "100")
        assert passed["finished"] and passed["exit"] == "" and passed["time"].startswith("0000:")
        assert sorted(json.loads(passed["suspend"])["seen"]) == sorted(p.href for p in package.pages(module, lang))
        assert ["cmi.core.lesson_status", "incomplete"] in passed["sets"]  # first launch: started, not done

        # A fail: every answer wrong.
        context, page, sco, content = open_sco(chromium, log, url)
        sco.locator(f'a[data-page="{package.QUIZ}"]').click()
        answer(content, quiz, right=False)
        content.locator("#submit").click()
        content.locator("#result").wait_for()
        finish(page)
        failed = cmi(page)
        context.close()
        assert failed["status"] == "failed" and float(failed["raw"]) < quiz.pass_mark
        assert failed["exit"] == "suspend"

        # A resumed session: two answers given, then the learner leaves; the LMS relaunches with
        # what it stored, and the SCO opens the quiz again with those answers.
        context, page, sco, content = open_sco(chromium, log, url)
        sco.locator(f'a[data-page="{package.lesson_href(module.lessons[1])}"]').click()
        sco.locator(f'a[data-page="{package.QUIZ}"]').click()
        answer(content, quiz, right=True, only=2)
        finish(page)
        first = cmi(page)
        context.close()
        assert first["status"] == "incomplete" and first["exit"] == "suspend" and first["location"] == package.QUIZ
        stored = {"core": {"entry": "resume", "lesson_status": first["status"], "lesson_location": first["location"]},
                  "suspend_data": first["suspend"]}
        context, page, sco, content = open_sco(chromium, log, url + "#" + json.dumps(stored))
        for question in quiz.questions[:2]:
            for option in question.answer:
                content.locator(f'input[name="{question.id}"][value="{option}"]').wait_for(state="attached")
                assert content.locator(f'input[name="{question.id}"][value="{option}"]').is_checked()
        assert sco.locator(f'a[data-page="{package.lesson_href(module.lessons[1])}"].seen').count() == 1
        answer(content, quiz, right=True)
        content.locator("#submit").click()
        content.locator("#result").wait_for()
        finish(page)
        resumed = cmi(page)
        context.close()
        assert (resumed["status"], resumed["raw"]) == ("passed", "100")
    log.assert_local()
