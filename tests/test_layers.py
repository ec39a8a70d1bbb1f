"""The layer rule of DESIGN.md ("Layout"), held by import-linter's layers contract in pyproject.toml.

cli > report | widgets > engine | viz | analysis > models > records > data | metrics | ops | style > atomic: nothing imports a
package above it, and no import hides inside a function to dodge a cycle.
"""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_package_keeps_its_layers():
    done = _lint(REPO)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 kept, 0 broken" in done.stdout


def test_the_contract_catches_an_upward_import(tmp_path):
    shutil.copytree(REPO / "workbench", tmp_path / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "workbench" / "records" / "upward.py").write_text("from workbench.engine import fit\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "workbench.records is not allowed to import workbench.engine" in done.stdout
    assert "workbench.records.upward -> workbench.engine" in done.stdout


def _hidden_imports(path: Path, root: Path = REPO) -> list[str]:
    """``workbench`` imports inside function bodies of one file, as ``file:line``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                names = [a.name for a in inner.names] if isinstance(inner, ast.Import) else []
                if isinstance(inner, ast.ImportFrom):
                    names = [("." * inner.level) + (inner.module or "")]
                if any(n.startswith(("workbench", ".")) for n in names):
                    found.append(f"{path.relative_to(root)}:{inner.lineno}")
    return found


def test_no_import_hides_inside_a_function():
    hidden = [hit for path in sorted((REPO / "workbench").rglob("*.py")) for hit in _hidden_imports(path)]
    assert hidden == [], "imports inside functions (move them to the top of the file): " + ", ".join(hidden)


def test_the_hidden_import_check_can_fail(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n\n\ndef f():\n    from workbench.engine import fit\n    import workbench.data\n"
        "    import json\n    return fit\n"
    )
    assert _hidden_imports(sample, tmp_path) == ["sample.py:5", "sample.py:6"]
