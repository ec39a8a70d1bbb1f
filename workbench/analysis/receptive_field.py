"""The receptive field of any layer, by arithmetic: size, jump and start (Araujo, Norris, Sim, "Computing
Receptive Fields of Convolutional Neural Networks", Distill 2019).

For one axis, a layer with kernel ``k``, stride ``s``, padding ``p`` and dilation ``d`` maps the field
``(r, j, u)`` of its input units to ``r + d (k - 1) j``, ``j s`` and ``u - p j``. Where paths meet (a
residual sum, a concatenation along channels) the fields are joined: the smallest start, the furthest end.

The network is not parsed: one forward pass runs on a tensor subclass that carries a field through every
torch call. Convolution and pooling modules set their output's field from their arguments; any other call
that keeps the spatial size (ReLU, BatchNorm, a sum, a channel concatenation) joins its inputs' fields;
``F.pad`` and slicing shift the start. Anything else (upsampling, global pooling, a fully connected layer)
has no finite, aligned field and stops with an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils._pytree import tree_flatten

from workbench.models.eval_mode import eval_mode

_FIELD_MODULES = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)


@dataclass(frozen=True)
class ReceptiveField:
    """The input region each unit of a feature map sees, per axis ``(rows, cols)``.

    Attributes:
        size: input pixels one unit sees along each axis (Araujo's ``r``).
        jump: input pixels between neighbouring units, the effective stride (``S``).
        start: input coordinate of the first pixel seen by unit ``(0, 0)`` (``u``); negative when the
            field reaches into the padding.
    """

    size: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[int, int]

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """``(top, left, bottom, right)``, inclusive input coordinates seen by unit ``(row, col)``."""
        top, left = (u + i * j for u, i, j in zip(self.start, (row, col), self.jump))
        return top, left, top + self.size[0] - 1, left + self.size[1] - 1

    def center(self, row: int, col: int) -> tuple[float, float]:
        """Input coordinates ``(y, x)`` of the centre of unit ``(row, col)``'s field."""
        top, left, bottom, right = self.box(row, col)
        return (top + bottom) / 2, (left + right) / 2

    def unit_at(self, y: float, x: float, grid: tuple[int, int]) -> tuple[int, int]:
        """The unit of a ``grid = (rows, cols)`` feature map whose field is centred nearest to pixel ``(y, x)``."""
        first = self.center(0, 0)
        return tuple(
            int(min(max(math.floor((v - c) / j + 0.5), 0), n - 1))  # ties go to the later unit
            for v, c, j, n in zip((y, x), first, self.jump, grid)
        )


INPUT_FIELD = ReceptiveField(size=(1, 1), jump=(1, 1), start=(0, 0))


def receptive_field(
    model: nn.Module, layer_name: str, *, input_size: tuple[int, int] = (64, 64), in_channels: int = 3
) -> ReceptiveField:
    """The receptive field of the output of ``model``'s submodule ``layer_name``.

    Args:
        model: any ``nn.Module`` whose path to ``layer_name`` uses only convolutions, poolings and
            elementwise ops (residual sums and channel concatenations included).
        layer_name: a name from ``model.named_modules()``, e.g. ``"layer2"`` of a torchvision ResNet.
        input_size: ``(H, W)`` of the probe image; any size the layers accept gives the same answer.
        in_channels: channels of the probe image.

    Returns:
        The field of the layer's output units in input coordinates.

    Raises:
        ValueError: for an unknown ``layer_name`` (listing some valid ones), or when the path to it holds an
            op whose field is not finite and aligned (upsampling, global pooling, a fully connected layer).
    """
    return receptive_fields(model, [layer_name], input_size=input_size, in_channels=in_channels)[layer_name]


def receptive_fields(
    model: nn.Module, layer_names, *, input_size: tuple[int, int] = (64, 64), in_channels: int = 3
) -> dict[str, ReceptiveField]:
    """:func:`receptive_field` of several layers from one forward pass: ``{layer_name: field}``."""
    modules, wanted = dict(model.named_modules()), list(layer_names)
    for name in wanted:
        if name not in modules:
            names = ", ".join(n for n in list(modules)[1:13])
            raise ValueError(
                f"receptive_field: model {type(model).__name__} has no layer {name!r}; "
                f"names come from model.named_modules(), e.g. {names}."
            )
    captured = {}

    def capture(name):
        def hook(module, args, output):
            captured[name] = _field_of(output, name)
            if len(captured) == len(wanted):
                raise _Reached

        return hook

    # The field hooks first: hooks run in the order registered, and ``capture`` needs the field they set.
    handles = [h for m in model.modules() if _is_field_module(m) for h in _field_hooks(m)]
    handles += [modules[name].register_forward_hook(capture(name)) for name in wanted]
    like = next(model.parameters(), torch.zeros(()))  # the probe takes the model's dtype and device
    probe = _Traced.wrap(torch.zeros(1, in_channels, *input_size, dtype=like.dtype, device=like.device), INPUT_FIELD)
    try:
        with eval_mode(model), torch.no_grad():
            model(probe)
    except _Reached:
        pass
    finally:
        _Traced.inside_layer = 0
        for handle in handles:
            handle.remove()
    missing = [name for name in wanted if name not in captured]
    if missing:
        raise ValueError(f"receptive_field: layers {missing} did not run in {type(model).__name__}'s forward.")
    return {name: captured[name] for name in wanted}


def compose(field: ReceptiveField, kernel, stride, padding, dilation) -> ReceptiveField:
    """The field after one layer with per-axis ``kernel``, ``stride``, ``padding``, ``dilation``."""
    size = tuple(r + d * (k - 1) * j for r, k, d, j in zip(field.size, kernel, dilation, field.jump))
    start = tuple(u - p * j for u, p, j in zip(field.start, padding, field.jump))
    return ReceptiveField(size=size, jump=tuple(j * s for j, s in zip(field.jump, stride)), start=start)


def join(fields, op: str = "a sum") -> ReceptiveField:
    """The field of units that combine aligned fields elementwise: smallest start to furthest end.

    Raises:
        ValueError: when the jumps differ, so that the units do not line up.
    """
    fields = list(fields)
    if len({f.jump for f in fields}) > 1:
        raise ValueError(
            f"receptive_field: {op} combines feature maps with different jumps "
            f"{sorted({f.jump for f in fields})}; their units are not aligned."
        )
    start = tuple(min(f.start[a] for f in fields) for a in range(2))
    end = tuple(max(f.start[a] + f.size[a] for f in fields) for a in range(2))
    return ReceptiveField(size=tuple(e - s for e, s in zip(end, start)), jump=fields[0].jump, start=start)


class _Reached(Exception):
    """Raised by the hook on the target layer: nothing after it needs to run."""


class _Traced(torch.Tensor):
    """A tensor carrying the receptive field of its units through every torch call made on it."""

    inside_layer = 0  # > 0 while a convolution or pooling module runs: its hooks set the field

    @staticmethod
    def wrap(tensor: torch.Tensor, field: ReceptiveField) -> _Traced:
        traced = tensor.as_subclass(_Traced)
        traced.field = field
        return traced

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        with torch._C.DisableTorchFunctionSubclass():
            out = func(*args, **kwargs)
        inputs = [a for a in tree_flatten((args, kwargs))[0] if isinstance(a, _Traced) and hasattr(a, "field")]
        if cls.inside_layer or not inputs or not isinstance(out, torch.Tensor) or out.dim() < 2:
            return out
        return _Traced.wrap(out, _call_field(func, args, kwargs, inputs, out))


def _call_field(func, args, kwargs, inputs, out: torch.Tensor) -> ReceptiveField:
    name = getattr(func, "__name__", str(func))
    if func is F.pad:
        return _padded(inputs[0].field, args[1] if len(args) > 1 else kwargs["pad"])
    if name == "__getitem__":
        return _sliced(inputs[0], args[1])
    if all(t.shape[-2:] == out.shape[-2:] for t in inputs):
        return join([t.field for t in inputs], op=name)
    raise ValueError(
        f"receptive_field: {name} maps {tuple(inputs[0].shape[-2:])} to {tuple(out.shape[-2:])} and is "
        "neither a convolution, a pooling nor an elementwise op, so its units have no finite, aligned "
        "field; ask for an earlier layer, or measure wb.analysis.effective_receptive_field instead."
    )


def _padded(field: ReceptiveField, pad) -> ReceptiveField:
    left, top = pad[0], pad[2] if len(pad) > 2 else 0  # F.pad lists the last axis first
    return ReceptiveField(
        field.size, field.jump, (field.start[0] - top * field.jump[0], field.start[1] - left * field.jump[1])
    )


def _sliced(tensor: _Traced, index) -> ReceptiveField:
    index = index if isinstance(index, tuple) else (index,)
    if Ellipsis in index:
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (tensor.dim() - len(index) + 1) + index[at + 1 :]
    index = index + (slice(None),) * (tensor.dim() - len(index))
    spatial = index[-2:]
    if not all(isinstance(s, slice) for s in spatial):
        raise ValueError(f"receptive_field: indexing {index!r} drops a spatial axis; only slices keep a field.")
    field, starts, jumps = tensor.field, [], []
    for axis, s in enumerate(spatial):
        first, _, step = s.indices(tensor.shape[axis - 2])
        starts.append(field.start[axis] + first * field.jump[axis])
        jumps.append(field.jump[axis] * step)
    return ReceptiveField(field.size, tuple(jumps), tuple(starts))


def _field_of(output, layer_name: str) -> ReceptiveField:
    if not isinstance(output, _Traced) or not hasattr(output, "field"):
        raise ValueError(
            f"receptive_field: layer {layer_name!r} does not return one feature map; name a layer "
            "whose output is a tensor (N, C, H, W)."
        )
    return output.field


def _is_field_module(module: nn.Module) -> bool:
    return isinstance(module, _FIELD_MODULES)


def _field_hooks(module: nn.Module):
    def enter(module, args):
        _Traced.inside_layer += 1

    def leave(module, args, output):
        _Traced.inside_layer -= 1
        if isinstance(args[0], _Traced) and hasattr(args[0], "field"):
            return _Traced.wrap(output, compose(args[0].field, *layer_geometry(module, args[0].shape[-2:])))
        return output

    return module.register_forward_pre_hook(enter), module.register_forward_hook(leave)


def layer_geometry(module: nn.Module, input_size) -> tuple[tuple[int, int], ...]:
    """``(kernel, stride, padding, dilation)`` of a ``Conv2d``, ``MaxPool2d`` or ``AvgPool2d``, per axis."""
    pair = nn.modules.utils._pair
    kernel, stride = pair(module.kernel_size), pair(module.stride)
    dilation = pair(getattr(module, "dilation", 1))
    padding = module.padding
    if padding == "valid":
        padding = (0, 0)
    elif padding == "same":  # torch puts the odd pixel of an even total on the right
        padding = tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
    return kernel, stride, pair(padding), dilation
