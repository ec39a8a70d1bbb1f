"""Per-image confusion matrices from one ``bincount`` per batch (torchvision's ``ConfusionMatrix.update``)."""

from __future__ import annotations

import torch

MAX_BINS = 1 << 24  # above this many bins (very many classes), count a few images at a time


def confusion_counts(
    preds: torch.Tensor,
    targets: torch.Tensor,
    num_classes: int,
    *,
    flags: torch.Tensor | None = None,
    num_flags: int = 1,
) -> torch.Tensor:
    """Count (target, prediction[, flag]) triples per image, leaving out void pixels.

    A per-pixel flag (for instance "in the target's boundary band" and "in the prediction's band") splits
    every entry, so region and boundary counts come out of the same single pass over the pixels.

    Args:
        preds: ``(N, H, W)`` integer class ids in ``0..C-1`` (checked by ``compact_labels``).
        targets: ``(N, H, W)`` integer class ids; any value ``>= C`` is void and left out.
        num_classes: C.
        flags: optional ``(N, H, W)`` integer tensor with values in ``0..num_flags-1``.
        num_flags: F, the number of flag values.

    Returns:
        ``(N, C, C)`` int64 without flags, else ``(N, C, C, F)``, on the inputs' device; entry ``[n, t, p]``
        counts pixels of image n with target t predicted as p (rows: target class, columns: predicted class).
    """
    n, c, f = len(preds), num_classes, num_flags
    per_image = (c + 1) * c * f  # row C collects the void pixels, dropped below
    step = max(1, MAX_BINS // per_image)
    if n > step:  # only with very many classes: bound the bincount's memory
        parts = [
            confusion_counts(
                preds[i : i + step],
                targets[i : i + step],
                c,
                num_flags=f,
                flags=None if flags is None else flags[i : i + step],
            )
            for i in range(0, n, step)
        ]
        return torch.cat(parts)
    # The narrowest key type that holds every bin: less memory traffic in the few whole-batch steps below.
    key_dtype = next(t for t in (torch.int16, torch.int32, torch.int64) if n * per_image <= torch.iinfo(t).max)
    key = targets.clamp(max=c).to(key_dtype) * c + preds.to(key_dtype)
    if flags is not None:
        key = key * f + flags.to(key_dtype)
    key += torch.arange(n, device=key.device, dtype=key_dtype).view(n, 1, 1) * per_image
    counts = torch.bincount(key.flatten(), minlength=n * per_image).view(n, c + 1, c, f)[:, :c]
    return counts if flags is not None else counts[..., 0]
