"""What an executed notebook shows, read back for assertions: a code cell found by its source text (robust to
added cells), its printed text, its tables (pandas' HTML, read with the standard library) and its pictures."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path


def load(path: Path) -> dict:
    """The executed notebook at ``path`` as JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def cell(notebook: dict, source: str) -> dict:
    """The first code cell whose source contains ``source``; fails naming the text when none does."""
    for candidate in notebook["cells"]:
        if candidate["cell_type"] == "code" and source in "".join(candidate["source"]):
            return candidate
    raise AssertionError(f"no code cell contains {source!r}: the notebook changed; update the test's anchor")


def printed(code_cell: dict) -> str:
    """The text the cell shows, in order: its streams, its Markdown, and the ``text/plain`` of its other results."""
    parts = []
    for output in code_cell["outputs"]:
        data = output.get("data", {})
        parts.append("".join(output.get("text", "") or data.get("text/markdown", "") or data.get("text/plain", "")))
    return "".join(parts)


def pictures(code_cell: dict) -> int:
    """How many PNG pictures the cell shows (figures, and widgets' pictures of their last state)."""
    return sum("image/png" in output.get("data", {}) for output in code_cell["outputs"])


def widgets(code_cell: dict) -> int:
    """How many widgets the cell shows (their state is saved in the notebook's metadata by the execution)."""
    return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in code_cell["outputs"])


def number(pattern: str, text: str) -> float:
    """The number captured by the one group of ``pattern`` in ``text``; fails showing the text when absent."""
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{pattern!r} not in what the cell printed:\n{text}"
    return float(found[1])


class _TableCells(HTMLParser):
    """Collects the cells of an HTML table row by row, each as ``(tag, text)`` with tag ``th`` or ``td``."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self._cell: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = (tag, [])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1].append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None


def table(code_cell: dict) -> dict[str, dict[str, str]]:
    """The cell's first HTML table (a DataFrame or its Styler) as ``{row label: {column: text}}``.

    The columns are the first header row's names over the data cells. A row's label is its index value; under a
    two-level index, ``"outer / inner"`` (the outer value spans its rows: it is repeated from the row above).
    """
    html = next(("".join(o["data"]["text/html"]) for o in code_cell["outputs"] if "text/html" in o.get("data", {})), "")
    assert "<table" in html, "the cell shows no table"
    parser = _TableCells()
    parser.feed(html[: html.index("</table>")])
    data = [row for row in parser.rows if any(tag == "td" for tag, _ in row)]
    width = sum(tag == "td" for tag, _ in data[0])
    columns = [text for _, text in next(row for row in parser.rows if row and row not in data)[-width:]]
    rows, labels = {}, []
    for row in data:
        own = [text for tag, text in row if tag == "th"]
        labels = labels[: len(labels) - len(own)] + own if len(own) < len(labels) else own
        rows[" / ".join(labels)] = dict(zip(columns, [text for tag, text in row if tag == "td"]))
    return rows
