"""Reports: metric tables exported by file suffix (and, from the report helpers, the HTML review)."""
from .review import write_review
from .run_reader import RunFolderError, RunSummary, read_run, read_table_csv, replay_models
from workbench.records.tables import export_table, table_to_csv, table_to_html, table_to_json, table_to_latex, table_to_markdown

__all__ = ["export_table", "table_to_csv", "table_to_html", "table_to_json", "table_to_latex", "table_to_markdown",
           "write_review", "read_run", "read_table_csv", "replay_models", "RunSummary", "RunFolderError"]
