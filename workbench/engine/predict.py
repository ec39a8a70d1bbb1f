"""The one prediction path: batches through the model, each prediction cropped to its image, then scored.

Validation during training, ``score_model`` and the evaluation records all go through ``predict``. Batches
of images of different sizes are padded (``loaders.create_eval_loader``); every prediction is cropped back
to its image's size before scoring, so the boundary scores see each image's own frame and a record stores
masks of the target's size.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from workbench.engine import distributed
from workbench.engine.runtime import Runtime
from workbench.progress_bar import tqdm

MaskSink = Callable[[list[np.ndarray], list[np.ndarray]], None]  # (predicted maps, target maps) of one batch


@torch.no_grad()
def predict(
    model: nn.Module,
    loader: DataLoader,
    evaluator,
    *,
    runtime: Runtime,
    criterion: nn.Module | None = None,
    sink: MaskSink | None = None,
    reduce: bool = True,
    progress: bool = False,
    desc: str = "predict",
) -> float:
    """Run ``model`` over ``loader`` and add every prediction to ``evaluator``; returns the mean loss per image.

    Args:
        model: maps images ``(N, 3, H, W)`` to logits ``(N, C, H, W)``.
        loader: batches ``(images, masks, sizes)`` from ``loaders.create_eval_loader``.
        evaluator: a ``workbench.metrics.SegmentationEvaluator``; updated in place, then all-reduced.
        runtime: device and precision of the forward pass.
        criterion: optional loss, averaged per image.
        sink: called after each batch with its predicted class maps and its target maps ``(H_i, W_i)``
            (numpy, on the CPU, cropped to each image), e.g. ``RecordWriter.add_masks``: nothing is kept here.
        reduce: sum the counts and the loss over torchrun processes (each scored its shard); False when
            this process alone scores the whole set.
        progress: show a tqdm bar.
        desc: the bar's label.

    Returns:
        The mean ``criterion`` loss per image over all processes (NaN without a criterion).
    """
    model.eval()
    totals = torch.zeros(2, dtype=torch.float64, device=runtime.device)
    for images, masks, sizes in tqdm(loader, leave=False, disable=not progress, desc=desc):
        images, masks = runtime.to_device(images, masks)
        with runtime.autocast():
            logits = model(images)
        preds = logits.argmax(dim=1)
        if all(size == tuple(masks.shape[-2:]) for size in sizes):  # no padding: score the batch as it is
            evaluator.update(preds, masks)
            crops, targets = list(preds), list(masks)
        else:
            crops = [pred[:h, :w] for pred, (h, w) in zip(preds, sizes)]
            targets = [mask[:h, :w] for mask, (h, w) in zip(masks, sizes)]
            evaluator.update(crops, targets)
        if sink is not None:
            dtype = torch.uint8 if logits.shape[1] <= 256 else torch.int32  # class ids only: a byte while they fit
            sink([crop.to(dtype).cpu().numpy() for crop in crops], [mask.cpu().numpy() for mask in targets])
        if criterion is not None:  # padded pixels hold ignore_index: no part in the loss
            totals += torch.stack([criterion(logits, masks).double() * len(images), totals.new_tensor(len(images))])
    totals = totals.cpu()
    if reduce:
        evaluator.all_reduce()
        totals = distributed.all_reduce_sum(totals)
    return (totals[0] / totals[1]).item() if totals[1] > 0 else math.nan
