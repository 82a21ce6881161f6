"""Quiz lint: cues that let a learner guess the key without knowing the answer.

A report, never a refusal: each figure is a prompt for an author to re-read items, not proof
of a fault. Four cues, each a pure function over the validated quiz model:

(a) absolute words ("always", "only", «فقط»…) in wrong options far more often than in right ones
    (test-wise learners learn to strike them out); true/false statements likewise;
(b) multiple-answer items that nearly all have the same number of right answers;
(c) the right option being the longest one more often than chance (or, over-corrected, far
    less often: then "never the longest" is the cue);
(d) keys that rest on a status being unknown ("its status is unknown"): true on the facts date,
    false the day the status becomes known, so they need re-checking at every review.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from itertools import pairwise

from .model import LANGS, Catalog, Question, Quiz

LENGTH_CUE_SHARE = 0.40  # (c) flag when the right option is the longest in more of the items
DOMINANT_SHARE = 0.50  # (b) flag when more items than this share one count of right answers
MIN_MULTIPLE_ITEMS = 4  # (b) below this a "dominant" count says nothing
MIN_LENGTH_ITEMS = 10  # (c) below this a share far under chance says nothing

# --- words -----------------------------------------------------------------------------------

_EN_ABSOLUTE = {"all", "always", "never", "only", "none", "every", "everyone", "everybody", "everything",
                "entirely", "completely", "totally", "wholly", "solely", "exclusively", "any", "anyone",
                "anybody", "anything", "nobody", "nothing", "whatsoever", "absolutely"}
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

# Arabic is matched on a normalised form: no short vowels, shadda or tanween, one alef.
_AR_MARKS = re.compile("[\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]")
_AR_ALEFS = str.maketrans("أإآٱ", "اااا")
_AR_WORD = re.compile("[\u0621-\u064a]+")
# "all, every, the whole of" take the article, a preposition and a pronoun: لكل، بجميع، كلها، الكافة
_AR_ALL = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?:ال)?(?:كل|جميع|كافة)(?:ه|ها|هم|هما|هن)?$")
_AR_ABSOLUTE = {"دائما", "دوما", "ابدا", "قط", "فقط", "مطلقا", "مطلق", "المطلق", "اطلاقا", "بتاتا", "البتة",
                "تماما", "كليا", "حصرا", "بالكامل", "سوى", "الوحيد", "الوحيدة", "وحده", "وحدها", "وحدهم",
                "وحدهما", "لوحده", "لوحدها"}
_AR_NEGATION = {"لا", "لم", "لن", "ليس", "ليست", "ليسوا", "دون", "بدون", "بلا", "ولا", "ولم", "ولن"}
_AR_ANY = {"اي", "اية", "لاي", "باي", "لاية", "باية"}
_NEGATION_REACH = 4  # «لا يجوز تحويل أي مبلغ»: "any" a few words after the negation

_EN_UNKNOWN = re.compile(
    r"\bunknown\b|\bundisclosed\b|\bunconfirmed\b"
    r"|\bnot (?:yet |publicly |been |made )*(?:known|clear|confirmed|announced|disclosed|published|public)\b"
    r"|\b(?:is|are|was|were|remains?|still|stays?) unclear\b|\b(?:do|does|did) not show\b"
    r"|\bno (?:public|published) (?:record|information|figures?|data)\b", re.IGNORECASE)
_AR_UNKNOWN = re.compile(
    r"غير (?:معروف|معلوم|مؤكد|معلن)|مجهول(?:ة|ا)?(?! الهوي)|(?:لا|لم) (?:تظهر|يظهر)(?!\w)"
    r"|(?:لم|لا) (?:يعد )?(?:يعرف|تعرف|يتضح|تتضح|يعلن|تعلن|يكشف|يتاكد|تتاكد)(?!\w)"
    r"|(?:لا يزال|لا تزال|ما زال|ما زالت|بقي|بقيت|ظل|ظلت) (?:\w+ )?غير واضح"
    # "not yet": «لم يُرفع بعد.» — بعد closing a clause after a negation
    r"|(?:لم|لا|ليس|ليست|لما) (?:\w+ ){0,4}?بعد(?=\s*[.،,؛:!?»)]|\s*$)")


def normalise_arabic(text: str) -> str:
    return _AR_MARKS.sub("", text).translate(_AR_ALEFS)


def absolute_words(text: str, lang: str) -> tuple[str, ...]:
    """The absolute words in `text` (lower-cased English, normalised Arabic), in order."""
    if lang == "en":
        words = _EN_WORD.findall(text.lower())
        found = [w for w in words if w in _EN_ABSOLUTE]
        found += ["no one" for pair in pairwise(words) if pair == ("no", "one")]
        return tuple(found)
    words = _AR_WORD.findall(normalise_arabic(text))
    found = [w for w in words if w in _AR_ABSOLUTE or _AR_ALL.match(w)]
    for index, word in enumerate(words):
        if word in _AR_NEGATION:
            after = words[index + 1:index + 1 + _NEGATION_REACH]
            found += [f"{word} … {w}" for w in after if w in _AR_ANY]
            found += [f"{word} {w}" for w in after[:1] if w in ("احد", "شيء")]  # nobody, nothing
            found += [f"{word} … الا" for w in words[index + 1:index + 7] if w == "الا"][:1]  # only
    return tuple(found)


def unknown_phrases(text: str, lang: str) -> tuple[str, ...]:
    """Phrases that make a statement rest on something not (yet) known."""
    if lang == "en":
        return tuple(m.group(0) for m in _EN_UNKNOWN.finditer(text))
    return tuple(m.group(0) for m in _AR_UNKNOWN.finditer(normalise_arabic(text)))


def right_is_longest(question: Question, lang: str) -> bool:
    """The right option is strictly longer than every wrong one (ties give nothing away)."""
    right, wrong = _lengths(question, lang)
    return bool(right and wrong) and max(right) > max(wrong)


def right_is_shortest(question: Question, lang: str) -> bool:
    right, wrong = _lengths(question, lang)
    return bool(right and wrong) and min(right) < min(wrong)


def _lengths(question: Question, lang: str) -> tuple[list[int], list[int]]:
    right = [len(o.text.get(lang)) for o in question.options if o.id in question.answer]
    wrong = [len(o.text.get(lang)) for o in question.options if o.id not in question.answer]
    return right, wrong


# --- figures -----------------------------------------------------------------------------------

@dataclass
class Figures:
    """Counts for one module; added up for the whole course."""

    options: Counter = field(default_factory=Counter)  # (lang, "right"/"wrong") -> options with text
    absolute: Counter = field(default_factory=Counter)  # same keys -> of those, with an absolute word
    statements: Counter = field(default_factory=Counter)  # "true"/"false" -> true/false items by key
    absolute_statements: Counter = field(default_factory=Counter)  # (lang, key) -> with an absolute word
    multiple: Counter = field(default_factory=Counter)  # (right, options) -> multiple-answer items
    single: Counter = field(default_factory=Counter)  # "items" -> single/scenario items, "chance" -> sum of 1/k
    longest: Counter = field(default_factory=Counter)  # lang -> items whose right option is the longest
    shortest: Counter = field(default_factory=Counter)  # lang -> items whose right option is the shortest
    unknown: Counter = field(default_factory=Counter)  # "items" -> keys resting on an unknown status

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def dominant_right_count(self) -> tuple[int, int] | None:
        """(count of right answers, items with it) for the most common count, or None if no item."""
        by_right = Counter()
        for (right, _options), items in self.multiple.items():
            by_right[right] += items
        return max(by_right.items(), key=lambda kv: (kv[1], -kv[0])) if by_right else None

    def multiple_is_dominated(self) -> bool:
        items = sum(self.multiple.values())
        top = self.dominant_right_count()
        return items >= MIN_MULTIPLE_ITEMS and top is not None and top[1] / items > DOMINANT_SHARE

    def length_cue(self, lang: str) -> str:
        """"FLAG" when the right option is the longest too often, "LOW" when far less than chance."""
        items = self.single["items"]
        if items and self.longest[lang] / items > LENGTH_CUE_SHARE:
            return "FLAG"
        if items >= MIN_LENGTH_ITEMS and self.longest[lang] < self.single["chance"] / 2:
            return "LOW"
        return ""


@dataclass(frozen=True)
class Flag:
    """One item worth a second look, named as `path:line question-id`."""

    where: str
    question_id: str
    cue: str  # absolute, true-false, multiple, length, unknown
    detail: str

    def __str__(self) -> str:
        return f"{self.where} {self.question_id}: {self.cue}: {self.detail}"


@dataclass(frozen=True)
class LintReport:
    modules: tuple[tuple[str, Figures], ...]
    flags: tuple[Flag, ...]

    @property
    def overall(self) -> Figures:
        return sum((figures for _, figures in self.modules), Figures())


def lint_catalog(catalog: Catalog) -> LintReport:
    return lint_quizzes((m.id, tuple(m.quizzes.values())) for m in catalog.modules)


def lint_quizzes(modules: Iterable[tuple[str, Iterable[Quiz]]]) -> LintReport:
    """Figures per module and the flagged items, from (module id, its quizzes) pairs."""
    results, flags = [], []
    for module_id, quizzes in modules:
        figures = Figures()
        multiple_items = []
        for quiz in quizzes:
            where = f"quizzes/{module_id}/{quiz.id}.yaml"
            for question in quiz.questions:
                at = f"{where}:{question.line}"
                flags += _lint_question(question, at, figures)
                if question.type == "multiple":
                    multiple_items.append((at, question))
        if figures.multiple_is_dominated():
            right = figures.dominant_right_count()[0]
            flags += [Flag(at, q.id, "multiple", f"{len(q.answer)} of {len(q.options)} right, like most "
                                                 f"multiple-answer items of the module ({right} right)")
                      for at, q in multiple_items if len(q.answer) == right]
        if sum(figures.options.values()) or sum(figures.statements.values()):  # skip empty folders
            results.append((module_id, figures))
    return LintReport(tuple(results), tuple(flags))


def _lint_question(question: Question, at: str, figures: Figures) -> list[Flag]:
    flags = []
    if question.type == "true_false":
        flags += _true_false(question, at, figures)
    else:
        flags += _options(question, at, figures)
    if question.type == "multiple":
        figures.multiple[(len(question.answer), len(question.options))] += 1
    if question.type in ("single", "scenario"):
        flags += _length(question, at, figures)
    flags += _unknown(question, at, figures)
    return flags


def _options(question: Question, at: str, figures: Figures) -> list[Flag]:
    flags = []
    for option in question.options:
        side = "right" if option.id in question.answer else "wrong"
        found = {}
        for lang in LANGS:
            figures.options[(lang, side)] += 1
            words = absolute_words(option.text.get(lang), lang)
            if words:
                figures.absolute[(lang, side)] += 1
                found[lang] = words
        if found and side == "wrong":
            flags.append(Flag(at, question.id, "absolute", f"wrong option {option.id}: {_words(found)}"))
    return flags


def _true_false(question: Question, at: str, figures: Figures) -> list[Flag]:
    key = next(iter(question.answer))
    figures.statements[key] += 1
    found = {}
    for lang in LANGS:
        words = absolute_words(question.prompt.get(lang), lang)
        if words:
            figures.absolute_statements[(lang, key)] += 1
            found[lang] = words
    if found and key == "false":
        return [Flag(at, question.id, "true-false", f"false statement with {_words(found)}")]
    return []


def _length(question: Question, at: str, figures: Figures) -> list[Flag]:
    figures.single["items"] += 1
    figures.single["chance"] += 1 / len(question.options)
    longest = [lang for lang in LANGS if right_is_longest(question, lang)]
    for lang in longest:
        figures.longest[lang] += 1
    for lang in LANGS:
        figures.shortest[lang] += right_is_shortest(question, lang)
    if not longest:
        return []
    return [Flag(at, question.id, "length", f"right option {next(iter(question.answer))} is the longest "
                                            f"({', '.join(longest)})")]


def _unknown(question: Question, at: str, figures: Figures) -> list[Flag]:
    texts = [("prompt", question.prompt)]
    texts += [(f"right option {o.id}", o.text) for o in question.options if o.id in question.answer and o.text]
    found = [f"{name} ({lang}): {'; '.join(phrases)}" for name, text in texts for lang in LANGS
             if (phrases := unknown_phrases(text.get(lang), lang))]
    if not found:
        return []
    figures.unknown["items"] += 1
    return [Flag(at, question.id, "unknown", " | ".join(found))]


def _words(found: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{lang} {', '.join(dict.fromkeys(words))}" for lang, words in found.items())


# --- printing ------------------------------------------------------------------------------------

def _pct(hits: int, total: int) -> str:
    return f"{round(100 * hits / total)}% ({hits}/{total})" if total else "- (0/0)"


def format_summary(report: LintReport) -> str:
    """A compact table of the four cues, per module and for the whole course."""
    rows = list(report.modules) + [("all", report.overall)]
    width = max(len(name) for name, _ in rows)
    lines = ["quiz lint: answer cues (a report, not an error; --lint-details lists the items)",
             "(a) options with an absolute word (all, only, never… / كل، فقط، أبدًا…): wrong vs right"]
    for name, f in rows:
        cells = [f"{lang} wrong {_pct(f.absolute[(lang, 'wrong')], f.options[(lang, 'wrong')])}, "
                 f"right {_pct(f.absolute[(lang, 'right')], f.options[(lang, 'right')])}" for lang in ("en", "ar")]
        lines.append(f"  {name.ljust(width)}  " + "   ".join(cells))
    overall = report.overall
    lines.append("    true/false statements with an absolute word: " + "; ".join(
        f"{lang} false {_pct(overall.absolute_statements[(lang, 'false')], overall.statements['false'])}, "
        f"true {_pct(overall.absolute_statements[(lang, 'true')], overall.statements['true'])}"
        for lang in ("en", "ar")))
    lines.append(f"(b) multiple-answer items, right answers of options (flag: one count in over "
                 f"{round(DOMINANT_SHARE * 100)}% of {MIN_MULTIPLE_ITEMS}+ items)")
    for name, f in rows:
        lines.append(f"  {name.ljust(width)}  {_multiple(f)}")
    lines.append(f"(c) right option is the longest (shortest), single and scenario items (FLAG: over "
                 f"{round(LENGTH_CUE_SHARE * 100)}%; LOW: under half of chance, a reverse cue)")
    for name, f in rows:
        items = f.single["items"]
        chance = f"   chance {round(100 * f.single['chance'] / items)}%" if items else ""
        cells = [f"{lang} {_pct(f.longest[lang], items)} ({_pct(f.shortest[lang], items).split()[0]})"
                 + (f" {f.length_cue(lang)}" if f.length_cue(lang) else "") for lang in ("en", "ar")]
        lines.append(f"  {name.ljust(width)}  " + "   ".join(cells) + chance)
    lines.append("(d) keys resting on an unknown status (prompt or right option: unknown, not yet… / "
                 "غير معروف، لم يُعرف…): " + ", ".join(f"{name} {f.unknown['items']}" for name, f in rows))
    return "\n".join(lines)


def _multiple(f: Figures) -> str:
    items = sum(f.multiple.values())
    if not items:
        return "no items"
    spread = ", ".join(f"{right}/{options} ×{n}" for (right, options), n in sorted(f.multiple.items()))
    right, most = f.dominant_right_count()
    flag = "  FLAG" if f.multiple_is_dominated() else ""
    return f"{items} items: {spread}; {right} right in {_pct(most, items)}{flag}"


def format_details(report: LintReport) -> str:
    if not report.flags:
        return "no item flagged"
    return "\n".join(str(flag) for flag in sorted(report.flags, key=lambda f: f.cue))  # stable: file order
