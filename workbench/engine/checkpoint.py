"""Checkpoints as safetensors files (never pickle), written atomically.

One file holds the model weights (``model/<name>``), the optimizer's tensor state
(``optimizer/<param index>/<name>``) and a JSON metadata string with everything else: epoch, step, best
validation mIoU, the optimizer's hyper-parameters, the AMP scaler state, the class names, the model's
architecture (class name, registry spec) and a signature of its parameter names and shapes. Loading checks
that signature and the class names first and says plainly what the file holds and what the model expects.
A checkpoint never holds a NaN or an infinity (``save_checkpoint`` refuses them), and its metadata is read as
data (``checkpoint_meta``): checked field by field, never passed on as keyword arguments.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save
from torch import nn

from workbench.atomic import atomic_write_bytes
from workbench.engine.checkpoint_meta import CheckpointError, MetadataError, check_meta, model_spec
from workbench.models import create_model

FORMAT = "workbench-checkpoint"
VERSION = 1


class NonFiniteCheckpoint(CheckpointError):
    """Refusal to save weights (or optimizer state) that hold NaN or infinite values.

    Attributes:
        names: the tensors with non-finite values, as stored (``model/<name>``, ``optimizer/<index>/<name>``).
    """

    def __init__(self, path, names: list[str]):
        self.names = names
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        super().__init__(
            f"{path}: not written: {shown} hold NaN or infinite values (the training diverged); the "
            f"previous checkpoint is kept."
        )


def architecture_signature(model: nn.Module) -> str:
    """Short hash of the state dict's names, shapes and dtypes: equal iff the weights are interchangeable."""
    lines = [f"{k}:{tuple(v.shape)}:{v.dtype}" for k, v in sorted(model.state_dict().items())]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def save_checkpoint(
    path: str | Path, model: nn.Module, *, optimizer=None, scaler=None, meta: dict | None = None
) -> Path:
    """Write model (and optimizer, scaler) state to ``path`` atomically.

    Args:
        path: target ``.safetensors`` file.
        model: the bare model (not a DistributedDataParallel wrapper).
        optimizer: optional ``torch.optim.Optimizer`` whose state is stored too.
        scaler: optional ``torch.amp.GradScaler``.
        meta: JSON-ready extras (epoch, step, class_names, model spec, ...).

    Raises:
        NonFiniteCheckpoint: a parameter, buffer or optimizer tensor holds NaN or inf; nothing is written.
    """
    tensors = {f"model/{k}": _plain(v) for k, v in model.state_dict().items()}
    info = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": type(model).__name__,
        "signature": architecture_signature(model),
        **(meta or {}),
    }
    if optimizer is not None:
        opt_tensors, info["optimizer"] = _split_optimizer(optimizer.state_dict())
        tensors.update(opt_tensors)
    if scaler is not None and scaler.is_enabled():
        info["scaler"] = scaler.state_dict()
    bad = non_finite_names(tensors)
    if bad:
        raise NonFiniteCheckpoint(path, bad)
    data = save(tensors, metadata={"workbench": json.dumps(info)})
    return atomic_write_bytes(path, data)


def read_checkpoint_info(path: str | Path) -> dict[str, Any]:
    """The metadata of a checkpoint, without loading its tensors."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            f"{path}: no such checkpoint file; check the path (runs write last.safetensors and best.safetensors)."
        )
    try:
        with safe_open(str(path), framework="pt") as f:
            info = json.loads((f.metadata() or {})["workbench"])
    except Exception as err:  # safetensors raises its own error types for a damaged file
        raise CheckpointError(
            f"{path}: not a workbench checkpoint ({err}); give a last.safetensors/best.safetensors from a run folder."
        ) from err
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        found = info.get("format") if isinstance(info, dict) else info
        raise MetadataError(
            f"{path}: metadata format {found!r} is not {FORMAT!r}; give a checkpoint written by workbench."
        )
    return check_meta(path, info)


def non_finite_names(tensors: dict[str, torch.Tensor]) -> list[str]:
    """Names of the floating-point tensors that hold a NaN or an infinity."""
    return [k for k, t in tensors.items() if t.is_floating_point() and not bool(torch.isfinite(t).all())]


def load_checkpoint(
    path: str | Path, model: nn.Module, *, optimizer=None, scaler=None, class_names=None
) -> dict[str, Any]:
    """Load a checkpoint into ``model`` (and ``optimizer``, ``scaler``) and return its metadata.

    Raises:
        CheckpointError: the file is missing or damaged, its architecture differs from ``model``'s, or its
            class names differ from ``class_names`` (when given).
    """
    info = read_checkpoint_info(path)
    check_compatible(path, info, model, class_names)
    tensors = load_file(str(path), device="cpu")
    model.load_state_dict({k[len("model/") :]: v for k, v in tensors.items() if k.startswith("model/")})
    if optimizer is not None:
        if "optimizer" not in info:
            raise CheckpointError(
                f"{path}: holds no optimizer state, so the run cannot resume from it; start a new run."
            )
        optimizer.load_state_dict(_join_optimizer(tensors, info["optimizer"]))
    if scaler is not None and "scaler" in info:
        scaler.load_state_dict(info["scaler"])
    return info


def check_compatible(path, info: dict, model: nn.Module, class_names=None) -> None:
    """Raise a CheckpointError naming both sides when the checkpoint does not fit the model or classes."""
    held = f"{info.get('architecture')} ({_describe(info)})"
    if info["signature"] != architecture_signature(model):
        raise CheckpointError(
            f"{path} holds a {held} whose weights do not fit the given {type(model).__name__}: "
            f"{_state_dict_diff(path, model)}. Build the model with the same name, encoder and number of "
            f"classes as the run that wrote the file (its config.json says which)."
        )
    if class_names is not None and info.get("class_names") is not None and list(class_names) != info["class_names"]:
        raise CheckpointError(
            f"{path} was trained on classes {info['class_names']} but the data has classes {list(class_names)}; "
            f"evaluate it on data with the same classes in the same order, or train a new model."
        )


def _describe(info: dict) -> str:
    names = info.get("class_names")
    spec = info.get("model") or {}
    parts = [f"model {spec.get('name')!r}"] if spec.get("name") else []
    parts.append(f"{info.get('num_classes', len(names) if names else '?')} classes")
    return ", ".join(parts)


def _state_dict_diff(path, model: nn.Module, limit: int = 3) -> str:
    with safe_open(str(path), framework="pt") as f:
        held = {k[len("model/") :]: tuple(f.get_slice(k).get_shape()) for k in f.keys() if k.startswith("model/")}
    wanted = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    shapes = [
        f"{k} is {held[k]} in the file but {wanted[k]} in the model"
        for k in wanted
        if k in held and held[k] != wanted[k]
    ]
    missing = sorted(set(wanted) - set(held))
    extra = sorted(set(held) - set(wanted))
    parts = shapes[:limit]
    if missing:
        parts.append(f"{len(missing)} model weights missing from the file (e.g. {missing[:limit]})")
    if extra:
        parts.append(f"{len(extra)} file weights unknown to the model (e.g. {extra[:limit]})")
    return "; ".join(parts) or "dtypes differ"


def _plain(t: torch.Tensor) -> torch.Tensor:
    # safetensors wants dense, contiguous, unshared CPU tensors; channels-last weights are not contiguous.
    return t.detach().to("cpu").contiguous().clone()


def _split_optimizer(state_dict: dict) -> tuple[dict[str, torch.Tensor], dict]:
    tensors, scalars = {}, {}
    for index, entries in state_dict["state"].items():
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer/{index}/{key}"] = _plain(value)
            else:
                scalars.setdefault(str(index), {})[key] = value
    return tensors, {"param_groups": state_dict["param_groups"], "scalars": scalars}


def _join_optimizer(tensors: dict[str, torch.Tensor], info: dict) -> dict:
    state: dict[int, dict] = {}
    for index, entries in info["scalars"].items():
        state.setdefault(int(index), {}).update(entries)
    for name, value in tensors.items():
        if name.startswith("optimizer/"):
            _, index, key = name.split("/", 2)
            state.setdefault(int(index), {})[key] = value
    return {"state": state, "param_groups": info["param_groups"]}


def load_model(path: str | Path, *, device: str | torch.device = "cpu") -> nn.Module:
    """Rebuild the model a run trained (from the ``model`` spec ``fit`` stored) and load its weights.

    Example:
        >>> model = load_model("runs/demo/unet/best.safetensors")  # in eval mode, on the CPU
    """
    info = read_checkpoint_info(path)
    spec = model_spec(path, info)
    if spec is None or "num_classes" not in info:
        raise CheckpointError(
            f"{path}: does not say which model wrote it (fit was called without model_spec); build "
            f"the model with workbench.models.create_model and use load_checkpoint(path, model)."
        )
    # Only the validated name and encoder; no pretrained weights: the checkpoint replaces every weight anyway.
    model = create_model(spec["name"], info["num_classes"], encoder=spec["encoder"], encoder_weights=None)
    load_checkpoint(path, model)
    return model.to(device).eval()
