"""Score a model or a folder of predictions on a dataset and keep the result as an evaluation record.

``score_model`` runs the one batched prediction path (``predict``); ``score_predictions`` reads the masks
another tool wrote (``workbench.records.predictions``), image by image in a pool of processes and over
torchrun ranks (``image_scoring``). Both stream each predicted mask into the record as soon as it is scored
and keep only per-image statistics in memory, so memory does not grow with the number of images. Both
return the ``Record`` they wrote, so every later consumer (tables, report, widgets) reads files instead of
running a model again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

from torch import nn

from workbench.data.data_info import data_stems, dataset_classes, describe_data
from workbench.data.groups import image_groups
from workbench.engine import distributed
from workbench.engine.image_scoring import ImageTask, score_images
from workbench.engine.loaders import create_eval_loader
from workbench.engine.predict import predict
from workbench.engine.runtime import Runtime
from workbench.metrics import ImageStats, Scores, SegmentationEvaluator, comparison_table
from workbench.records import (
    ComparisonWriter,
    Record,
    RecordWriter,
    check_out_folder,
    file_sha256,
    find_predictions,
    write_comparison,
)


def score_model(
    model: nn.Module,
    dataset,
    out: str | Path,
    *,
    spec: dict | None = None,
    weights: str | Path | None = None,
    batch_size: int = 8,
    runtime: Runtime | None = None,
    num_workers: int = 0,
    distances: bool = False,
    errors: bool = False,
    tolerances: bool = False,
    progress: bool = False,
) -> Record:
    """Predict every sample of ``dataset``, score the predictions and write the record to ``out``.

    Args:
        model: maps images ``(N, 3, H, W)`` to logits ``(N, C, H, W)``, C = ``dataset.classes.num_classes``.
        dataset: ``(image (3, H, W), mask (H, W))`` samples with ``.classes``.
        out: the record folder (never inside the dataset's folder).
        spec: the model's registry spec ``{"name", "encoder"}`` (default: its class name).
        weights: the checkpoint the weights came from (its sha256 goes into the record).
        runtime: device and precision; None uses the model's device in float32.
        distances: also score HD95 (``class_hd95``, ``hd95``).
        errors: also count the error breakdown (``Scores.error_breakdown``).
        tolerances: also count BF, NSD and Boundary IoU over the tolerance ladder (``Scores.tolerance_curve``).

    Returns:
        The ``workbench.records.Record`` written.
    """
    classes = dataset_classes(dataset)
    data = describe_data(dataset)
    check_out_folder(out, [data["root"]], comparison=False)
    if runtime is None:
        runtime = Runtime(next(model.parameters()).device, "fp32", channels_last=False)
    evaluator = SegmentationEvaluator(
        classes.num_classes,
        classes.ignore_index,
        device=runtime.device,
        per_image=True,
        distances=distances,
        errors=errors,
        tolerances=tolerances,
    )
    loader = create_eval_loader(dataset, batch_size=batch_size, num_workers=num_workers, pin_memory=runtime.pin_memory)
    with RecordWriter(out, classes, data_stems(dataset), groups=image_groups(dataset)) as writer:
        predict(model, loader, evaluator, runtime=runtime, reduce=False, progress=progress, sink=writer.add_masks)
        return writer.finish(source=model_source(model, spec, weights), data=data, scores=evaluator.compute())


def score_predictions(
    preds_dir: str | Path,
    dataset,
    out: str | Path,
    *,
    workers: int = 1,
    distances: bool = False,
    errors: bool = False,
    tolerances: bool = False,
    progress: bool = False,
) -> Record | None:
    """Score the masks another tool wrote in ``preds_dir`` (one ``<stem>.png`` or ``.npy`` per image).

    Accepted: 8/16-bit grey or palette PNGs of class ids, RGB PNGs in the ``classes.json`` colours, ``.npy``
    integer arrays. Missing or extra files, wrong sizes, unknown colours and values outside the classes are
    errors naming the file; nothing is scored on a subset, and nothing is written before every file passed.

    Args:
        preds_dir: the predictions folder.
        dataset: the target data (with ``.classes``); with ``workers > 1`` it must pickle (workbench datasets do).
        out: the record folder (never inside the dataset's or the predictions' folder).
        workers: processes reading and scoring images (1: this process); the record is bit-identical.
        distances: also score HD95 (``class_hd95``, ``hd95``).
        errors: also count the error breakdown (``Scores.error_breakdown``).
        tolerances: also count BF, NSD and Boundary IoU over the tolerance ladder (``Scores.tolerance_curve``).
        progress: a bar over the images.

    Under torchrun every process scores its share of the images and rank 0 writes the one record (the
    other ranks return None).

    Returns:
        The ``workbench.records.Record`` written to ``out`` (None on ranks other than 0).
    """
    records = _score_folders(
        {None: preds_dir},
        dataset,
        out,
        workers=workers,
        distances=distances,
        errors=errors,
        tolerances=tolerances,
        progress=progress,
    )
    return None if records is None else records[None]


def score_comparison(
    sources: Mapping[str, str | Path],
    dataset,
    out: str | Path,
    *,
    workers: int = 1,
    distances: bool = False,
    errors: bool = False,
    tolerances: bool = False,
    progress: bool = False,
) -> dict[str, Record] | None:
    """Score several prediction folders on the same data into one comparison folder, as a whole or not at all.

    Every source is scored into a staging folder first; only when all have passed are the records moved in
    (records of an earlier comparison that this one does not list are removed when they hold nothing but
    record files) and the tables written, ``comparison.json`` last.

    Args:
        sources: name -> predictions folder; each becomes the record ``out/<name>``, in this order.
        dataset: the target data (with ``.classes``).
        out: the comparison folder; gets the tables ``compare`` writes.
        workers: as for ``score_predictions``.
        distances: as for ``score_predictions``.
        errors: as for ``score_predictions``.
        tolerances: as for ``score_predictions``.
        progress: as for ``score_predictions``.

    Returns:
        name -> ``Record`` (None on torchrun ranks other than 0).
    """
    records = _score_folders(
        dict(sources),
        dataset,
        out,
        workers=workers,
        distances=distances,
        errors=errors,
        tolerances=tolerances,
        progress=progress,
    )
    if records is None:
        return None
    table = comparison_table(
        {name: r.scores for name, r in records.items()},
        {name: {"source": str(Path(folder))} for name, folder in sources.items()},
        settings="Predictions of other tools.",
        ignore_index=dataset_classes(dataset).ignore_index,
        groups=next(iter(records.values())).groups,
    )
    write_comparison(out, table, records)
    return records


def _score_folders(
    sources: dict, dataset, out, *, workers: int, distances: bool, errors: bool, tolerances: bool, progress: bool
) -> dict | None:
    """Score each predictions folder (key None: ``out`` is the record itself) and commit them together."""
    classes, stems, data = dataset_classes(dataset), data_stems(dataset), describe_data(dataset)
    groups = image_groups(dataset)
    check_out_folder(out, [data["root"], *sources.values()], comparison=list(sources) != [None])
    files = {name: find_predictions(folder, stems) for name, folder in sources.items()}  # every folder, first
    main = distributed.current().is_main
    with ComparisonWriter(out, list(sources), enabled=main) as comparison:
        for name, folder in sources.items():
            task = ImageTask(dataset, [files[name][stem] for stem in stems], classes, distances, errors, tolerances)
            writer = RecordWriter(comparison.staging(name), classes, stems, groups=groups) if main else None
            with writer or contextlib.nullcontext():
                parts = []
                for scored in score_images(task, workers=workers, progress=progress):
                    parts.append(scored.stats)
                    if writer is not None:  # rank 0 writes; the other ranks only take part in the gathers
                        for png, target in zip(scored.pngs, scored.targets):
                            writer.add_encoded(png, target)
                if writer is not None:
                    source = {"kind": "predictions", "dir": str(Path(folder).resolve())}
                    writer.finish(source=source, data=data, scores=Scores.from_image_stats(ImageStats.concat(parts)))
        return comparison.commit() if main else None


def model_source(model: nn.Module, spec: dict | None, weights: str | Path | None) -> dict:
    """The ``source`` of a record for a model: registry spec, weights file and its sha256."""
    spec = spec or {}
    return {
        "kind": "model",
        "name": spec.get("name", type(model).__name__),
        "encoder": spec.get("encoder"),
        "weights": None if weights is None else str(weights),
        "sha256": None if weights is None else file_sha256(Path(weights)),
    }
