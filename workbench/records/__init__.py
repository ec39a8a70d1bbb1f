"""File formats at the bottom of the package: atomic writes, metric tables and evaluation records.

Everything here writes files a reader can trust: a reader sees the old file or the new one, never half of
one. The engine writes records (``write_record``); the report and the widgets read them (``read_record``,
``read_comparison``) without loading any model. Predictions written by other tools are read here too.
"""
from workbench.records.atomic import (
    atomic_write_bytes, atomic_write_json, atomic_write_text, remove_stale_temporaries, to_jsonable,
)
from workbench.records.masks import encode_mask, label_digest, mask_bit_depth, read_index_png
from workbench.records.comparison_folder import ComparisonWriter, check_out_folder
from workbench.records.predictions import colors_to_ids, find_predictions, read_prediction
from workbench.records.record import (
    COMPARISON_FILE, MASKS_DIR, RECORD_DATA_FILES, RECORD_FILE, Record, RecordError, common_stems, comparison_order,
    file_sha256,
    is_record, read_comparison, read_record, unlisted_records,
)
from workbench.records.run_files import read_history, read_run_config
from workbench.records.scored_data import scored_data, stem_positions
from workbench.records.tables import (
    caption_of, display_frame, export_table, interval_columns, interval_note, read_table_csv, table_to_csv,
    table_to_html, table_to_json, table_to_latex, table_to_markdown,
)
from workbench.records.write import RecordWriter, check_owned, package_versions, write_comparison_order, write_record

__all__ = [
    "COMPARISON_FILE", "ComparisonWriter", "MASKS_DIR", "RECORD_DATA_FILES", "RECORD_FILE", "Record", "RecordError", "RecordWriter", "atomic_write_bytes",
    "atomic_write_json", "atomic_write_text", "caption_of", "colors_to_ids", "common_stems", "comparison_order",
    "display_frame",
    "encode_mask", "interval_columns", "interval_note", "read_table_csv",
    "export_table", "file_sha256", "find_predictions", "is_record", "label_digest", "mask_bit_depth",
    "package_versions", "read_comparison", "read_history", "read_index_png", "read_prediction", "read_record",
    "read_run_config", "remove_stale_temporaries", "scored_data", "stem_positions",
    "table_to_csv", "table_to_html",
    "table_to_json", "table_to_latex", "table_to_markdown", "to_jsonable", "unlisted_records", "write_comparison_order",
    "write_record",
]
