"""Content catalog: lesson and quiz files -> an immutable, validated, rendered catalog.

Pure Python: no Flask imports, so `elearn content check`, the app and the tests share it.
"""
from .loader import ContentError, load_catalog, check_content
from .model import Catalog, Module, Lesson, LessonText, Quiz, Question, Option, Text, LANGS

__all__ = [
    "ContentError", "load_catalog", "check_content", "Catalog", "Module", "Lesson",
    "LessonText", "Quiz", "Question", "Option", "Text", "LANGS",
]
