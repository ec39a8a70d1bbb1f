"""Joint image + mask transforms: geometric ones move both alike, photometric ones touch the image only.

Every transform is a callable ``(image, mask) -> (image, mask)`` on an image float32 ``(3, H, W)`` in
``[0, 1]`` (before normalisation) and a mask int64 ``(H, W)``. Images are resampled bilinearly, masks by
nearest neighbour (interpolating class ids would invent classes), and pixels that come from outside the
picture are 0 in the image and ``ignore_index`` in the mask. Randomness comes from torch's global RNG, so
``torch.manual_seed`` and a seeded DataLoader (which seeds each worker) make runs reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from .classes import IGNORE_INDEX

Pair = tuple[torch.Tensor, torch.Tensor]


def _pair_size(size: int | Sequence[int]) -> tuple[int, int]:
    height, width = (size, size) if isinstance(size, int) else tuple(size)
    if height < 1 or width < 1:
        raise ValueError(f"size must be positive, got {size!r}")
    return int(height), int(width)


def _uniform(low: float, high: float) -> float:
    return float(torch.empty(()).uniform_(low, high)) if high > low else float(low)


def resize_pair(image: torch.Tensor, mask: torch.Tensor, size: tuple[int, int]) -> Pair:
    """Resize image (bilinear, antialiased when shrinking) and mask (nearest) to ``size = (H, W)``."""
    if tuple(image.shape[-2:]) == tuple(size):
        return image, mask
    image = F.interpolate(image[None], size=size, mode="bilinear", align_corners=False, antialias=True)[0]
    # "nearest-exact" samples pixel centres like bilinear with align_corners=False, so the two stay aligned
    mask = F.interpolate(mask[None, None].float(), size=size, mode="nearest-exact")[0, 0].long()
    return image.clamp_(0.0, 1.0), mask


class Compose:
    """Apply joint transforms in order."""

    def __init__(self, transforms: Sequence[Callable[[torch.Tensor, torch.Tensor], Pair]]):
        self.transforms = list(transforms)

    def __call__(self, image: torch.Tensor, mask: torch.Tensor) -> Pair:
        for transform in self.transforms:
            image, mask = transform(image, mask)
        return image, mask

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


class Resize:
    """Resize to ``size``: an ``(H, W)`` pair, or an int for the shorter side (aspect ratio kept)."""

    def __init__(self, size: int | Sequence[int]):
        self.size = size

    def __call__(self, image: torch.Tensor, mask: torch.Tensor) -> Pair:
        if isinstance(self.size, int):
            height, width = image.shape[-2:]
            scale = self.size / min(height, width)
            target = (max(1, round(height * scale)), max(1, round(width * scale)))
        else:
            target = _pair_size(self.size)
        return resize_pair(image, mask, target)

    def __repr__(self) -> str:
        return f"Resize({self.size!r})"


class RandomScale:
    """Rescale by a factor drawn uniformly from ``scale = (low, high)``, the same for height and width."""

    def __init__(self, scale: tuple[float, float] = (0.5, 2.0)):
        if not 0 < scale[0] <= scale[1]:
            raise ValueError(f"scale must be (low, high) with 0 < low <= high, got {scale!r}")
        self.scale = tuple(scale)

    def __call__(self, image: torch.Tensor, mask: torch.Tensor) -> Pair:
        factor = _uniform(*self.scale)
        height, width = image.shape[-2:]
        return resize_pair(image, mask, (max(1, round(height * factor)), max(1, round(width * factor))))

    def __repr__(self) -> str:
        return f"RandomScale({self.scale!r})"


class RandomCrop:
    """Crop a random ``size`` window; a smaller input is first padded (image 0, mask ``ignore_index``).

    Padding goes to the bottom and right, so the original pixels keep their coordinates.
    """

    def __init__(self, size: int | Sequence[int], ignore_index: int = IGNORE_INDEX):
        self.size, self.ignore_index = _pair_size(size), ignore_index

    def __call__(self, image: torch.Tensor, mask: torch.Tensor) -> Pair:
        image, mask = pad_pair(image, mask, self.size, self.ignore_index)
        (height, width), (crop_h, crop_w) = image.shape[-2:], self.size
        top = int(torch.randint(0, height - crop_h + 1, ()))
        left = int(torch.randint(0, width - crop_w + 1, ()))
        return image[:, top : top + crop_h, left : left + crop_w], mask[top : top + crop_h, left : left + crop_w]

    def __repr__(self) -> str:
        return f"RandomCrop({self.size!r})"


def pad_pair(image: torch.Tensor, mask: torch.Tensor, size: tuple[int, int], ignore_index: int = IGNORE_INDEX) -> Pair:
    """Pad bottom/right up to at least ``size = (H, W)``: image with 0, mask with ``ignore_index``."""
    pad_h, pad_w = max(0, size[0] - image.shape[-2]), max(0, size[1] - image.shape[-1])
    if pad_h == 0 and pad_w == 0:
        return image, mask
    image = F.pad(image, (0, pad_w, 0, pad_h), value=0.0)
    mask = F.pad(mask, (0, pad_w, 0, pad_h), value=ignore_index)
    return image, mask


class RandomHorizontalFlip:
    """Mirror image and mask left-right with probability ``p``."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, image: torch.Tensor, mask: torch.Tensor) -> Pair:
        if float(torch.rand(())) < self.p:
            return image.flip(-1), mask.flip(-1)
        return image, mask

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class ColorJitter:
    """Random brightness, contrast and saturation, each factor drawn from ``[1 - s, 1 + s]``; image only."""

    def __init__(self, brightness: float = 0.2, contrast: float = 0.2, saturation: float = 0.2):
        self.brightness, self.contrast, self.saturation = brightness, contrast, saturation

    def __call__(self, image: torch.Tensor, mask: torch.Tensor) -> Pair:
        image = image * _uniform(1 - self.brightness, 1 + self.brightness)
        grey = (0.299 * image[0] + 0.587 * image[1] + 0.114 * image[2])[None]  # ITU-R 601 luma, as PIL
        image = (image - grey.mean()) * _uniform(1 - self.contrast, 1 + self.contrast) + grey.mean()
        grey = (0.299 * image[0] + 0.587 * image[1] + 0.114 * image[2])[None]
        image = (image - grey) * _uniform(1 - self.saturation, 1 + self.saturation) + grey
        return image.clamp(0.0, 1.0), mask

    def __repr__(self) -> str:
        return f"ColorJitter({self.brightness}, {self.contrast}, {self.saturation})"


def train_transforms(
    crop_size: int | Sequence[int],
    *,
    scale: tuple[float, float] | None = (0.5, 2.0),
    hflip: bool = True,
    jitter: float = 0.2,
) -> Compose:
    """The usual training augmentation: random scale, random crop (padded with void), flip, colour jitter.

    Args:
        crop_size: output size, an int or ``(H, W)``; every sample comes out this size.
        scale: range of the random scale factor; ``None`` for no rescaling.
        hflip: mirror half of the samples.
        jitter: strength of brightness/contrast/saturation jitter; 0 for none.
    """
    steps = [RandomScale(scale)] if scale is not None else []
    steps.append(RandomCrop(crop_size))
    steps += [RandomHorizontalFlip()] if hflip else []
    steps += [ColorJitter(jitter, jitter, jitter)] if jitter else []
    return Compose(steps)


def eval_transforms(size: int | Sequence[int] | None = None) -> Compose:
    """Evaluation: no randomness; optionally resize (an int resizes the shorter side, aspect kept)."""
    return Compose([Resize(size)] if size is not None else [])
