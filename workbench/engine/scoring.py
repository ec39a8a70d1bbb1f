"""Score a model or a folder of predictions on a dataset and keep the result as an evaluation record.

``score_model`` runs the one batched prediction path (``predict``); ``score_predictions`` reads the masks
another tool wrote (``workbench.records.predictions``). Both return the ``Record`` they wrote, so every
later consumer (tables, report, widgets) reads files instead of running a model again.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from torch import nn

from workbench.engine.comparison import comparison_table, write_comparison
from workbench.data.data_info import data_stems, data_target, dataset_classes, describe_data
from workbench.engine.predict import predict
from workbench.engine.runtime import Runtime
from workbench.engine.sampling import create_eval_loader
from workbench.metrics import SegmentationEvaluator
from workbench.records import Record, file_sha256, find_predictions, read_prediction, write_record


def score_model(model: nn.Module, dataset, out: str | Path, *, spec: dict | None = None,
                weights: str | Path | None = None, batch_size: int = 8, runtime: Runtime | None = None,
                num_workers: int = 0, progress: bool = False) -> Record:
    """Predict every sample of ``dataset``, score the predictions and write the record to ``out``.

    Args:
        model: maps images ``(N, 3, H, W)`` to logits ``(N, C, H, W)``, C = ``dataset.classes.num_classes``.
        dataset: ``(image (3, H, W), mask (H, W))`` samples with ``.classes``.
        out: the record folder.
        spec: the model's registry spec ``{"name", "encoder"}`` (default: its class name).
        weights: the checkpoint the weights came from (its sha256 goes into the record).
        runtime: device and precision; None uses the model's device in float32.

    Returns:
        The ``workbench.records.Record`` written.
    """
    classes = dataset_classes(dataset)
    if runtime is None:
        runtime = Runtime(next(model.parameters()).device, "fp32", channels_last=False)
    evaluator = SegmentationEvaluator(classes.num_classes, classes.ignore_index, device=runtime.device, per_image=True)
    loader = create_eval_loader(dataset, batch_size=batch_size, num_workers=num_workers, pin_memory=runtime.pin_memory)
    preds = predict(model, loader, evaluator, runtime=runtime, keep_masks=True, reduce=False, progress=progress)
    return write_record(out, source=model_source(model, spec, weights), data=describe_data(dataset),
                        scores=evaluator.compute(), stems=data_stems(dataset), masks=preds.masks, classes=classes)


def score_predictions(preds_dir: str | Path, dataset, out: str | Path) -> Record:
    """Score the masks another tool wrote in ``preds_dir`` (one ``<stem>.png`` or ``.npy`` per image).

    Accepted: 8/16-bit grey or palette PNGs of class ids, RGB PNGs in the ``classes.json`` colours, ``.npy``
    integer arrays. Missing or extra files, wrong sizes, unknown colours and values outside the classes are
    errors naming the file; nothing is scored on a subset.

    Returns:
        The ``workbench.records.Record`` written to ``out``.
    """
    classes = dataset_classes(dataset)
    stems = data_stems(dataset)
    files = find_predictions(preds_dir, stems)
    evaluator = SegmentationEvaluator(classes.num_classes, classes.ignore_index, per_image=True)
    masks = []
    for index, stem in enumerate(stems):
        target = data_target(dataset, index)
        pred = read_prediction(files[stem], classes, target.shape)
        evaluator.update(pred, target)
        masks.append(pred)
    source = {"kind": "predictions", "dir": str(Path(preds_dir).resolve())}
    return write_record(out, source=source, data=describe_data(dataset), scores=evaluator.compute(), stems=stems,
                        masks=masks, classes=classes)


def model_source(model: nn.Module, spec: dict | None, weights: str | Path | None) -> dict:
    """The ``source`` of a record for a model: registry spec, weights file and its sha256."""
    spec = spec or {}
    return {"kind": "model", "name": spec.get("name", type(model).__name__), "encoder": spec.get("encoder"),
            "weights": None if weights is None else str(weights),
            "sha256": None if weights is None else file_sha256(Path(weights))}


def score_comparison(sources: Mapping[str, str | Path], dataset, out: str | Path) -> dict[str, Record]:
    """Score several prediction folders on the same data into one comparison folder.

    Args:
        sources: name -> predictions folder; each becomes the record ``out/<name>``, in this order.
        dataset: the target data (with ``.classes``).
        out: the comparison folder; gets the tables ``compare`` writes.

    Returns:
        name -> ``Record``.
    """
    out = Path(out)
    records = {name: score_predictions(folder, dataset, out / name) for name, folder in sources.items()}
    table = comparison_table({name: r.scores for name, r in records.items()},
                             {name: {"source": str(Path(folder))} for name, folder in sources.items()},
                             settings="Predictions of other tools.", ignore_index=dataset_classes(dataset).ignore_index)
    write_comparison(out, table, records)
    return records
