"""File formats at the bottom of the package: atomic writes, metric tables and evaluation records.

Everything here writes files a reader can trust: a reader sees the old file or the new one, never half of
one. The engine writes these files; the report and the widgets read them.
"""
from workbench.records.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text, to_jsonable
from workbench.records.tables import (
    caption_of, export_table, table_to_csv, table_to_html, table_to_json, table_to_latex, table_to_markdown,
)

__all__ = [
    "atomic_write_bytes", "atomic_write_json", "atomic_write_text", "caption_of", "export_table", "table_to_csv",
    "table_to_html", "table_to_json", "table_to_latex", "table_to_markdown", "to_jsonable",
]
