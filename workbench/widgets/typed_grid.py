"""Read a small grid of numbers typed into a text box, for the explorers' "type your own values" fields.

A reader copies a worked example from a book (d2l.ai's ``X = [[0, 1], [2, 3]]``) into a widget: rows are
separated by ``;`` or a new line, numbers by spaces or commas, and the Python form ``[[0, 1], [2, 3]]`` is
read too. A blank box means "no typed values" (the widget's own default). Anything else that is not a
rectangle of finite numbers raises ``ValueError`` with a message for the widget to show, never a traceback.
"""

from __future__ import annotations

import math
import re

import torch

EXAMPLE = "0 1; 2 3"  # shown in the messages and as the placeholder
_ROW_SEPARATOR = re.compile(r"\]\s*,?\s*\[|;|\n")  # "], [" of the Python form, ";" or a new line
_NUMBER_SEPARATOR = re.compile(r"[,\s]+")


def parse_grid(text: str, *, name: str, max_side: int) -> torch.Tensor | None:
    """The typed numbers as a float64 ``(rows, columns)`` tensor, or None for a blank box.

    Args:
        text: what the reader typed, e.g. ``"0 1; 2 3"``, ``"0, 1\\n2, 3"`` or ``"[[0, 1], [2, 3]]"``;
            one row (``"1 2"``) gives a ``(1, 2)`` grid.
        name: the field's label, named in every message (e.g. ``"input values"``).
        max_side: the largest number of rows or columns accepted (what the views can still label).

    Raises:
        ValueError: a word that is not a number, rows of unequal length, an empty row, or too many rows or
            columns; the message names the field and the value and shows how to type a grid.
    """
    body = text.strip()
    if not body:
        return None
    rows = [row.strip(" []") for row in _ROW_SEPARATOR.split(body.strip("[] \n"))]
    values = [[_number(word, name) for word in _NUMBER_SEPARATOR.split(row) if word] for row in rows]
    hint = f"type rows separated by ';', e.g. {EXAMPLE}"
    if any(not row for row in values):
        raise ValueError(f"{name}: {text.strip()!r} has an empty row; {hint}.")
    widths = sorted({len(row) for row in values})
    if len(widths) > 1:
        counts = ", ".join(str(len(row)) for row in values)
        raise ValueError(
            f"{name}: the rows of {text.strip()!r} hold {counts} numbers; give every row the same count: {hint}."
        )
    if len(values) > max_side or widths[0] > max_side:
        raise ValueError(
            f"{name}: {len(values)} x {widths[0]} values; at most {max_side} rows and {max_side} columns fit the views."
        )
    return torch.tensor(values, dtype=torch.float64)


def format_grid(values) -> str:
    """The text :func:`parse_grid` reads back: ``[[0, 1], [2, 3]]`` -> ``"0 1; 2 3"``, ``[1, 2]`` -> ``"1 2"``
    (whole numbers without a decimal point)."""
    grid = torch.as_tensor(values, dtype=torch.float64)
    rows = (grid[None] if grid.dim() == 1 else grid).tolist()
    return "; ".join(" ".join(f"{v:g}" for v in row) for row in rows)


def _number(word: str, name: str) -> float:
    try:
        value = float(word)
    except ValueError:
        raise ValueError(f"{name}: {word!r} is not a number; type numbers such as {EXAMPLE}.") from None
    if not math.isfinite(value):
        raise ValueError(f"{name}: {word!r} is not a finite number; type numbers such as {EXAMPLE}.")
    return value
