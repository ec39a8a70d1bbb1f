"""Checkpoint metadata is data: each field the package reads is checked before use.

A checkpoint's JSON metadata comes from a file anyone can craft. Nothing in it is passed on unchecked:
``check_meta`` validates the type and range of every known field the package reads (epoch, step, best
mIoU, elapsed time, classes, the model spec, the training config), and ``model_spec`` returns only the two
fields ``load_model`` builds from (``name``, ``encoder``), so a file cannot ask for ``encoder_weights`` or any
other builder keyword, and nothing is downloaded.
"""

from __future__ import annotations

import math
import re

from workbench.models import list_models

SPEC_FIELDS = ("name", "encoder")  # what load_model rebuilds a model from; nothing else is used
_ENCODER = re.compile(r"^(tu-)?[A-Za-z0-9_.\-]{1,64}$")  # a registry name, never a path or a URL


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or does not fit the model or the data."""


class MetadataError(CheckpointError):
    """A checkpoint whose metadata has a field of the wrong type or an unknown value."""


def check_meta(path, info: dict) -> dict:
    """Raise a ``MetadataError`` naming ``path``, the field and its value when a known field is malformed."""
    for key in ("epoch", "step", "num_classes"):
        if key in info and not _is_int(info[key], minimum=1 if key == "num_classes" else 0):
            _fail(path, key, info[key], "a non-negative integer" if key != "num_classes" else "a positive integer")
    best, elapsed = info.get("best_miou"), info.get("elapsed")
    if best is not None and not (_is_number(best) and 0 <= best <= 1):
        _fail(path, "best_miou", best, "null or a number in [0, 1]")
    if elapsed is not None and not (_is_number(elapsed) and math.isfinite(elapsed) and elapsed >= 0):
        _fail(path, "elapsed", elapsed, "a non-negative number of seconds")
    names = info.get("class_names")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        _fail(path, "class_names", names, "a list of strings")
    if names is not None and "num_classes" in info and len(names) != info["num_classes"]:
        _fail(path, "num_classes", info["num_classes"], f"the number of class_names ({len(names)})")
    if info.get("config") is not None and not isinstance(info["config"], dict):
        _fail(path, "config", info["config"], "a TrainConfig as a JSON object")
    extensions = info.get("budget_extensions")
    if extensions is not None and not (isinstance(extensions, list) and all(isinstance(e, dict) for e in extensions)):
        _fail(path, "budget_extensions", extensions, "a list of objects")
    return info  # the model spec is checked where a model is built from it: model_spec


def model_spec(path, info: dict) -> dict | None:
    """``{"name", "encoder"}`` of the model that wrote the checkpoint, validated; None when not recorded."""
    spec = info.get("model")
    if spec is None:
        return None
    if not isinstance(spec, dict):
        _fail(path, "model", spec, 'an object {"name": ..., "encoder": ...}')
    unknown = sorted(set(spec) - set(SPEC_FIELDS))
    if unknown:
        _fail(
            path,
            "model",
            spec,
            f"only {list(SPEC_FIELDS)} (the file also names {unknown}; load_model never passes "
            f"other settings to create_model: build the model yourself and call load_checkpoint)",
        )
    if spec.get("name") not in list_models():
        _fail(path, "model.name", spec.get("name"), f"one of {list_models()}")
    encoder = spec.get("encoder", "resnet18")
    if not isinstance(encoder, str) or not _ENCODER.match(encoder):
        _fail(path, "model.encoder", encoder, "an encoder name such as 'resnet18'")
    return {"name": spec["name"], "encoder": encoder}


def _fail(path, key: str, value, wanted: str):
    shown = repr(value)
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    raise MetadataError(
        f"{path}: checkpoint metadata field {key!r} is {shown}, expected {wanted}; the file was not "
        f"written by workbench or was altered: use the last.safetensors/best.safetensors of a run folder."
    )


def _is_int(value, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
