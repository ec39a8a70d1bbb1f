"""The review report, built from evaluation records; and the table export of DESIGN.md's contract.

``export_table`` (and the per-format writers, ``read_table_csv``) live with the file formats in
``workbench.records``; they are named here too because ``workbench.report.export_table`` is the public name.
Each name imports its submodule on first use.
"""

from workbench.lazy_exports import export_lazily

__all__ = export_lazily(
    __name__,
    {
        "workbench.records.tables": [
            "export_table",
            "read_table_csv",
            "table_to_csv",
            "table_to_html",
            "table_to_json",
            "table_to_latex",
            "table_to_markdown",
        ],
        ".review": ["review_sections", "write_review"],
        ".review_run": ["ReviewRun", "read_review_run"],
        ".summary": ["BootstrapSettings", "Lead", "leads", "majority_chance_miou", "near_chance"],
    },
)
