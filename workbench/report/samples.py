"""Photographs and targets of a record's images, from the data the record names (no model involved).

When the data is not on this machine, or its masks are not the ones the record scored (``check_targets``),
the gallery shows the predictions alone and says why.
"""

from __future__ import annotations

from workbench.records import Record, RecordError, check_targets, scored_samples


def record_samples(record: Record, stems: list[str]) -> tuple[list | None, str]:
    """``(samples, why)``: ``(image, target)`` per stem from the record's data, or ``None`` and the reason.

    Each sample is numpy (no torch): image float32 ``(H, W, 3)`` in ``[0, 1]``, target uint8 ``(H, W)`` class
    ids with void as the ignore index (see ``workbench.records.scored_samples``).
    """
    try:
        samples = scored_samples(record, stems)
        check_targets(record, stems, [target for _, target in samples], "the gallery")
        return samples, ""
    except RecordError as err:
        return None, str(err)
    except (OSError, ValueError) as err:  # DatasetError is a ValueError
        return None, f"its data could not be read ({err})"
