"""Find word sequences that lesson and quiz texts share with the source documents.

Every run of N consecutive words (default 8) in a lesson (.md) or quiz (.yaml) that also occurs
in a source file is reported, per content file, as merged passages with the source it came from.
Text is compared after normalising case, punctuation, Arabic diacritics and tatweel, and the
Arabic letter variants writers use interchangeably (أ/إ/آ/ا, ى/ي, ة/ه), so a copied sentence
cannot hide behind a changed hamza or a vowel mark. URLs are dropped first: a citation's address
is not prose. A quoted document title may legitimately show up here; a copied sentence should not.

    .venv/bin/python bench/overlap.py                       # lessons/ and quizzes/ against ../shared
    .venv/bin/python bench/overlap.py lessons/ucm-syria quizzes/ucm-syria -n 8
    .venv/bin/python bench/overlap.py --sources ../shared/FACTS.md ../shared/seeds/*.txt -- lessons

Prints the count of shared N-grams per file and the passages; always exits 0 (it measures).
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

URL = re.compile(r"https?://\S+|www\.\S+")
# Harakat, superscript alef, Quranic marks and tatweel: they change no word.
DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The normalised words of a text (punctuation and URLs gone)."""
    text = unicodedata.normalize("NFKC", URL.sub(" ", text)).casefold()
    text = DIACRITICS.sub("", text).translate(LETTERS)
    return WORD.findall(text.replace("_", " "))


def yaml_strings(node) -> list[str]:
    """Every string value in a YAML tree; each is its own segment so no n-gram spans two fields."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in yaml_strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in yaml_strings(item)]
    return []


def segments(path: Path) -> list[str]:
    """The learner-visible texts of a content file: front matter values and body, or quiz strings."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        return yaml_strings(yaml.safe_load(text))
    if text.startswith("---"):
        _, front, body = text.split("---", 2)
        return yaml_strings(yaml.safe_load(front)) + [body]
    return [text]


def ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def source_index(paths: list[Path], n: int) -> dict[tuple[str, ...], str]:
    """Each N-gram of the sources, mapped to the first source file it occurs in."""
    index: dict[tuple[str, ...], str] = {}
    for path in paths:
        for gram in ngrams(words(path.read_text(encoding="utf-8")), n):
            index.setdefault(gram, path.name)
    return index


def shared_passages(tokens: list[str], index: dict, n: int) -> list[tuple[str, str]]:
    """Runs of overlapping shared N-grams merged into passages, each with its source's name."""
    hits = [i for i, gram in enumerate(ngrams(tokens, n)) if gram in index]
    passages, start = [], None
    for k, i in enumerate(hits):
        if start is None:
            start = i
        if k + 1 == len(hits) or hits[k + 1] != i + 1:
            passages.append((" ".join(tokens[start:i + n]), index[tuple(tokens[start:start + n])]))
            start = None
    return passages


def content_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".md", ".yaml", ".yml")
                            and p.name != "module.yaml")
        elif path.is_file():
            files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="*", type=Path,
                        default=[ROOT / "lessons", ROOT / "quizzes"],
                        help="content files or directories (default: lessons/ and quizzes/)")
    parser.add_argument("--sources", nargs="+", type=Path,
                        default=sorted((SHARED / "seeds").glob("*.txt")) + [SHARED / "FACTS.md"],
                        help="source files (default: ../shared/seeds/*.txt and ../shared/FACTS.md)")
    parser.add_argument("-n", type=int, default=8, help="words per sequence (default 8)")
    parser.add_argument("--all", action="store_true", help="also list files with no shared sequence")
    args = parser.parse_args(argv)

    sources = [p for p in args.sources if p.is_file()]
    index = source_index(sources, args.n)
    files = content_files(args.content)
    total = flagged = 0
    for path in files:
        shared = set()
        passages = []
        for segment in segments(path):
            tokens = words(segment)
            shared |= {g for g in ngrams(tokens, args.n) if g in index}
            passages += [p for p in shared_passages(tokens, index, args.n) if p not in passages]
        total += len(shared)
        flagged += bool(shared)
        if shared or args.all:
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"{len(shared):4d}  {name}")
            for text, source in passages:
                print(f"        [{source}] {text}")
    print(f"{total} shared {args.n}-grams in {flagged} of {len(files)} files "
          f"(sources: {', '.join(p.name for p in sources)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
