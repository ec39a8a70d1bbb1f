"""Exported tables are safe to open: no spreadsheet formulas from class names, one Markdown row per class,
the same file mode as every other file, and a report reads the names back unchanged."""

import csv
import io
import os

import pandas as pd
import pytest

from workbench.records import atomic_write_json
from workbench.records.tables import csv_text, csv_text_restore, export_table, read_table_csv

NAMES = ["=1+1", "+SUM(A1:A9)", "-2", "@cmd", "\tx", "'=quoted", "two\nlines", "pipe|name", "plain"]


def _table():
    df = pd.DataFrame({"class": NAMES, "iou": [0.5, -0.25, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, float("nan")]})
    df.attrs["ignore_index"] = 255
    return df


def test_csv_cells_never_start_a_formula_and_read_back_exactly(tmp_path):
    path = export_table(_table(), tmp_path / "t.csv")
    rows = list(
        csv.reader(
            io.StringIO("".join(line for line in path.read_text().splitlines(True) if not line.startswith("# ")))
        )
    )
    cells = [row[0] for row in rows[1:]]
    assert all(not c.startswith(("=", "+", "-", "@", "\t")) for c in cells), cells
    assert cells[:6] == ["'=1+1", "'+SUM(A1:A9)", "'-2", "'@cmd", "'\tx", "''=quoted"]
    assert rows[1][1] == "0.5" and rows[2][1] == "-0.25"  # numbers stay numbers
    back = read_table_csv(path)
    assert list(back["class"]) == NAMES and back.attrs["ignore_index"] == "255"
    assert all(csv_text_restore(csv_text(n)) == n for n in NAMES + ["'", "''", "'x", "-"])


def test_markdown_keeps_one_row_per_class(tmp_path):
    text = export_table(_table(), tmp_path / "t.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + len(NAMES)  # header, rule, one per class: the newline did not split a row
    assert "two lines" in text and "pipe\\|name" in text
    assert all(row.count("|") - row.count("\\|") == 3 for row in rows)


@pytest.mark.parametrize("suffix", [".csv", ".md", ".tex", ".html", ".json"])
def test_exported_tables_get_the_mode_of_every_other_file(tmp_path, suffix):
    other = atomic_write_json(tmp_path / "config.json", {})
    table = export_table(_table(), tmp_path / f"t{suffix}")
    assert os.stat(table).st_mode & 0o777 == os.stat(other).st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
