"""The review report, built from evaluation records; and the table export of DESIGN.md's contract.

``export_table`` (and the per-format writers, ``read_table_csv``) live with the file formats in
``workbench.records``; they are named here too because ``workbench.report.export_table`` is the public name.
"""
from workbench.records.tables import (
    export_table, read_table_csv, table_to_csv, table_to_html, table_to_json, table_to_latex, table_to_markdown,
)

from .review import review_sections, write_review
from .review_run import ReviewRun, read_review_run
from .summary import BootstrapSettings, Lead, leads, majority_chance_miou, near_chance

__all__ = ["BootstrapSettings", "Lead", "ReviewRun", "export_table", "leads", "majority_chance_miou", "near_chance",
           "read_review_run", "read_table_csv", "review_sections", "table_to_csv", "table_to_html", "table_to_json",
           "table_to_latex", "table_to_markdown", "write_review"]
