"""File formats: evaluation records, comparison folders and metric tables, each written by one module.

Everything here writes files a reader can trust: a reader sees the old file or the new one, never half of
one (the atomic writes of ``workbench.atomic``, re-exported here). The engine writes records
(``write_record``); the report and the widgets read them (``read_record``, ``read_comparison``) without
loading any model. Predictions written by other tools are read here too. One owner per format:

- a record folder: written by ``write`` (``RecordWriter``), read by ``record`` (``read_record``);
- a comparison folder (its tables, ``chance.json``, ``comparison.json``, the figures' file names): written by
  ``comparison_folder`` alone, read by ``comparison_reader``;
- a metric table in any format: ``tables`` (``export_table``, ``read_table_csv``).

Each name imports its submodule on first use.
"""

from workbench.lazy_exports import export_lazily

__all__ = export_lazily(
    __name__,
    {
        "workbench.atomic": [  # re-exported: the writes every record format makes
            "atomic_write_bytes",
            "atomic_write_json",
            "atomic_write_text",
            "remove_dead_temporaries",
            "to_jsonable",
        ],
        ".comparison_folder": [
            "CHANCE_FILE",
            "COMPARISON_FILE",
            "COMPARISON_FILES",
            "FIGURE_FILES",
            "LEARNING_CURVES",
            "MASK_GALLERY",
            "PER_CLASS_IOU_FILES",
            "TABLE_FILES",
            "ComparisonWriter",
            "check_out_folder",
            "write_comparison",
            "write_comparison_figures",
            "write_comparison_order",
        ],
        ".comparison_reader": ["comparison_order", "read_comparison", "unlisted_records"],
        ".masks": ["encode_mask", "label_digest", "mask_bit_depth", "read_index_png"],
        ".predictions": ["colors_to_ids", "find_predictions", "read_prediction"],
        ".record": [
            "MASKS_DIR",
            "RECORD_DATA_FILES",
            "RECORD_FILE",
            "Record",
            "RecordError",
            "common_stems",
            "file_sha256",
            "is_record",
            "read_record",
        ],
        ".run_files": ["read_history", "read_run_config"],
        ".scored_data": ["check_targets", "scored_data", "scored_samples", "stem_positions"],
        ".tables": [
            "caption_of",
            "display_frame",
            "export_table",
            "interval_columns",
            "interval_note",
            "read_table_csv",
            "table_to_csv",
            "table_to_html",
            "table_to_json",
            "table_to_latex",
            "table_to_markdown",
        ],
        ".write": ["RecordWriter", "check_owned", "package_versions", "write_record"],
    },
)
