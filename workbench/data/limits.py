"""Memory guards: sizes refused before anything large is allocated, with a message saying what to do.

An 8000 x 8000 photograph is 0.7 GiB as a float32 RGB sample and several GiB once transformed, normalised
and batched; it used to crash inside ``pad_collate``. Raise these limits (``workbench.data.limits.
MAX_IMAGE_PIXELS = ...``) when the machine has the memory.
"""

MAX_IMAGE_PIXELS = 4096 * 4096  # per image or mask, read from the file header before decoding: 192 MiB as float32
MAX_BATCH_BYTES = 4 * 2**30  # per padded batch of float32 images in pad_collate


def megapixels(height: int, width: int) -> str:
    return f"{height * width / 1e6:.1f} megapixels"


def size_text(num_bytes: float) -> str:
    """``"1.5 GiB"`` or ``"96 MiB"``."""
    return f"{num_bytes / 2**30:.1f} GiB" if num_bytes >= 2**30 else f"{num_bytes / 2**20:.1f} MiB"
