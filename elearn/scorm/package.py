"""A module as a SCORM 1.2 package, in one language: `imsmanifest.xml` at the root, the four
schemas it names, one SCO (index.html) that shows the lessons as static pages and the final quiz
in a frame, the site's stylesheet, and two scripts (assets/). Pure: pages are rendered by the
caller (the `elearn export scorm` command, with the site's templates and translations) from the
(path, template, context) triples this module lists.

One SCO for the whole module, not one per lesson: SCORM 1.2 has no sequencing or roll-up, so
with several SCOs each LMS decides by itself how lesson statuses add up (some track only the
first SCO, others need every one completed); one SCO gives one status and one score in every
LMS's gradebook, and the learner's place (pages read, answers so far) travels in
cmi.suspend_data.

The final quiz is graded in the browser, so the package carries its answer key: anyone who
opens the zip can read it. That is inherent to a SCORM package that grades offline; the site's
own quizzes never send a key before an answer is submitted.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..content import Lesson, Module, Quiz

HERE = Path(__file__).resolve().parent
SCHEMAS = ("imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd", "adlcp_rootv1p2.xsd", "ims_xml.xsd")
SCRIPTS = ("sco.js", "quiz.js")
QUIZ = "quiz.html"
LAUNCH = "index.html"
STYLESHEET = "css/app.css"
#: Every entry gets this time, so the same content always makes the same zip.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Page:
    href: str
    title: str


def lesson_href(lesson: Lesson) -> str:
    return f"lessons/{lesson.position + 1:02d}-{lesson.id}.html"


def final_quiz(module: Module) -> Quiz:
    return module.quizzes[module.final_quiz_id]


def pages(module: Module, lang: str) -> list[Page]:
    """The SCO's pages in reading order: the lessons, then the final quiz."""
    return [*(Page(lesson_href(lesson), lesson.text(lang).title) for lesson in module.lessons),
            Page(QUIZ, final_quiz(module).title.get(lang))]


def quiz_data(quiz: Quiz, lang: str, strings: dict) -> dict:
    """What quiz.js grades with: the key and the feedback (the final's own questions; the site
    draws from the module's bank instead, which a static package cannot do per attempt)."""
    return {"pass_mark": quiz.pass_mark, "strings": strings,
            "questions": [{"id": q.id, "type": q.type, "answer": sorted(q.answer),
                           "feedback": {o.id: o.feedback.get(lang) for o in q.options}} for q in quiz.questions]}


def renders(module: Module, lang: str, sco_strings: dict, quiz_strings: dict) -> list[tuple[str, str, dict]]:
    """(path in the zip, template, context) for every page the caller renders."""
    listed = pages(module, lang)
    quiz = final_quiz(module)
    found = [(LAUNCH, "scorm/index.html", {"module": module, "lang": lang, "pages": listed, "data": {
        "pages": [p.href for p in listed], "pass_mark": quiz.pass_mark, "strings": sco_strings}})]
    for i, lesson in enumerate(module.lessons):
        previous, following = (listed[i - 1] if i else None), listed[i + 1]
        found.append((lesson_href(lesson), "scorm/lesson.html", {
            "module": module, "lang": lang, "lesson": lesson, "text": lesson.text(lang), "page": listed[i].href,
            "previous": f"../{previous.href}" if previous else None, "previous_title": previous.title if previous else "",
            "following": f"../{following.href}", "following_title": following.title}))
    found.append((QUIZ, "scorm/quiz.html", {"module": module, "lang": lang, "quiz": quiz,
                                             "questions": quiz.questions, "data": quiz_data(quiz, lang, quiz_strings)}))
    return found


def identifier(module: Module, lang: str) -> str:
    return f"elearn-{module.id}-{lang}"


def manifest(module: Module, lang: str, files: list[str]) -> str:
    """imsmanifest.xml: one organization, one item, one SCO resource listing every file."""
    title = escape(module.title.get(lang))
    listed = "\n".join(f"      <file href={quoteattr(name)}/>" for name in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier(module, lang)}" version="{escape(module.version)}"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="organization">
    <organization identifier="organization">
      <title>{title}</title>
      <item identifier="module" identifierref="sco" isvisible="true">
        <title>{title}</title>
        <adlcp:masteryscore>{final_quiz(module).pass_mark}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco" type="webcontent" adlcp:scormtype="sco" href="{LAUNCH}">
{listed}
    </resource>
  </resources>
</manifest>
"""


def listed_files(rendered: dict[str, str]) -> list[str]:
    """The SCO's files, as the manifest lists them (all but the manifest and the schemas)."""
    return sorted([*rendered, STYLESHEET, *(f"js/{name}" for name in SCRIPTS)])


def build(module: Module, lang: str, rendered: dict[str, str], stylesheet: bytes) -> bytes:
    """The zip: manifest, schemas, rendered pages, stylesheet, scripts."""
    files: dict[str, bytes] = {path: html.encode("utf-8") for path, html in rendered.items()}
    files[STYLESHEET] = stylesheet
    for name in SCRIPTS:
        files[f"js/{name}"] = (HERE / "assets" / name).read_bytes()
    contents = listed_files(rendered)
    files["imsmanifest.xml"] = manifest(module, lang, contents).encode("utf-8")
    for name in SCHEMAS:
        files[name] = (HERE / "schemas" / name).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in ["imsmanifest.xml", *SCHEMAS, *contents]:
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), files[name], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
