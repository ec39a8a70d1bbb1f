"""Score a trained model on a whole dataset: dataset-level ``Scores`` and one row of scores per image."""
from __future__ import annotations

import torch
from torch import nn

from workbench.engine.fit import dataset_classes
from workbench.engine.runtime import Runtime
from workbench.engine.sampling import create_eval_loader
from workbench.metrics import SegmentationEvaluator


@torch.no_grad()
def score_model(model: nn.Module, dataset, *, batch_size: int = 8, runtime: Runtime | None = None,
                num_workers: int = 0, per_image: bool = True):
    """Predict every sample of ``dataset`` and score the predictions.

    Args:
        model: maps images ``(N, 3, H, W)`` to logits ``(N, C, H, W)``, C = ``dataset.classes.num_classes``.
        dataset: ``(image (3, H, W), mask (H, W))`` samples with ``.classes``.
        runtime: device and precision; None uses the model's device in float32.
        per_image: also keep one row of scores per image (``SegmentationEvaluator.per_image()``, index = dataset
            position).

    Returns:
        ``(scores, per_image_df)``: ``workbench.metrics.Scores`` and a DataFrame (None when ``per_image`` is False).
    """
    classes = dataset_classes(dataset)
    if runtime is None:
        runtime = Runtime(next(model.parameters()).device, "fp32", channels_last=False)
    evaluator = SegmentationEvaluator(classes.num_classes, classes.ignore_index, device=runtime.device, per_image=per_image)
    loader = create_eval_loader(dataset, batch_size=batch_size, num_workers=num_workers, pin_memory=runtime.pin_memory)
    model.eval()
    for images, masks in loader:
        images, masks = runtime.to_device(images, masks)
        with runtime.autocast():
            preds = model(images).argmax(dim=1)
        evaluator.update(preds, masks)
    return evaluator.compute(), evaluator.per_image() if per_image else None
