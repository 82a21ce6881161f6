"""Read `lessons/` and `quizzes/`, validate them, and build the immutable catalog.

Every problem is collected (not just the first) as `path:line: message`, so an author sees all
of them at once. `load_catalog` raises `ContentError` when there is any.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from pathlib import Path
from types import MappingProxyType

from .dates import facts_date_problems, source_after_facts, source_date
from .markdown import heading_levels, render_markdown
from .model import (CHECK_REVIEW, FINAL_REVIEW, LANGS, MOMENTS, QUESTION_TYPES, Catalog, KeyTerm, Lesson,
                    LessonText, Module, Option, Question, Quiz, Review, Source, Text)
from .yamlio import LineDict, LineList, YamlError, load_yaml

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MODULE_FIELDS = {"id", "order", "title", "summary", "lessons", "final_quiz", "pass_mark",
                 "certificate_validity_months"}
FRONT_FIELDS = {"title", "minutes", "objectives", "key_terms", "sources", "reviewed", "facts_as_of"}
SOURCE_FIELDS = {"publisher", "title", "date", "url"}
QUIZ_FIELDS = {"id", "kind", "lesson", "title", "pass_mark", "max_attempts",
               "retake_wait_minutes", "max_per_day", "draw", "review", "questions"}
REVIEW_FIELDS = ("score", "marks", "feedback", "answers")
# A final quiz's retake policy when its file says nothing (docs/content-format.md): an hour's wait
# after a failed attempt, at most three attempts in any 24 hours. Check quizzes: no limits.
FINAL_RETAKE_WAIT_MINUTES = 60
FINAL_MAX_PER_DAY = 3
QUESTION_FIELDS = {"id", "type", "prompt", "scenario", "options", "answer"}
OPTION_FIELDS = {"id", "text", "feedback"}


class ContentError(Exception):
    """The content is invalid; `problems` lists each one as `path:line: message`."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} content problem(s):\n" + "\n".join(problems))
        self.problems = problems


class _Reporter:
    """Collects problems, naming files relative to a base folder."""

    def __init__(self, base: Path):
        self.base = base
        self.problems: list[str] = []

    def __call__(self, path: Path, line: int, message: str) -> None:
        try:
            shown = path.relative_to(self.base)
        except ValueError:
            shown = path
        self.problems.append(f"{shown}:{line}: {message}")


def load_catalog(lessons_dir: Path, quizzes_dir: Path) -> Catalog:
    """Load and validate all content; raise ContentError listing every problem."""
    catalog, problems = _load(Path(lessons_dir), Path(quizzes_dir))
    if problems:
        raise ContentError(problems)
    return catalog


def check_content(lessons_dir: Path, quizzes_dir: Path) -> list[str]:
    """Return every problem in the content (empty when it is valid)."""
    return _load(Path(lessons_dir), Path(quizzes_dir))[1]


def load_quizzes(quizzes_dir: Path) -> tuple[dict[str, tuple[Quiz, ...]], list[str]]:
    """Every module's quizzes, read without the lessons, and the problems found.

    For the quiz lint, which must run while lessons are being edited. Which lesson a check
    quiz names is not checked here (`check_content` does that).
    """
    quizzes_dir = Path(quizzes_dir)
    report = _Reporter(quizzes_dir.resolve().parent)
    if not quizzes_dir.is_dir():
        report(quizzes_dir, 0, "quizzes folder not found")
        return {}, report.problems
    modules = {folder.name: tuple(_load_quizzes(folder, folder.name, None, 70, report).values())
               for folder in sorted(p for p in quizzes_dir.iterdir() if p.is_dir())}
    return modules, report.problems


def _load(lessons_dir: Path, quizzes_dir: Path):
    report = _Reporter(lessons_dir.resolve().parent)
    modules = []
    if not lessons_dir.is_dir():
        report(lessons_dir, 0, "lessons folder not found")
        return Catalog.of([]), report.problems
    for folder in sorted(p for p in lessons_dir.iterdir() if p.is_dir()):
        module = _load_module(folder, quizzes_dir / folder.name, report)
        if module is not None:
            modules.append(module)
    if quizzes_dir.is_dir():
        known = {m.name for m in lessons_dir.iterdir() if m.is_dir()}
        for folder in sorted(p for p in quizzes_dir.iterdir() if p.is_dir()):
            if folder.name not in known:
                report(folder, 0, f"quiz folder for unknown module '{folder.name}'")
    return Catalog.of(modules), report.problems


# --- small typed readers -------------------------------------------------------------------

def _read_yaml(path: Path, report, line_offset=0, text=None):
    try:
        data = load_yaml(text if text is not None else path.read_text(encoding="utf-8"), line_offset)
    except YamlError as exc:
        report(path, exc.line, exc.message)
        return None
    except UnicodeDecodeError:
        report(path, 1, "file is not UTF-8")
        return None
    if not isinstance(data, LineDict):
        report(path, 1 + line_offset, "expected a mapping of fields")
        return None
    return data


def _unknown_fields(data: LineDict, allowed: set, path: Path, report, what: str) -> None:
    for key in data:
        if key not in allowed:
            report(path, data.line_of(key), f"unknown field '{key}' in {what}")


def _text(data: LineDict, key: str, path: Path, report, required=True) -> Text | None:
    """A {ar, en} field: both languages present and non-empty."""
    value = data.get(key)
    line = data.line_of(key)
    if value is None:
        if required:
            report(path, data.line, f"missing field '{key}'")
        return None
    if not isinstance(value, dict):
        report(path, line, f"'{key}' must have 'ar' and 'en'")
        return None
    for extra in set(value) - set(LANGS):
        report(path, value.line_of(extra), f"unknown language '{extra}' in '{key}'")
    missing = [lang for lang in LANGS if not str(value.get(lang) or "").strip()]
    for lang in missing:
        report(path, line, f"missing language '{lang}' in '{key}'")
    if missing:
        return None
    return Text(ar=str(value["ar"]).strip(), en=str(value["en"]).strip())


def _int(data: LineDict, key: str, path: Path, report, default: int | None, lo=0, hi=None):
    value = data.get(key, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < lo or (hi is not None and value > hi):
        bound = f" between {lo} and {hi}" if hi is not None else f" of at least {lo}"
        report(path, data.line_of(key), f"'{key}' must be a whole number{bound}")
        return default
    return value


def _slug(value, path: Path, line: int, report, what: str) -> str | None:
    if not isinstance(value, str) or not SLUG.match(value):
        report(path, line, f"{what} '{value}' is not a valid id (lowercase letters, digits, hyphens)")
        return None
    return value


# --- modules -------------------------------------------------------------------------------

def _load_module(folder: Path, quiz_folder: Path, report) -> Module | None:
    path = folder / "module.yaml"
    if not path.is_file():
        report(path, 0, "missing module.yaml")
        return None
    data = _read_yaml(path, report)
    if data is None:
        return None
    _unknown_fields(data, MODULE_FIELDS, path, report, "module.yaml")
    if data.get("id") != folder.name:
        report(path, data.line_of("id"), f"id must equal the folder name '{folder.name}'")
    title = _text(data, "title", path, report)
    summary = _text(data, "summary", path, report)
    pass_mark = _int(data, "pass_mark", path, report, 70, lo=1, hi=100)
    validity = _int(data, "certificate_validity_months", path, report, None, lo=1, hi=120)
    order = _int(data, "order", path, report, 999)
    lesson_ids = data.get("lessons")
    if not isinstance(lesson_ids, list) or not lesson_ids:
        report(path, data.line_of("lessons"), "'lessons' must list at least one lesson id")
        lesson_ids = LineList()
    seen: set[str] = set()
    lessons = []
    for index, lesson_id in enumerate(lesson_ids):
        line = lesson_ids.line_of(index)
        if _slug(lesson_id, path, line, report, "lesson id") is None:
            continue
        if lesson_id in seen:
            report(path, line, f"duplicate lesson id '{lesson_id}'")
            continue
        seen.add(lesson_id)
        lesson = _load_lesson(folder, folder.name, lesson_id, len(lessons), path, line, report)
        if lesson is not None:
            lessons.append(lesson)
    for md in sorted(folder.glob("*.md")):
        stem = md.name.split(".")[0]
        if stem not in seen:
            report(md, 1, f"lesson file not listed in module.yaml: '{stem}'")
    quizzes = _load_quizzes(quiz_folder, folder.name, seen, pass_mark or 70, report)
    final_id = data.get("final_quiz")
    if final_id is None:
        report(path, data.line, "missing field 'final_quiz'")
    elif final_id not in quizzes:
        report(path, data.line_of("final_quiz"), f"final quiz '{final_id}' not found in {quiz_folder.name}/")
    elif quizzes[final_id].kind != "final":
        report(path, data.line_of("final_quiz"), f"quiz '{final_id}' must have kind: final")
    if None in (title, summary) or final_id not in quizzes:
        return None
    check_for = {q.lesson_id: q.id for q in quizzes.values() if q.kind == "check"}
    for quiz_id, quiz in list(quizzes.items()):
        if quiz.draw:
            quizzes[quiz_id] = _with_bank(quiz, quizzes, check_for, lessons)
    lessons = [Lesson(l.id, l.module_id, l.position, l.texts, check_for.get(l.id)) for l in lessons]
    return Module(
        id=folder.name, order=order, title=title, summary=summary, lessons=tuple(lessons),
        quizzes=MappingProxyType(quizzes), final_quiz_id=final_id, pass_mark=pass_mark or 70,
        certificate_validity_months=validity, version=_version(folder, quiz_folder),
    )


def _with_bank(quiz: Quiz, quizzes: dict[str, Quiz], check_for: dict, lessons: list) -> Quiz:
    """A drawing quiz with the module's bank in strata: each lesson's check questions in reading
    order, then the quiz's own (module-wide) questions."""
    strata = [(lesson.id, quizzes[check_for[lesson.id]].questions) for lesson in lessons if lesson.id in check_for]
    return dataclasses.replace(quiz, bank=(*strata, (None, quiz.questions)))


def _version(folder: Path, quiz_folder: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(folder.glob("*")) + (sorted(quiz_folder.glob("*.yaml")) if quiz_folder.is_dir() else [])
    for f in files:
        if f.is_file():
            digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


# --- lessons -------------------------------------------------------------------------------

def _load_lesson(folder, module_id, lesson_id, position, module_path, line, report) -> Lesson | None:
    texts = {}
    levels = {}
    facts_lines = {}
    for lang in LANGS:
        path = folder / f"{lesson_id}.{lang}.md"
        if not path.is_file():
            report(module_path, line, f"missing language '{lang}': {path.name} not found")
            continue
        parsed = _load_lesson_text(path, lang, report)
        if parsed is not None:
            texts[lang], levels[lang], facts_lines[lang] = parsed
    if len(levels) == len(LANGS):
        _compare_sections(folder / f"{lesson_id}.ar.md", levels["en"], levels["ar"], report)
    if len(texts) != len(LANGS):
        return None
    if texts["ar"].facts_as_of != texts["en"].facts_as_of:
        # One lesson states one set of facts: a translation cannot be current to another date.
        report(folder / f"{lesson_id}.ar.md", facts_lines["ar"],
               f"'facts_as_of' ({texts['ar'].facts_as_of}) differs from the English file's "
               f"({texts['en'].facts_as_of}, line {facts_lines['en']})")
        return None
    return Lesson(lesson_id, module_id, position, MappingProxyType(texts))


def _split_front_matter(raw: str):
    """Return (front matter text, its first line number, body, body's first line number)."""
    lines = raw.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return "".join(lines[1:end]), 1, "".join(lines[end + 1:]), end + 1
    return None


def _load_lesson_text(path: Path, lang: str, report):
    raw = path.read_text(encoding="utf-8")
    split = _split_front_matter(raw)
    if split is None:
        report(path, 1, "missing front matter: the file must start with a '---' block")
        return None
    front_text, front_offset, body, body_offset = split
    front = _read_yaml(path, report, line_offset=front_offset, text=front_text)
    if front is None:
        return None
    _unknown_fields(front, FRONT_FIELDS, path, report, "front matter")
    ok = True
    title = front.get("title")
    if not isinstance(title, str) or not title.strip():
        report(path, front.line_of("title"), "missing field 'title'")
        ok = False
    objectives = _string_list(front, "objectives", path, report)
    sources = _sources(front, path, report)
    reviewed = front.get("reviewed")
    if not isinstance(reviewed, dt.date):
        report(path, front.line_of("reviewed"), "missing or invalid 'reviewed' date (YYYY-MM-DD)")
        ok = False
    elif reviewed > dt.date.today():
        report(path, front.line_of("reviewed"), "'reviewed' date is in the future")
    facts_as_of = _facts_as_of(front, path, report)
    minutes = _int(front, "minutes", path, report, None, lo=1, hi=240)
    key_terms = _key_terms(front, path, report)
    if not body.strip():
        report(path, body_offset + 1, "lesson body is empty")
        ok = False
    if not (ok and objectives and sources and facts_as_of):
        return None
    levels = [(level, body_offset + line) for level, line in heading_levels(body)]
    text = LessonText(lang, title.strip(), minutes, objectives, key_terms, sources, reviewed, facts_as_of,
                      render_markdown(body), len(body.split()))
    return text, levels, front.line_of("facts_as_of")


def _facts_as_of(front, path, report) -> dt.date | None:
    """The lesson's facts date, checked against `reviewed`, today and the dates of its sources."""
    facts = front.get("facts_as_of")
    line = front.line_of("facts_as_of")
    if not isinstance(facts, dt.date) or isinstance(facts, dt.datetime):
        report(path, line, "missing or invalid 'facts_as_of' date (YYYY-MM-DD): the date of the "
                           "newest source the facts were checked against")
        return None
    problems = facts_date_problems(facts, front.get("reviewed"), dt.date.today())
    for problem in problems:
        report(path, line, problem)
    for item in front.get("sources") if isinstance(front.get("sources"), list) else ():
        if isinstance(item, dict) and item.get("date") is not None:
            newer = source_after_facts(item["date"], facts)
            if newer:
                report(path, item.line_of("date"), newer)
                problems.append(newer)
    return None if problems else facts


def _string_list(front, key, path, report) -> tuple[str, ...]:
    value = front.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        report(path, front.line_of(key), f"'{key}' must be a non-empty list of text")
        return ()
    return tuple(v.strip() for v in value)


def _sources(front, path, report) -> tuple[Source, ...]:
    value = front.get("sources")
    if not isinstance(value, list) or not value:
        report(path, front.line_of("sources"), "missing sources: list at least one source")
        return ()
    sources = []
    for index, item in enumerate(value):
        line = value.line_of(index)
        if not isinstance(item, dict):
            report(path, line, "a source needs publisher, title, date and url")
            continue
        _unknown_fields(item, SOURCE_FIELDS, path, report, "source")
        missing = [f for f in ("publisher", "title", "date", "url") if not str(item.get(f) or "").strip()]
        for f in missing:
            report(path, line, f"source is missing '{f}'")
        if "date" not in missing and source_date(item["date"]) is None:
            report(path, item.line_of("date"), "source date must be YYYY-MM-DD, YYYY-MM or YYYY")
        for f in ("publisher", "title"):  # YAML reads an unquoted [..] as a list: it would print as one
            if f not in missing and not isinstance(item[f], str):
                report(path, item.line_of(f), f"source {f} must be text (quote it if it starts with [ or {{)")
                missing.append(f)
        url = str(item.get("url") or "")
        if url and not url.startswith(("https://", "http://")):
            report(path, item.line_of("url"), "source url must start with http:// or https://")
        if not missing:
            sources.append(Source(str(item["publisher"]).strip(), str(item["title"]).strip(),
                                  str(item["date"]), url))
    return tuple(sources) if len(sources) == len(value) else ()


def _key_terms(front, path, report) -> tuple[KeyTerm, ...]:
    value = front.get("key_terms")
    if value is None:
        return ()
    terms = []
    for index, item in enumerate(value if isinstance(value, list) else []):
        if not isinstance(item, dict) or not item.get("term") or not item.get("definition"):
            report(path, value.line_of(index), "a key term needs 'term' and 'definition'")
            continue
        _unknown_fields(item, {"term", "definition"}, path, report, "key term")
        terms.append(KeyTerm(str(item["term"]).strip(), str(item["definition"]).strip()))
    if not isinstance(value, list):
        report(path, front.line_of("key_terms"), "'key_terms' must be a list")
    return tuple(terms)


def _compare_sections(ar_path, en_levels, ar_levels, report) -> None:
    """Both languages must have the same headings at the same levels in the same order."""
    for index, (en, ar) in enumerate(zip(en_levels, ar_levels)):
        if en[0] != ar[0]:
            report(ar_path, ar[1], f"section {index + 1} is a level-{ar[0]} heading here but "
                                   f"level-{en[0]} in English (line {en[1]})")
            return
    if len(en_levels) != len(ar_levels):
        line = ar_levels[len(en_levels)][1] if len(ar_levels) > len(en_levels) else 1
        report(ar_path, line, f"sections differ between languages: {len(ar_levels)} headings "
                              f"in Arabic, {len(en_levels)} in English")


# --- quizzes -------------------------------------------------------------------------------

def _load_quizzes(folder: Path, module_id, lesson_ids, pass_mark, report) -> dict[str, Quiz]:
    quizzes: dict[str, Quiz] = {}
    question_ids: dict[str, tuple[Path, int]] = {}
    if not folder.is_dir():
        report(folder, 0, "quiz folder not found")
        return quizzes
    for path in sorted(folder.glob("*.yaml")):
        quiz = _load_quiz(path, module_id, lesson_ids, pass_mark, report)
        if quiz is None:
            continue
        for question, line in quiz[1]:
            if question.id in question_ids:
                first = question_ids[question.id]
                report(path, line, f"duplicate question id '{question.id}' (first in {first[0].name}:{first[1]})")
            else:
                question_ids[question.id] = (path, line)
        quizzes[quiz[0].id] = quiz[0]
    checks = {}
    for quiz in quizzes.values():
        if quiz.kind == "check" and quiz.lesson_id in checks:
            report(folder / f"{quiz.id}.yaml", 1, f"lesson '{quiz.lesson_id}' already has check quiz '{checks[quiz.lesson_id]}'")
        checks.setdefault(quiz.lesson_id, quiz.id)
    return quizzes


def _load_quiz(path, module_id, lesson_ids, default_pass, report):
    data = _read_yaml(path, report)
    if data is None:
        return None
    _unknown_fields(data, QUIZ_FIELDS, path, report, "quiz")
    if data.get("id") != path.stem:
        report(path, data.line_of("id"), f"id must equal the file name '{path.stem}'")
    kind = data.get("kind")
    if kind not in ("check", "final"):
        report(path, data.line_of("kind"), "kind must be 'check' or 'final'")
    lesson = data.get("lesson")
    if kind == "check" and lesson_ids is not None and lesson not in lesson_ids:
        report(path, data.line_of("lesson"), f"check quiz must name a lesson of this module (got '{lesson}')")
    title = _text(data, "title", path, report)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        report(path, data.line_of("questions"), "'questions' must list at least one question")
        raw_questions = LineList()
    questions = []
    for index, raw in enumerate(raw_questions):
        question = _load_question(raw, path, raw_questions.line_of(index), report)
        if question is not None:
            questions.append((question, raw_questions.line_of(index)))
    if title is None or kind not in ("check", "final") or len(questions) != len(raw_questions) or not questions:
        return None
    final = kind == "final"
    if not final and "draw" in data:
        report(path, data.line_of("draw"), "'draw' is for final quizzes (check quizzes ask their own questions)")
    quiz = Quiz(
        id=path.stem, module_id=module_id, kind=kind, lesson_id=lesson if kind == "check" else None,
        title=title, pass_mark=_int(data, "pass_mark", path, report, default_pass, lo=1, hi=100),
        max_attempts=_int(data, "max_attempts", path, report, 0),
        retake_wait_minutes=_int(data, "retake_wait_minutes", path, report, FINAL_RETAKE_WAIT_MINUTES if final else 0,
                                 hi=7 * 24 * 60),
        max_per_day=_int(data, "max_per_day", path, report, FINAL_MAX_PER_DAY if final else 0, hi=100),
        review=_review(data, path, report, FINAL_REVIEW if final else CHECK_REVIEW),
        draw=_int(data, "draw", path, report, len(questions), hi=500) if final else 0,
        questions=tuple(q for q, _ in questions),
    )
    return quiz, questions


def _review(data: LineDict, path: Path, report, default: Review) -> Review:
    """The quiz's review options: each of score, marks, feedback, answers is a moment, a list of
    moments or "never"; the ones not given keep the quiz kind's default."""
    value = data.get("review")
    if value is None:
        return default
    if not isinstance(value, dict):
        report(path, data.line_of("review"), f"'review' must map some of {', '.join(REVIEW_FIELDS)} to moments")
        return default
    _unknown_fields(value, set(REVIEW_FIELDS), path, report, "review")
    moments = {}
    for key in REVIEW_FIELDS:
        if key in value:
            moments[key] = _moments(value[key], path, value.line_of(key), report, key, getattr(default, key))
    return dataclasses.replace(default, **moments)


def _moments(value, path: Path, line: int, report, key: str, default: frozenset[str]) -> frozenset[str]:
    if value == "never":
        return frozenset()
    values = value if isinstance(value, list) else [value]
    unknown = [v for v in values if v not in MOMENTS]
    if unknown or not values:
        report(path, line, f"review '{key}' must be 'never' or one or more of {', '.join(MOMENTS)} "
                           f"(got {', '.join(map(str, unknown)) or 'nothing'})")
        return default
    return frozenset(values)


def _load_question(raw, path, line, report) -> Question | None:
    if not isinstance(raw, dict):
        report(path, line, "a question must be a mapping")
        return None
    _unknown_fields(raw, QUESTION_FIELDS, path, report, "question")
    qid = _slug(raw.get("id"), path, raw.line_of("id"), report, "question id")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        report(path, raw.line_of("type"), f"type must be one of {', '.join(QUESTION_TYPES)} (got '{qtype}')")
        return None
    prompt = _text(raw, "prompt", path, report)
    scenario = _text(raw, "scenario", path, report, required=(qtype == "scenario"))
    options = _load_options(raw, qtype, path, report)
    answer = _answer(raw, qtype, options, path, report)
    if None in (qid, prompt, options, answer) or (qtype == "scenario" and scenario is None):
        return None
    return Question(qid, qtype, prompt, scenario, options, answer, line)


def _load_options(raw, qtype, path, report) -> tuple[Option, ...] | None:
    value = raw.get("options")
    if not isinstance(value, list) or len(value) < 2:
        report(path, raw.line_of("options"), "a question needs at least two options")
        return None
    options, ids, ok = [], set(), True
    for index, item in enumerate(value):
        line = value.line_of(index)
        if not isinstance(item, dict):
            report(path, line, "an option must be a mapping with id, text and feedback")
            ok = False
            continue
        _unknown_fields(item, OPTION_FIELDS, path, report, "option")
        oid = item.get("id")
        oid = str(oid).lower() if isinstance(oid, bool) else oid
        if _slug(oid, path, item.line_of("id"), report, "option id") is None:
            ok = False
            continue
        if oid in ids:
            report(path, item.line_of("id"), f"duplicate option id '{oid}'")
            ok = False
        ids.add(oid)
        text = _text(item, "text", path, report, required=(qtype != "true_false"))
        feedback = _text(item, "feedback", path, report)
        if feedback is None or (text is None and qtype != "true_false"):
            ok = False
            continue
        options.append(Option(oid, text, feedback))
    if qtype == "true_false" and ids != {"true", "false"}:
        report(path, value.line, "a true_false question has exactly two options, ids 'true' and 'false'")
        ok = False
    return tuple(options) if ok else None


def _answer(raw, qtype, options, path, report) -> frozenset[str] | None:
    value = raw.get("answer")
    line = raw.line_of("answer")
    if value is None:
        report(path, raw.line, "missing field 'answer'")
        return None
    values = value if isinstance(value, list) else [value]
    answer = frozenset(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
    if qtype == "multiple" and not isinstance(value, list):
        report(path, line, "a multiple-answer question's answer must be a list of option ids")
        return None
    if qtype != "multiple" and len(answer) != 1:
        report(path, line, f"a {qtype} question has exactly one answer")
        return None
    if options is not None:
        known = {o.id for o in options}
        for option_id in sorted(answer - known):
            report(path, line, f"answer '{option_id}' is not an option of this question")
        if answer - known:
            return None
        if qtype == "multiple" and answer == known:
            report(path, line, "every option is right: a multiple-answer question needs at least one wrong option")
    return answer
