"""A plain reference for the metrics, written from DESIGN.md's words: one image and one class at a time.

It shares no code with ``workbench.metrics`` and is deliberately simple and slow: masks per class, scipy's
binary erosion for bands and edges, scipy's Euclidean distance transform for the BF tolerance. The tests
hold the package to it, and ``bench/metrics_speed.py`` times the package against it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import ndimage

SQUARE = np.ones((3, 3), dtype=bool)  # 8-connectivity: chessboard distance 1


def band(mask: np.ndarray, d: int) -> np.ndarray:
    """Inner band: the mask minus its 3x3 erosion iterated d times, pixels outside the image not in the mask."""
    if not mask.any():
        return mask.copy()
    return mask & ~ndimage.binary_erosion(mask, SQUARE, iterations=d, border_value=0)


def edge(mask: np.ndarray) -> np.ndarray:
    """BF edge: pixels of the mask with a pixel not in it among their 8 neighbours; the frame is no edge."""
    if not mask.any():
        return mask.copy()
    return mask & ~ndimage.binary_erosion(mask, SQUARE, border_value=1)


def confusion(pred: np.ndarray, target: np.ndarray, num_classes: int, ignore_index: int) -> np.ndarray:
    """(C, C) counts, rows target class, columns predicted class, void targets left out."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    keep = target != ignore_index
    np.add.at(cm, (target[keep].astype(np.int64), pred[keep].astype(np.int64)), 1)
    return cm


def boundary_iou_image(pred, target, num_classes, ignore_index):
    """Per class |G and P| and |G or P| of one image; P from pred' (void where the target is void)."""
    height, width = target.shape
    d = max(1, round(0.02 * math.sqrt(height**2 + width**2)))
    keep = target != ignore_index
    pred = np.where(keep, pred, ignore_index)  # pred': void where the target is void
    inter, union = np.zeros(num_classes, np.int64), np.zeros(num_classes, np.int64)
    for c in range(num_classes):
        g = band(target == c, d) & keep
        p = band(pred == c, d) & keep
        inter[c], union[c] = (g & p).sum(), (g | p).sum()
    return inter, union


def edge_distance_scores(pred, target, num_classes, ignore_index, score, one_empty) -> np.ndarray:
    """Per class ``score(d(Bp -> Bg), d(Bg -> Bp))`` of one image, from the BF edges of the target and of
    pred' (void where the target is void); ``one_empty`` when exactly one edge is empty, NaN when both are.

    ``d(A -> B)`` holds the Euclidean distance from each pixel of A to the nearest pixel of B.
    """
    keep = target != ignore_index
    pred = np.where(keep, pred, ignore_index)  # pred': void where the target is void
    scores = np.full(num_classes, np.nan)
    for c in range(num_classes):
        bg, bp = edge(target == c) & keep, edge(pred == c) & keep
        if not bg.any() and not bp.any():
            continue
        if not bg.any() or not bp.any():
            scores[c] = one_empty
            continue
        scores[c] = score(ndimage.distance_transform_edt(~bg)[bp], ndimage.distance_transform_edt(~bp)[bg])
    return scores


def bf_image(pred, target, num_classes, ignore_index) -> np.ndarray:
    """Per class BF score of one image, NaN where both boundaries are empty; Bp from pred'.

    A boundary pixel matches when the Euclidean distance to the other boundary is ``<= theta``.
    """
    height, width = target.shape
    theta = 0.0075 * math.sqrt(height**2 + width**2)

    def f1(to_target, to_pred):
        precision, recall = np.mean(to_target <= theta), np.mean(to_pred <= theta)
        return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)

    return edge_distance_scores(pred, target, num_classes, ignore_index, f1, one_empty=0.0)


def nsd_image(pred, target, num_classes, ignore_index, tau: float | None = None) -> np.ndarray:
    """Per class NSD of one image: the share of the pixels of both BF edges within Euclidean distance ``<= tau``
    of the other edge (tau default 0.0075 x image diagonal); 0 when one edge is empty, NaN when both are."""
    tau = 0.0075 * math.hypot(*target.shape) if tau is None else tau

    def nsd(to_target, to_pred):
        return (np.sum(to_target <= tau) + np.sum(to_pred <= tau)) / (len(to_target) + len(to_pred))

    return edge_distance_scores(pred, target, num_classes, ignore_index, nsd, one_empty=0.0)


def hd95_image(pred, target, num_classes, ignore_index) -> np.ndarray:
    """Per class HD95 of one image: the larger directed 95th percentile (numpy's linear) of the Euclidean
    distances between the BF edges; the diagonal when one edge is empty, NaN when both are."""

    def hd95(to_target, to_pred):
        return max(np.percentile(to_target, 95), np.percentile(to_pred, 95))

    return edge_distance_scores(pred, target, num_classes, ignore_index, hd95, one_empty=math.hypot(*target.shape))


def mean_defined(values) -> float:
    """Mean of the non-NaN values; NaN if there is none."""
    values = [v for v in np.asarray(values, dtype=float).ravel() if not np.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def divide(a, b) -> float:
    return float(a) / float(b) if b != 0 else float("nan")


def region_scores(cm: np.ndarray) -> dict:
    """Region keys of DESIGN.md from a (C, C) confusion matrix, class by class."""
    num_classes, total = len(cm), cm.sum()
    rows, cols = cm.sum(1), cm.sum(0)
    accuracy = np.array([divide(cm[c, c], rows[c]) for c in range(num_classes)])
    iou = np.array([divide(cm[c, c], rows[c] + cols[c] - cm[c, c]) for c in range(num_classes)])
    dice = np.array([divide(2 * cm[c, c], rows[c] + cols[c]) for c in range(num_classes)])
    defined = [c for c in range(num_classes) if not np.isnan(iou[c])]
    fwiou = sum(rows[c] / total * iou[c] for c in defined) if total else float("nan")
    return {
        "pixel_accuracy": divide(np.trace(cm), total),
        "accuracy": accuracy, "mean_accuracy": mean_defined(accuracy),
        "iou": iou, "miou": mean_defined(iou), "fwiou": float(fwiou),
        "dice": dice, "mean_dice": mean_defined(dice),
    }  # fmt: skip


def _as_list(maps):
    maps = [np.asarray(m) for m in maps] if isinstance(maps, (list, tuple)) else list(np.asarray(maps))
    return [m.reshape(m.shape[-2:]) for m in maps]


def scores(preds, targets, num_classes: int, ignore_index: int = 255, distances: bool = False) -> dict:
    """Every key of ``Scores.as_dict()`` plus ``confusion``, for a list or batch of (H, W) maps (NSD at its
    default tau); with ``distances`` also ``class_hd95`` and ``hd95``."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    inter, union = np.zeros(num_classes, np.int64), np.zeros(num_classes, np.int64)
    per_image_bf, per_image_nsd = [], []
    for pred, target in zip(_as_list(preds), _as_list(targets)):
        cm += confusion(pred, target, num_classes, ignore_index)
        i, u = boundary_iou_image(pred, target, num_classes, ignore_index)
        inter, union = inter + i, union + u
        per_image_bf.append(bf_image(pred, target, num_classes, ignore_index))
        per_image_nsd.append(nsd_image(pred, target, num_classes, ignore_index))
    class_biou = np.array([divide(inter[c], union[c]) for c in range(num_classes)])
    out = region_scores(cm)
    out.update(class_boundary_iou=class_biou, boundary_miou=mean_defined(class_biou), confusion=cm)
    out.update(image_cell_means("boundary_f1", per_image_bf, num_classes))
    out.update(image_cell_means("nsd", per_image_nsd, num_classes))
    if distances:
        hd = [hd95_image(p, t, num_classes, ignore_index) for p, t in zip(_as_list(preds), _as_list(targets))]
        out.update(image_cell_means("hd95", hd, num_classes))
    return out


def image_cell_means(key: str, cells, num_classes: int) -> dict:
    """``class_<key>``: per class, the mean over the images where defined; ``<key>``: the mean over images of
    each image's mean over its defined classes (BF's averaging)."""
    cells = np.array(cells).reshape(-1, num_classes)
    return {
        f"class_{key}": np.array([mean_defined(cells[:, c]) for c in range(num_classes)]),
        key: mean_defined([mean_defined(row) for row in cells]),
    }


def per_image(preds, targets, num_classes: int, ignore_index: int = 255) -> list[dict]:
    """Per image: pixel_accuracy, miou, boundary_iou, boundary_f1, nsd."""
    rows = []
    for pred, target in zip(_as_list(preds), _as_list(targets)):
        one = scores([pred], [target], num_classes, ignore_index)
        rows.append(
            {
                "pixel_accuracy": one["pixel_accuracy"],
                "miou": one["miou"],
                "boundary_iou": one["boundary_miou"],
                "boundary_f1": one["boundary_f1"],
                "nsd": one["nsd"],
            }
        )
    return rows


def trimap_miou(preds, targets, num_classes: int, widths, ignore_index: int = 255) -> list[float]:
    """mIoU over non-void pixels whose (2w+1) window, clipped to the image, holds another target label."""
    out = []
    for w in widths:
        cm = np.zeros((num_classes, num_classes), dtype=np.int64)
        for pred, target in zip(_as_list(preds), _as_list(targets)):
            near_change = np.zeros(target.shape, dtype=bool)
            for label in np.unique(target):  # void is a label too
                mask = target == label
                near_change |= mask & ~ndimage.binary_erosion(mask, SQUARE, iterations=w, border_value=1)
            keep = near_change & (target != ignore_index)
            cm += confusion(pred[keep], target[keep], num_classes, ignore_index)
        out.append(region_scores(cm)["miou"])
    return out


def rectangles(rng, count: int, shape, largest: int = 16) -> np.ndarray:
    """``(count, H, W)`` maps of axis-aligned rectangles away from the frame, of sides 4 to ``largest - 1``, one
    per class 1, 2, 3 in its own vertical strip (no overlaps, so no concave corners), on class 0: masks where
    MONAI's 4-neighbour edges and DESIGN.md's 8-neighbour edges coincide."""
    maps = np.zeros((count, *shape), dtype=np.int64)
    strip = shape[1] // 3
    for image in maps:
        for label in (1, 2, 3):
            top = rng.integers(3, shape[0] - largest - 4)
            left = rng.integers(3, strip - largest - 2) + (label - 1) * strip
            image[top : top + rng.integers(4, largest), left : left + rng.integers(4, largest)] = label
    return maps


def quiet(func, *args, **kwargs):
    """Run without numpy's mean-of-empty warnings (the reference avoids them, this guards the benchmark)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return func(*args, **kwargs)
