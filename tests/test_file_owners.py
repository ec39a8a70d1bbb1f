"""One owner per file format (STYLE 19): a file name is spelled in its owner module alone, JSON written in one.

Everything else writes and finds those files through the owner's names (``COMPARISON_FILES``,
``CLASSES_FILE``...). A second writer that spells ``"chance.json"``, ``f"comparison{suffix}"``,
``"mask_gallery"`` or ``"classes.json"`` itself fails here, and so does one that calls ``json.dump`` instead
of ``workbench.atomic``. Docstrings and messages may name the files (a sentence is not a path).
"""

import ast
import re
from pathlib import Path

from workbench.data.classes import CLASSES_FILE
from workbench.records import COMPARISON_FILES, FIGURE_FILES

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
OWNERS = {  # the file names of a format -> the one module that spells them
    "workbench/records/comparison_folder.py": (*COMPARISON_FILES, *FIGURE_FILES),
    "workbench/data/classes.py": (CLASSES_FILE,),
}
JSON_TEXT = {  # the modules that turn values into JSON text: workbench.atomic, and why each other one may
    "workbench/atomic.py": "json_text: every JSON file, NaN as null",
    "workbench/engine/checkpoint.py": "the metadata string inside a .safetensors file, not a file of its own",
    "workbench/engine/run_lock.py": "the holder line written into the open, locked descriptor of .workbench.lock",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def spelled_names(source: str, names) -> list[str]:
    """The file names of ``names`` that ``source`` spells as a path: a whole string literal, the last part of a
    path literal (``"runs/chance.json"``), or a stem an f-string completes (``f"comparison{suffix}"``)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    stems = {name.split(".")[0] for name in names}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for part, after in zip(parts, parts[1:]):
                if isinstance(part, ast.Constant) and isinstance(after, ast.FormattedValue):
                    stem = re.split(r"[/\\]", str(part.value))[-1]
                    found += [stem] if stem in stems else []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            last = re.split(r"[/\\]", node.value)[-1]
            found += [last] if last in names else []
    return found


def test_each_file_name_of_a_folder_format_is_spelled_by_its_owner_alone():
    names = {name for spelled in OWNERS.values() for name in spelled}
    offenders = []
    for file in sorted(PACKAGE.rglob("*.py")):
        where = file.relative_to(PACKAGE.parent).as_posix()
        owned = {part for name in OWNERS.get(where, ()) for part in (name, name.split(".")[0])}
        spelled = [name for name in spelled_names(file.read_text(encoding="utf-8"), names) if name not in owned]
        offenders += [f"{where}: {name!r}" for name in spelled]
    assert not offenders, "file names spelled outside their owner module (use the owner's names): " + str(offenders)


def test_the_check_sees_the_ways_a_second_writer_spells_a_name():
    names = (*COMPARISON_FILES, *FIGURE_FILES)
    second_writer = '''
def write(out, table):
    """Writes chance.json, as a sentence may say."""
    for suffix in (".csv", ".md"):
        export_table(table, out / f"comparison{suffix}")
    atomic_write_json(out / "chance.json", {})
    figures = {"mask_gallery": 1}
    print("this run's comparison.json lists it")
'''
    assert sorted(spelled_names(second_writer, names)) == ["chance.json", "comparison", "mask_gallery"]


def json_writers(source: str) -> list[int]:
    """The lines of ``source`` that call ``json.dump`` or ``json.dumps``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr in ("dump", "dumps")
        and isinstance(node.value, ast.Name)
        and node.value.id == "json"
    ]


def test_json_is_written_by_workbench_atomic_alone():
    offenders = []
    for file in sorted(PACKAGE.rglob("*.py")):
        where = file.relative_to(PACKAGE.parent).as_posix()
        if where not in JSON_TEXT:
            offenders += [f"{where}:{line}" for line in json_writers(file.read_text(encoding="utf-8"))]
    assert not offenders, f"json.dump outside {list(JSON_TEXT)}: use workbench.atomic (json_text) {offenders}"
    assert json_writers("import json\njson.dump({}, handle)\ntext = json.dumps({})\n") == [2, 3]
