"""The layering in docs/architecture.md, checked on the code: areas depend one way, the web tier
sits on top, and an import inside a function says why."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "elearn"

#: Bottom to top. An area may import only areas listed before it (and itself).
LAYERS = [
    {"clock", "config", "content", "dates", "logs", "extensions", "mail", "db", "migrations"},
    {"auth"},
    {"quiz"},
    {"learning"},
    {"certificates"},
    {"refresher", "trainer", "badges", "scorm", "xapi"},
    {"reminders", "steps"},
    {"privacy"},
    {"i18n", "web", "errors", "demo"},
    {"views"},
    {"commands"},
    {"elearn"},  # create_app in elearn/__init__.py
    {"cli"},
    {"wsgi", "__main__"},
]
RANK = {area: rank for rank, areas in enumerate(LAYERS) for area in areas}


def area_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "elearn"


def imports(path: Path):
    """(imported module, line, inside a function) for every import of elearn code in `path`."""
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    module = ".".join(relative.parts).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inside = {id(node) for f in functions for node in ast.walk(f) if node is not f}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            names = [node.module] if node.module else [alias.name for alias in node.names]
            targets = [".".join(base + name.split(".")) for name in names]
        elif isinstance(node, ast.ImportFrom):
            targets = [node.module or ""]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            yield module, target, node.lineno, id(node) in inside


def all_imports():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, list(imports(path))


def test_every_area_is_in_a_layer():
    areas = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    assert areas - {"__init__"} <= set(RANK), f"add to LAYERS and docs/architecture.md: {areas - set(RANK)}"


def test_areas_depend_one_way_downwards():
    upward = []
    for path, found in all_imports():
        for module, target, line, _inside in found:
            if not target.startswith("elearn"):
                continue
            source, destination = area_of(module), area_of(target)
            if destination in RANK and source != destination and RANK[destination] >= RANK[source]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {source} imports {destination}")
    assert upward == []


def test_no_two_way_dependencies_between_areas():
    edges = {(area_of(m), area_of(t)) for _p, found in all_imports() for m, t, _l, _i in found
             if t.startswith("elearn") and area_of(m) != area_of(t)}
    assert sorted(tuple(sorted(e)) for e in edges if e[::-1] in edges) == []


def test_an_import_inside_a_function_says_why():
    unexplained = []
    for path, found in all_imports():
        lines = path.read_text(encoding="utf-8").splitlines()
        for _module, _target, line, inside in found:
            before = lines[max(0, line - 4): line - 1]
            if inside and not any(text.strip().startswith("# Why") for text in before):
                unexplained.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert unexplained == []


def test_the_quiz_engine_knows_no_quiz_by_name():
    source = (PACKAGE / "quiz" / "service.py").read_text(encoding="utf-8")
    assert "refresher" not in source.replace("a refresher built by elearn.refresher", "")
    assert '"final"' not in source


def test_a_process_serving_pages_does_not_load_the_commands(tmp_path):
    """gunicorn imports elearn.wsgi in every worker: the commands (exports, the translation tools
    and what they import) stay out of it until `app.cli` is asked for one."""
    probe = ("import sys, elearn.wsgi; print(sorted(m for m in sys.modules if m.startswith("
             "('elearn.commands', 'elearn.cli', 'babel.messages.frontend'))))")
    env = {**os.environ, "ELEARN_INSTANCE_PATH": str(tmp_path), "ELEARN_LOG_LEVEL": "WARNING"}
    env.pop("ELEARN_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_app_still_runs_its_commands(app):
    result = app.test_cli_runner().invoke(args=["--help"])
    assert result.exit_code == 0
    assert {"users", "export", "xapi", "db"} <= {line.split()[0] for line in result.output.splitlines()
                                                    if line.startswith("  ") and line.strip()}
