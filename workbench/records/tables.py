"""Metric tables written by file suffix: ``.csv``, ``.md``, ``.tex``, ``.html``, ``.json``.

Users compare numbers across tools, so every file states its conventions: the DataFrame's ``attrs``
(``ignore_index``, boundary tolerances, averaging, as ``Scores.table()`` sets them) go into each format's
caption or metadata. Files are written atomically (a temporary file, then ``os.replace``), so a crash never
leaves half a table behind.
"""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.records.atomic import atomic_write_text

FLOAT_FORMAT = ".4f"  # display formats (md, tex, html); csv and json keep full precision


def export_table(df: pd.DataFrame, path) -> Path:
    """Write ``df`` to ``path`` in the format its suffix names, with ``df.attrs`` as caption or metadata.

    - ``.csv``: one ``# key: value`` line per metadata entry, then the table; read it back with
      ``pd.read_csv(path, comment="#")`` (so avoid ``#`` in class names there).
    - ``.md``: a caption line, then a pipe table.
    - ``.tex``: a ``table`` environment with ``\\caption{...}`` (``DataFrame.to_latex``, text escaped).
    - ``.html``: a ``<table>`` with a ``<caption>``; all text escaped.
    - ``.json``: ``{"metadata": {...}, "rows": [{column: value}, ...]}``, NaN written as ``null``.

    A named or non-default index becomes the first column.

    Args:
        df: the table, e.g. ``scores.table(class_names)`` or ``per_image_scores(...)``.
        path: destination; parent folders are created.

    Returns:
        The path written.

    Raises:
        ValueError: for a suffix not listed above.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise ValueError(f"export_table: cannot write {path.name!r}; use one of the suffixes {', '.join(WRITERS)}.")
    return atomic_write_text(path, WRITERS[suffix](df))


def caption_of(df: pd.DataFrame) -> str:
    """``df.attrs["caption"]`` when set, else the metadata as ``key: value`` pairs."""
    if df.attrs.get("caption"):
        return _one_line(df.attrs["caption"])
    return "; ".join(f"{key}: {_one_line(value)}" for key, value in df.attrs.items())


def table_to_csv(df: pd.DataFrame) -> str:
    header = "".join(f"# {key}: {_one_line(value)}\n" for key, value in df.attrs.items())
    return header + _flat(df).to_csv(index=False, lineterminator="\n")


def table_to_markdown(df: pd.DataFrame) -> str:
    flat = _flat(df).map(lambda v: _display(v).replace("|", "\\|"))
    flat.columns = [str(c).replace("|", "\\|") for c in flat.columns]
    return f"{caption_of(df)}\n\n{flat.to_markdown(index=False, floatfmt=FLOAT_FORMAT)}\n"


def table_to_latex(df: pd.DataFrame) -> str:
    caption = _latex_escape(caption_of(df)) or None
    return _flat(df).to_latex(index=False, caption=caption, escape=True, na_rep="NaN", float_format=f"%{FLOAT_FORMAT}")


def table_to_html(df: pd.DataFrame) -> str:
    """A ``<table>`` fragment with ``<caption>``, every piece of text escaped (embeddable in a report)."""
    flat = _flat(df)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in flat.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(_display(v))}</td>" for v in row) + "</tr>"
        for row in flat.itertuples(index=False, name=None)
    )
    return (
        f'<table class="workbench-table">\n<caption>{html.escape(caption_of(df))}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"
    )


def table_to_json(df: pd.DataFrame) -> str:
    flat = _flat(df)
    columns = [str(c) for c in flat.columns]
    rows = [dict(zip(columns, map(_json_value, row))) for row in flat.itertuples(index=False, name=None)]
    metadata = {str(key): _json_value(value) for key, value in df.attrs.items()}
    return json.dumps({"metadata": metadata, "rows": rows}, indent=1, allow_nan=False) + "\n"


WRITERS = {".csv": table_to_csv, ".md": table_to_markdown, ".tex": table_to_latex, ".html": table_to_html,
           ".json": table_to_json}  # fmt: skip


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    """The table with a meaningful index turned into its first column."""
    if df.index.name is None and isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1:
        return df
    return df.reset_index()


def _display(value) -> str:
    if isinstance(value, (float, np.floating)):
        return "NaN" if math.isnan(value) else format(value, FLOAT_FORMAT)
    return str(value)


def _json_value(value):
    """Plain JSON types: numpy scalars and arrays unpacked, NaN and infinities as null."""
    if isinstance(value, np.ndarray):
        return [_json_value(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _one_line(value) -> str:
    return " ".join(str(value).split())


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)

