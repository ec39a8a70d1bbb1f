"""Where and in which precision a run computes: device, autocast dtype, memory format.

On CUDA: bf16 autocast where the GPU supports it, else fp16 with a gradient scaler; channels-last
activations and weights; pinned host memory for faster copies. On a CPU the same code runs in float32.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn

_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": None}


@dataclass(frozen=True)
class Runtime:
    """Resolved device settings of a run.

    Attributes:
        device: the device that computes.
        precision: ``"bf16"``, ``"fp16"`` or ``"fp32"`` (never ``"auto"``).
        channels_last: whether images and weights use the NHWC memory format.
    """

    device: torch.device
    precision: str
    channels_last: bool

    @property
    def pin_memory(self) -> bool:
        return self.device.type == "cuda"

    def autocast(self):
        """Mixed-precision context for forward passes (a no-op in fp32)."""
        if self.precision == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=_DTYPES[self.precision])

    def grad_scaler(self) -> torch.amp.GradScaler:
        """A gradient scaler, enabled only for fp16 (bf16 has fp32's range and needs none)."""
        return torch.amp.GradScaler(self.device.type, enabled=self.precision == "fp16")

    def prepare_model(self, model: nn.Module) -> nn.Module:
        model = model.to(self.device)
        return model.to(memory_format=torch.channels_last) if self.channels_last else model

    def to_device(self, images: torch.Tensor, masks: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        images = images.to(self.device, non_blocking=True)
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        return images, masks.to(self.device, non_blocking=True)


def create_runtime(
    *, device: str = "auto", precision: str = "auto", channels_last: bool = True, local_rank: int = 0
) -> Runtime:
    """Resolve ``"auto"`` settings against the machine.

    Args:
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:<i>"``; ``"auto"`` and ``"cuda"`` pick
            ``cuda:<local_rank>`` under torchrun.
        precision: ``"auto"``, ``"bf16"``, ``"fp16"`` or ``"fp32"``.
        channels_last: use NHWC on CUDA (ignored on a CPU, where it rarely helps).
        local_rank: this process's GPU index on its machine.
    """
    dev = resolve_device(device, local_rank=local_rank)
    return Runtime(dev, resolve_precision(precision, dev), bool(channels_last and dev.type == "cuda"))


def resolve_device(device: str = "auto", *, local_rank: int = 0) -> torch.device:
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        device = f"cuda:{local_rank}"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device {device!r} is not a device; use cpu, cuda, cuda:N or auto.") from None
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device {device!r} is not supported; use cpu, cuda, cuda:N or auto.")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device {device!r} asked for but CUDA is not available here (no GPU or no CUDA driver); "
            f"use --device cpu or --device auto."
        )
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(
            f"device {device!r} asked for but this machine has {torch.cuda.device_count()} GPU(s); "
            f"use cuda:0 .. cuda:{torch.cuda.device_count() - 1}."
        )
    return dev


def resolve_precision(precision: str, device: torch.device) -> str:
    if precision == "auto":
        if device.type != "cuda":
            return "fp32"
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if precision not in _DTYPES:
        raise ValueError(f"precision {precision!r} is not one of auto, bf16, fp16, fp32.")
    if precision == "fp16" and device.type != "cuda":
        raise ValueError(
            "precision 'fp16' needs a CUDA device (it relies on a gradient scaler); use 'bf16' or 'fp32' on a CPU."
        )
    return precision
