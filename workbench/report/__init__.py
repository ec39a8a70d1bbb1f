"""The review report: one self-contained HTML file built from evaluation records, for a meeting or for print.

Tables are written by ``workbench.records.export_table``; the report only reads records.
"""
from .review import review_sections, write_review
from .review_run import ReviewRun, read_review_run
from .summary import BootstrapSettings, Lead, leads, majority_chance_miou, near_chance

__all__ = ["BootstrapSettings", "Lead", "ReviewRun", "leads", "majority_chance_miou", "near_chance",
           "read_review_run", "review_sections", "write_review"]
