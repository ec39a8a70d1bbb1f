"""A classifier applied at every window position: the slow way to segment that FCN replaces."""

from __future__ import annotations

from collections.abc import Callable

import torch


def window_grid(size: tuple[int, int], patch_size: int, stride: int) -> tuple[int, int]:
    """Window positions ``(rows, cols)`` of a ``patch_size`` window moved by ``stride`` over ``size = (H, W)``."""
    if min(size) < patch_size:
        raise ValueError(f"window_grid: image {tuple(size)} is smaller than the {patch_size}-pixel window.")
    return tuple((n - patch_size) // stride + 1 for n in size)


def sliding_window(
    classify: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    patch_size: int,
    stride: int,
    *,
    batch_size: int = 1024,
) -> torch.Tensor:
    """Score every ``patch_size`` window of ``images`` independently.

    Args:
        classify: maps patches ``(B, C, P, P)`` to scores ``(B, K)``.
        images: ``(N, C, H, W)``.
        patch_size: ``P``. stride: pixels between window positions.
        batch_size: windows classified per call (memory, not results).

    Returns:
        ``(N, K, rows, cols)`` with ``(rows, cols) = window_grid((H, W), P, stride)``; unit ``(i, j)`` is
        ``classify`` of the window with top-left corner ``(stride i, stride j)``.
    """
    n, c = images.shape[:2]
    rows, cols = window_grid(images.shape[-2:], patch_size, stride)
    # (N, C, rows, cols, P, P): views, no copy, until the patches are gathered batch by batch
    windows = images.unfold(2, patch_size, stride).unfold(3, patch_size, stride)
    patches = windows.permute(0, 2, 3, 1, 4, 5).reshape(n * rows * cols, c, patch_size, patch_size)
    scores = torch.cat([classify(patches[i : i + batch_size]) for i in range(0, len(patches), batch_size)])
    return scores.reshape(n, rows, cols, -1).permute(0, 3, 1, 2)
