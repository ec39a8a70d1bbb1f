"""Segmenting one photo of any size with a trained model: what ``workbench predict`` and ``PhotoSegmenter`` share.

How a photo of any size meets a model trained at another: the photo (RGB uint8, as ``data.read_photo``
gives it) is scaled, aspect ratio kept, so that its longer side is the size the model was trained at
(``PhotoModel.size``; a photo of unknown scale keeps its own size up to ``MAX_SIDE``). The model pads its
input to a multiple of its stride and crops its logits back (every workbench model maps ``(N, 3, H, W)`` to
``(N, C, H, W)``). The logits are then scaled bilinearly to the photo's own size and the argmax taken there,
so the mask has exactly the photo's pixels and its class edges are smooth rather than blocky; the scaling is
done in bands of rows, so a large photo never holds all its class scores at full size at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from workbench.data.classes import CLASSES_FILE, Classes
from workbench.data.normalize import normalize_array
from workbench.data.palette import default_classes
from workbench.engine.checkpoint import load_model, read_checkpoint_info
from workbench.metrics import class_pixel_counts
from workbench.models.eval_mode import eval_mode
from workbench.records import is_record, read_record, read_run_config

MAX_SIDE = 1024  # longer side a photo of unknown training scale is brought down to (memory and time)
BAND_ROWS = 256  # output rows scaled at once: bounds the memory of the full-size class scores


@dataclass(frozen=True)
class PhotoModel:
    """A trained model with what a photo needs from its run: the classes and the training scale."""

    model: nn.Module  # in eval mode
    classes: Classes
    size: int | None  # longer side of the training images; None when the run does not say


@dataclass(frozen=True)
class PhotoSegmentation:
    """One photo and its predicted mask, at the photo's size."""

    photo: np.ndarray  # uint8 (H, W, 3)
    mask: np.ndarray  # uint8 (H, W) class ids (int32 beyond 256 classes)
    input_size: tuple[int, int]  # (h, w) the model saw
    shares: np.ndarray  # float64 (C,): share of the photo's pixels given to each class

    def shares_table(self, classes: Classes) -> pd.DataFrame:
        """One row per class (index: its name): ``pixels`` and ``share`` of the photo, largest first."""
        pixels = np.rint(self.shares * self.mask.size).astype(np.int64)
        table = pd.DataFrame({"pixels": pixels, "share": self.shares}, index=pd.Index(classes.names, name="class"))
        return table.sort_values("share", ascending=False, kind="stable")


def load_photo_model(weights: str | Path, *, device: str | torch.device = "cpu") -> PhotoModel:
    """The model of a run folder's ``best.safetensors`` (or ``last``), its classes and its training size.

    The classes come from ``classes.json`` beside the weights (names and colours), else from the names the
    checkpoint records with the default colours; the size from the run's crop size (``config.json``) or its
    generated images' size (the run's record).

    Raises:
        CheckpointError: the weights are missing, damaged, or do not say which model wrote them.
    """
    weights = Path(weights)
    model = load_model(weights, device=device)
    run = weights.parent
    if (run / CLASSES_FILE).is_file():
        classes = Classes.from_json(run / CLASSES_FILE)
    else:
        names = read_checkpoint_info(weights)["class_names"]
        classes = Classes(names, default_classes(len(names)).colors)
    return PhotoModel(model, classes, training_size(run))


def training_size(run: str | Path) -> int | None:
    """Longer side of the images a run trained on: its crop size, else its generated images' size; None when
    it trained on whole dataset images (their sizes are the dataset's) or the folder does not say."""
    run = Path(run)
    if (run / "config.json").is_file():
        crop = read_run_config(run / "config.json").get("config", {}).get("crop_size")
        if crop:
            return max(crop)
    if is_record(run):
        synthetic = read_record(run).data.get("synthetic") or {}
        if synthetic.get("image_size"):
            return max(synthetic["image_size"])
    return None


def model_input_size(photo_size: tuple[int, int], size: int | None) -> tuple[int, int]:
    """``(h, w)`` a photo of ``photo_size`` is scaled to: longer side ``size`` (aspect kept), or for ``None``
    the photo's own size, brought down to ``MAX_SIDE`` when larger."""
    height, width = photo_size
    longest = max(height, width)
    scale = (min(longest, MAX_SIDE) if size is None else size) / longest
    return max(1, round(height * scale)), max(1, round(width * scale))


@torch.no_grad()
def segment_photo(model: nn.Module, photo: np.ndarray, *, size: int | None = None) -> PhotoSegmentation:
    """Predict the mask of one photo at its own size (see the module docstring for the scaling).

    Args:
        model: maps ``(N, 3, H, W)`` normalised images to logits ``(N, C, H, W)``.
        photo: uint8 ``(H, W, 3)`` RGB.
        size: longer side the model sees (the training size); ``None``: the photo's own, at most ``MAX_SIDE``.
    """
    photo = np.asarray(photo)
    if photo.dtype != np.uint8 or photo.ndim != 3 or photo.shape[-1] != 3:
        raise ValueError(f"segment_photo: expected a uint8 (H, W, 3) RGB photo, got {photo.dtype} {photo.shape}.")
    height, width = photo.shape[:2]
    input_size = model_input_size((height, width), size)
    scaled = photo
    if input_size != (height, width):  # PIL's bilinear filter widens its support when shrinking: no aliasing
        scaled = np.asarray(Image.fromarray(photo).resize(input_size[::-1], Image.Resampling.BILINEAR))
    device = next(model.parameters()).device
    batch = torch.from_numpy(normalize_array(scaled.astype(np.float32) / np.float32(255.0)))[None].to(device)
    with eval_mode(model):
        logits = model(batch)[0].float()
    mask = upsampled_argmax(logits, (height, width)).cpu().numpy()
    mask = mask.astype(np.uint8 if logits.shape[0] <= 256 else np.int32)
    shares = class_pixel_counts([mask], logits.shape[0]) / mask.size
    return PhotoSegmentation(photo, mask, input_size, shares)


def upsampled_argmax(logits: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """``F.interpolate(logits[None], size, mode="bilinear").argmax(1)[0]``, ``BAND_ROWS`` output rows at a time.

    Args:
        logits: ``(C, h, w)``.
        size: ``(H, W)`` of the result.

    Returns:
        int64 ``(H, W)`` class ids.
    """
    height, width = size
    rows = F.interpolate(logits[None], size=(logits.shape[1], width), mode="bilinear", align_corners=False)[0]
    # Output row y samples input row (y + 0.5) * h / H - 0.5, clamped at 0, as F.interpolate does.
    source = ((torch.arange(height, device=logits.device) + 0.5) * (logits.shape[1] / height) - 0.5).clamp(min=0)
    below = source.floor().long().clamp(max=logits.shape[1] - 1)
    above = (below + 1).clamp(max=logits.shape[1] - 1)
    weight = (source - below).clamp(max=1)[:, None]
    mask = torch.empty(size, dtype=torch.long, device=logits.device)
    for start in range(0, height, BAND_ROWS):
        band = slice(start, start + BAND_ROWS)
        scores = rows[:, below[band]] * (1 - weight[band]) + rows[:, above[band]] * weight[band]
        mask[band] = scores.argmax(0)
    return mask
