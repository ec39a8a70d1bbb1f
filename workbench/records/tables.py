"""Metric tables written by file suffix: ``.csv``, ``.md``, ``.tex``, ``.html``, ``.json``.

Users compare numbers across tools, so every file states its conventions: the DataFrame's ``attrs``
(``ignore_index``, boundary tolerances, averaging, as ``Scores.table()`` sets them) go into each format's
caption or metadata. Files are written atomically (a temporary file, then ``os.replace``), so a crash never
leaves half a table behind.
"""

from __future__ import annotations

import html
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.atomic import atomic_write_text, json_text

FLOAT_FORMAT = ".4f"  # display formats (md, tex, html); csv and json keep full precision
INTERVAL_FORMAT = ".3f"  # "0.444 [0.431, 0.457]": a value with its interval, in the display formats
INTERVAL_ATTRS = ("method", "resamples", "level", "seed")  # how the intervals were drawn (Scores.bootstrap)


def export_table(df: pd.DataFrame, path) -> Path:
    """Write ``df`` to ``path`` in the format its suffix names, with ``df.attrs`` as caption or metadata.

    - ``.csv``: one ``# key: value`` line per metadata entry, then the table; read it back with
      ``pd.read_csv(path, comment="#")`` (so avoid ``#`` in class names there). Text that a spreadsheet
      would run as a formula (starting with ``= + - @``, a tab or a carriage return) gets a leading ``'``
      (``csv_text``; ``csv_text_restore`` undoes it), so a class named ``=1+1`` stays text.
    - ``.md``: a caption line, then a pipe table; line breaks in text become spaces, ``|`` is escaped and
      ``< > &`` become HTML entities (``markdown_text``), so a class named ``<script>`` stays text.
    - ``.tex``: a ``table`` environment with ``\\caption{...}`` (``DataFrame.to_latex``, text escaped).
    - ``.html``: a ``<table>`` with a ``<caption>``; all text escaped.
    - ``.json``: ``{"metadata": {...}, "rows": [{column: value}, ...]}``, NaN written as ``null``.

    A named or non-default index becomes the first column.

    Intervals: columns ``<name>_low`` and ``<name>_high`` beside a column ``<name>`` (or ``low`` and ``high``
    beside ``value``, as ``Scores.bootstrap()`` gives them) are that column's confidence interval. CSV and
    JSON keep them as columns; Markdown, LaTeX and HTML show one cell ``0.444 [0.431, 0.457]``. With
    ``attrs`` holding the bootstrap's ``method``, ``resamples``, ``level`` and ``seed``, every caption says
    how the intervals were drawn.

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


def read_table_csv(path: str | Path) -> pd.DataFrame:
    """Read a table written by ``export_table(df, "x.csv")``: its ``# key: value`` lines become ``attrs``.

    Unlike ``pd.read_csv(path, comment="#")`` this keeps a ``#`` inside a cell, and strings such as
    ``"NA"`` or ``"None"`` stay strings (only empty cells and ``NaN`` are missing values).
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    header = []
    for line in lines:
        if not line.startswith("# "):
            break
        header.append(line)
    table = pd.read_csv(io.StringIO("".join(lines[len(header) :])), keep_default_na=False, na_values=["", "NaN", "nan"])
    table = table.map(lambda v: csv_text_restore(v) if isinstance(v, str) else v)  # "'=1+1" back to "=1+1"
    table.columns = [csv_text_restore(str(c)) for c in table.columns]
    for line in header:
        key, _, value = line[2:].rstrip("\n").partition(": ")
        table.attrs[key] = value
    return table


def caption_of(df: pd.DataFrame) -> str:
    """``df.attrs["caption"]`` when set, else the metadata as ``key: value`` pairs; then how intervals were drawn."""
    if df.attrs.get("caption"):
        caption = _one_line(df.attrs["caption"])
        note = interval_note(df.attrs)
        return f"{caption} {note}" if note and note not in caption else caption
    note = interval_note(df.attrs)
    rest = {k: v for k, v in df.attrs.items() if not (note and k in INTERVAL_ATTRS)}
    pairs = "; ".join(f"{key}: {_one_line(value)}" for key, value in rest.items())
    return " ".join(part for part in (note, pairs) if part)


def interval_note(attrs) -> str:
    """``Intervals: 95% image-level percentile bootstrap, 2000 resamples, seed 0.`` from a table's attrs."""
    if not all(key in attrs for key in INTERVAL_ATTRS):
        return ""
    level = float(attrs["level"])
    note = (
        f"Intervals: {level:.0%} {_one_line(attrs['method'])}, {int(attrs['resamples'])} resamples, "
        f"seed {int(attrs['seed'])}."
    )
    if str(attrs.get("few_groups")).lower() == "true":  # a bool, or its text read back from a CSV
        note += (
            f" Fewer than 5 groups ({attrs.get('num_groups')}): the variation between groups cannot be "
            f"estimated; see the scores per group."
        )
    return note


def interval_columns(columns) -> dict[str, tuple[str, str]]:
    """Column -> (its low column, its high column), for every interval the columns hold."""
    names = [str(c) for c in columns]
    pairs = {name: (f"{name}_low", f"{name}_high") for name in names}
    pairs["value"] = ("low", "high")
    return {name: pair for name, pair in pairs.items() if name in names and all(p in names for p in pair)}


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table as display strings: numbers formatted, each interval merged into its column's cell."""
    flat = _flat(df)
    flat.columns = [str(c) for c in flat.columns]
    pairs = interval_columns(flat.columns)
    merged = {low for low, _ in pairs.values()} | {high for _, high in pairs.values()}
    shown = pd.DataFrame(index=flat.index)
    for column in flat.columns:
        if column in merged:
            continue
        if column in pairs:
            low, high = pairs[column]
            shown[column] = [_with_interval(v, lo, hi) for v, lo, hi in zip(flat[column], flat[low], flat[high])]
        else:
            shown[column] = flat[column].map(_display)
    return shown


def _with_interval(value, low, high) -> str:
    if not _is_number(value):
        return _display(value)
    if not (_is_number(low) and _is_number(high)) or math.isnan(low) or math.isnan(high):
        return _display(value) if math.isnan(value) else format(value, INTERVAL_FORMAT)
    shown = "NaN" if math.isnan(value) else format(value, INTERVAL_FORMAT)
    return f"{shown} [{format(low, INTERVAL_FORMAT)}, {format(high, INTERVAL_FORMAT)}]"


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def table_to_csv(df: pd.DataFrame) -> str:
    header = "".join(f"# {key}: {_one_line(value)}\n" for key, value in df.attrs.items())
    flat = _flat(df).map(_csv_cell)
    flat.columns = [csv_text(str(c)) for c in flat.columns]
    return header + flat.to_csv(index=False, lineterminator="\n")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")  # "'" too, so that csv_text_restore is exact


def csv_text(text: str) -> str:
    """A CSV cell that spreadsheets show as text: ``'`` before a leading ``= + - @``, tab, CR or ``'`` (OWASP)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_cell(value):
    return csv_text(value) if isinstance(value, str) else value


def csv_index(index: pd.Index) -> pd.Index:
    """``index`` (its name kept) with ``csv_text`` applied to its strings: image stems in ``per_image.csv``."""
    return index.map(_csv_cell)


def csv_text_restore(text: str) -> str:
    """Inverse of ``csv_text``."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def table_to_markdown(df: pd.DataFrame) -> str:
    shown = display_frame(df).map(markdown_text)
    shown.columns = [markdown_text(c) for c in shown.columns]
    align = ["right" if a == "r" else "left" for a in _alignment(df)]
    return (
        f"{markdown_text(caption_of(df))}\n\n{shown.to_markdown(index=False, disable_numparse=True, colalign=align)}\n"
    )


def markdown_text(value) -> str:
    """A Markdown table cell: one line (a line break would split the row), ``<``, ``>`` and ``&`` as HTML
    entities (Markdown renders raw HTML), ``|`` escaped (it would start a new column)."""
    return html.escape(_one_line(value), quote=False).replace("|", "\\|")


def table_to_latex(df: pd.DataFrame) -> str:
    caption = _latex_escape(caption_of(df)) or None
    shown = display_frame(df).map(_one_line)  # a blank line inside a cell would end the LaTeX table
    return shown.to_latex(index=False, caption=caption, escape=True, column_format="".join(_alignment(df)))


def _alignment(df: pd.DataFrame) -> list[str]:
    """``r`` for each shown column that holds numbers, ``l`` for text (the display strings lose the dtype)."""
    flat = _flat(df)
    flat.columns = [str(c) for c in flat.columns]
    merged = {p for pair in interval_columns(flat.columns).values() for p in pair}
    return ["r" if pd.api.types.is_numeric_dtype(flat[c]) else "l" for c in flat.columns if c not in merged]


def table_to_html(df: pd.DataFrame) -> str:
    """A ``<table>`` fragment with ``<caption>``, every piece of text escaped (embeddable in a report)."""
    shown = display_frame(df)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
        for row in shown.itertuples(index=False, name=None)
    )
    return (
        f'<table class="workbench-table">\n<caption>{html.escape(caption_of(df))}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"
    )


def table_to_json(df: pd.DataFrame) -> str:
    flat = _flat(df)
    columns = [str(c) for c in flat.columns]
    rows = [dict(zip(columns, row)) for row in flat.itertuples(index=False, name=None)]
    return json_text({"metadata": dict(df.attrs), "rows": rows})


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


def _one_line(value) -> str:
    return " ".join(str(value).split())


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)
