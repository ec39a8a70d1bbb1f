"""Pages made at build time (mkdocs-gen-files runs this): the API reference, the executed notebooks, the model table.

The API pages come from the package tree as it is when the site is built, one page per module, so a module that
is added, renamed or removed changes the reference with it and a link to an old name fails `mkdocs build
--strict`. The notebooks are committed without outputs; the site shows executed copies, read from the folder
named by the environment variable WORKBENCH_EXECUTED_NOTEBOOKS (tests/test_docs.py fills it from the session's
executed notebooks).
"""

import ast
import json
import os
import sys
from pathlib import Path

import mkdocs_gen_files

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from model_table import markdown, model_rows  # noqa: E402  (bench/ is scripts, not a package)

MODEL_TABLE = "<!-- the model table: docs/gen_pages.py writes it here from the registry (bench/model_table.py) -->"
PACKAGE = REPO / "workbench"
NOTEBOOKS = REPO / "notebooks"
EXECUTED_VARIABLE = "WORKBENCH_EXECUTED_NOTEBOOKS"


def module_names(package: Path = PACKAGE) -> list[tuple[str, ...]]:
    """Every public module and package under `package` as name parts, parents before children.

    Private modules (`_name.py`) and `__main__` are left out: they are no part of the API.
    """
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        names.append(parts)
    return sorted(names)


def is_package(parts: tuple[str, ...]) -> bool:
    """Whether the module named by `parts` is a package (a folder with `__init__.py`)."""
    return (REPO.joinpath(*parts) / "__init__.py").is_file()


def api_page(parts: tuple[str, ...]) -> str:
    """The page of one module, relative to `api/`: `workbench/data/index.md` for a package."""
    return "/".join(parts) + ("/index.md" if is_package(parts) else ".md")


def write_api_pages() -> None:
    """One page per module, and the nested navigation of the reference (api/SUMMARY.md, read by literate-nav).

    A package's page shows its docstring and links to its modules; its exports are documented on the pages of
    the modules that define them, so nothing is documented twice.
    """
    names = module_names()
    navigation = []
    for parts in names:
        dotted = ".".join(parts)
        children = [child for child in names if child[:-1] == parts]
        options = "    options:\n      members: false\n" if is_package(parts) else ""
        lines = [f"# `{dotted}`\n", f"::: {dotted}\n{options}"]
        if children:
            lines.append("## Modules\n")
            here = api_page(parts)
            lines += [
                f"- [`{'.'.join(child)}`]({relative(here, api_page(child))}): {summary(child)}" for child in children
            ]
        with mkdocs_gen_files.open(f"api/{api_page(parts)}", "w") as page:
            page.write("\n".join(lines) + "\n")
        navigation.append("    " * (len(parts) - 1) + f"* [{parts[-1]}]({api_page(parts)})")
    with mkdocs_gen_files.open("api/SUMMARY.md", "w") as nav_file:
        nav_file.write("\n".join(navigation) + "\n")


def summary(parts: tuple[str, ...]) -> str:
    """The first line of the module's docstring (read without importing it), or a note that it has none."""
    path = REPO.joinpath(*parts) / "__init__.py" if is_package(parts) else REPO.joinpath(*parts[:-1], f"{parts[-1]}.py")
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    return docstring.strip().splitlines()[0] if docstring else "(no module docstring)"


def relative(source: str, target: str) -> str:
    """The link from page `source` to page `target`, both relative to the same folder."""
    return os.path.relpath(target, start=os.path.dirname(source) or ".").replace(os.sep, "/")


def executed_folder() -> Path:
    """The folder of executed notebooks named by WORKBENCH_EXECUTED_NOTEBOOKS, checked to exist."""
    value = os.environ.get(EXECUTED_VARIABLE)
    if not value:
        raise SystemExit(
            f"docs/gen_pages.py: {EXECUTED_VARIABLE} is not set. The site shows the notebooks with their outputs: "
            f"set it to a folder of executed copies (`make docs` executes them and builds the site)."
        )
    folder = Path(value)
    if not folder.is_dir():
        raise SystemExit(f"docs/gen_pages.py: {EXECUTED_VARIABLE}={value} is not a folder of executed notebooks.")
    return folder


def write_notebook_pages() -> None:
    """Each notebook of notebooks/ from its executed copy, and their navigation (course/SUMMARY.md).

    A copy that is missing, or that has no outputs (the committed file, not an executed one), stops the build.
    """
    folder = executed_folder()
    navigation = []
    for committed in sorted(NOTEBOOKS.glob("*.ipynb")):
        executed = folder / committed.name
        if not executed.is_file():
            raise SystemExit(f"docs/gen_pages.py: no executed copy of {committed.name} in {folder}; execute it there.")
        notebook = json.loads(executed.read_text(encoding="utf-8"))
        if not any(cell.get("outputs") for cell in notebook["cells"]):
            raise SystemExit(f"docs/gen_pages.py: {executed} has no outputs; the site needs an executed copy.")
        with mkdocs_gen_files.open(f"course/{committed.name}", "w") as page:
            page.write(executed.read_text(encoding="utf-8"))
        navigation.append(f"* [{notebook_title(notebook, committed.stem)}]({committed.name})")
    with mkdocs_gen_files.open("course/SUMMARY.md", "w") as nav_file:
        nav_file.write("\n".join(navigation) + "\n")


def notebook_title(notebook: dict, stem: str) -> str:
    """The notebook's first Markdown heading ("4. Train and compare ..."), else its file name."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return stem


def write_model_table() -> None:
    """The table of docs/models.md from the model registry, at the marker line: every registered model's paper,
    strides, parameters and GFLOPs (counted on the meta device, so in seconds) and how it differs from the paper.
    A new model gets its row without a docs edit."""
    page = (REPO / "docs" / "models.md").read_text(encoding="utf-8")
    if MODEL_TABLE not in page:
        raise SystemExit(f"docs/gen_pages.py: docs/models.md lacks the line {MODEL_TABLE!r} the model table replaces.")
    header = ["model", "paper", "output stride", "logit stride", "params (M)", "GFLOPs @512²", "differs from the paper"]
    rows = [row[:2] + row[3:] for row in model_rows("resnet18", num_classes=21, size=512)]  # no encoder column
    with mkdocs_gen_files.open("models.md", "w") as out:
        out.write(page.replace(MODEL_TABLE, markdown(header, rows)))


write_api_pages()
write_notebook_pages()
write_model_table()
