"""Widget latency: time from setting a control's value to the widget's output being updated.

ipywidgets runs ``observe`` callbacks synchronously inside the assignment ``control.value = v``, so the
time of that assignment is the time until the callback has finished and the new PNG sits in the output
widget (what the browser then receives over the comm). The target is 100 ms per update on a laptop CPU
(issue 10). Each widget is timed as it runs in a notebook: displayed, so that every change also renders
and publishes its snapshot (the static picture that saved notebooks show; ``workbench.widgets.snapshot``),
here into a handle that drops the bundle.

Each widget is one "part": a function returning ``Row``s, listed in ``PARTS``. Parts share
``time_changes`` (set each control in a sweep, time it, check the output really changed) and the printed
table, so another widget is added with one more function and one more ``PARTS`` entry. The wall-clock
median decides pass/fail; CPU time (this process only) is printed beside it because on a busy machine
wall time also counts waiting for a core.

    python bench/widget_latency.py [--repeats 3] [--only TransposedConvExplorer]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0


class DroppedHandle:
    """Stands in for the notebook's display handle: takes each snapshot bundle and drops it."""

    def update(self, bundle, raw=False):
        self.last = bundle


def displayed(w):
    """``w`` as after ``display(w)`` in a notebook: its snapshot is rendered on every change."""
    w.widget.snapshot.attach(DroppedHandle())
    return w


@dataclass(frozen=True)
class Change:
    """One control change of a sweep: ``control.<attribute> = value``; ``label`` names its table row."""

    label: str
    control: object
    value: object
    attribute: str = "value"  # e.g. "selected_index" for a Tab


@dataclass(frozen=True)
class Row:
    widget: str
    control: str
    updates: int
    median_ms: float
    p95_ms: float
    cpu_median_ms: float


def time_changes(widget: str, changes: Iterable[Change], updated: Callable[[], object]) -> list[Row]:
    """Apply ``changes`` in order and time each; one row per label, then one for all changes together.

    Args:
        widget: the name printed in the table.
        changes: the sweep; a change to the value the control already has is skipped (no event fires).
        updated: returns a token that must differ after every change (e.g. a render counter); a change
            that leaves it equal raises, so a callback that silently did nothing cannot pass the benchmark.
    """
    wall, cpu = {}, {}
    for change in changes:
        if getattr(change.control, change.attribute) == change.value:
            continue
        before, t0, c0 = updated(), time.perf_counter(), time.process_time()
        setattr(change.control, change.attribute, change.value)
        t1, c1 = time.perf_counter(), time.process_time()
        if updated() == before:
            raise RuntimeError(f"{widget}: setting {change.label} to {change.value!r} did not update the output")
        wall.setdefault(change.label, []).append(1000 * (t1 - t0))
        cpu.setdefault(change.label, []).append(1000 * (c1 - c0))
    wall["all"], cpu["all"] = [t for ts in wall.values() for t in ts], [t for ts in cpu.values() for t in ts]
    return [_row(widget, label, wall[label], cpu[label]) for label in wall]


def _row(widget: str, label: str, wall: list[float], cpu: list[float]) -> Row:
    return Row(
        widget=widget,
        control=label,
        updates=len(wall),
        median_ms=statistics.median(wall),
        p95_ms=float(np.percentile(wall, 95)),
        cpu_median_ms=statistics.median(cpu),
    )


def transposed_conv_explorer_rows(repeats: int) -> list[Row]:
    """Sweep every TransposedConvExplorer slider over its range in each of its three tabs, ``repeats`` times.

    Starts at input 3x3, kernel 3, stride 2, padding 1 (a 5x5 output); the first pass meets every
    setting for the first time (walkthrough computed), later passes find them cached, as a user would.
    Opening a tab draws its view when it is out of date ("tab" rows). The step slider changes every
    view (the convolution tab boxes the step's pixel and window). Settings with no output
    (padding cropping everything) are left out: they only print a message.
    """
    from workbench.widgets.transposed_conv import TransposedConvExplorer

    w = displayed(TransposedConvExplorer(input_size=3, kernel_size=3, stride=2, padding=1))
    steps = [Change("step", w.step, v) for v in [*range(1, 10), *range(8, 0, -1)]]
    settings = (
        [Change("stride", w.stride, v) for v in (1, 3, 4, 2)]
        + [Change("output_padding", w.output_padding, v) for v in (1, 0)]
        + [Change("padding", w.padding, v) for v in (0, 2, 3, 1)]
        + [Change("kernel_size", w.kernel_size, v) for v in (1, 2, 4, 5, 3)]
        + [Change("input_size", w.input_size, v) for v in (1, 2, 4, 5, 3)]
    )
    sweep = []
    for tab in range(3):
        sweep += [Change("tab", w.tabs, tab, "selected_index")] + steps + settings
    return time_changes("TransposedConvExplorer", sweep * repeats, lambda: sum(w.state["renders"].values()))


def unpooling_explorer_rows(repeats: int) -> list[Row]:
    """UnpoolingExplorer on its default 12 x 12 map: every method at every scale (all precomputed)."""
    from workbench.widgets.unpooling import UnpoolingExplorer

    w = displayed(UnpoolingExplorer())
    sweep = []
    for scale in (3, 4, 2):
        sweep += [Change("scale", w.scale, scale)]
        sweep += [Change("method", w.method, m) for m in ("nearest", "bed of nails", "max")]
    return time_changes("UnpoolingExplorer", sweep * repeats, lambda: w.state["renders"])


def _mask_comparer_inputs(num_images: int, num_models: int, size: tuple[int, int]):
    """SyntheticShapes at ``size`` and ``num_models`` stand-in predictions with model-like errors.

    Each "model" shifts the target a few pixels (boundary errors) and relabels random 16 x 16 blocks
    (region errors), so its masks compress like real predictions, not like per-pixel noise.
    """
    import torch

    from workbench.data import SyntheticShapes

    dataset = SyntheticShapes(num_images=num_images, image_size=size, seed=0)
    targets = torch.stack([dataset[i][1] for i in range(num_images)])
    num_classes, generator = dataset.classes.num_classes, torch.Generator().manual_seed(0)
    blocks = (num_images, size[0] // 16 + 1, size[1] // 16 + 1)

    def to_pixels(per_block):
        return per_block.repeat_interleave(16, 1).repeat_interleave(16, 2)[:, : size[0], : size[1]]

    preds = {}
    for k in range(num_models):
        shifted = torch.roll(targets, shifts=2 * (k + 1), dims=-1)
        relabel = to_pixels(torch.rand(blocks, generator=generator) < 0.05 * (k + 1))
        labels = to_pixels(torch.randint(0, num_classes, blocks, generator=generator))
        preds[f"model{k + 1}"] = torch.where(relabel, labels, shifted).masked_fill(shifted == 255, 0)  # no void
    return dataset, preds


def mask_comparer_latency(
    repeats: int, num_images: int = 20, num_models: int = 4, size: tuple[int, int] = (360, 480)
) -> list[Row]:
    """MaskComparer with four models at 480 x 360 (20 images): image slider, opacity, view, sort, models.

    The precomputation (code maps, bands, per-image scores) happens once in the constructor and is
    printed apart; the rows time only control changes. Opacity is swept in the three blended views (in
    the mask view it changes nothing and costs nothing).
    """
    from workbench.widgets.mask_comparer import MaskComparer

    dataset, preds = _mask_comparer_inputs(num_images, num_models, size)
    start = time.perf_counter()
    w = displayed(MaskComparer(dataset, None, preds))
    print(
        f"MaskComparer: precomputing {num_images} images x {num_models} models at {size[1]}x{size[0]} "
        f"took {time.perf_counter() - start:.1f} s (once, in the constructor)\n"
    )
    names = list(preds)
    sweep = []
    for view in ("mask", "overlay", "error map", "class errors", "boundary bands"):
        sweep += [Change("view", w.view, view)] + [Change("index", w.index, i) for i in range(1, 11)]
        sweep += [Change("index", w.index, 0)]
        if view != "mask":
            sweep += [Change("opacity", w.opacity, v) for v in (0.2, 0.4, 0.6, 0.8, 1.0, 0.5)]
        if view == "class errors":
            sweep += [Change("class", w.class_id, c) for c in (1, 2, 3, 4, 0)]
    sweep += [
        Change("sort", w.sort, "worst first"),
        Change("sort", w.sort_by, names[-1]),
        Change("sort", w.sort_by, names[0]),
        Change("sort", w.sort, "dataset order"),
    ]
    sweep += [Change("models", w.models, tuple(names[:k])) for k in (2, 3, 1, len(names))]

    def seen():  # what the user sees: panels redrawn, panels hidden or shown, the position line
        return w.panel_renders, w.shown_models, w.position.value

    return time_changes("MaskComparer", sweep * repeats, seen)


def style_stages_rows(repeats: int) -> list[Row]:
    """StyleStages over a 13-stage run at 256 x 256 (the notebook's default size and stage count).

    The run itself is not what is timed: 12 Adam steps on a small random VGG19 (base width 8), a stage
    every step, at the notebook's image size; the widget's constructor renders every stage picture once
    (printed apart), and the rows time the stage slider and the Gram layer dropdown.
    """
    import warnings

    import torch

    from workbench.style import StyleConfig, random_vgg19_features, transfer
    from workbench.widgets.style_stages import StyleStages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # untrained features: fine for timing the widget
        extractor = random_vgg19_features(base_width=8)
    generator = torch.Generator().manual_seed(0)
    content, style = torch.rand(3, 256, 256, generator=generator), torch.rand(3, 256, 256, generator=generator)
    config = StyleConfig(image_size=None, optimizer="adam", steps=12, stage_every=1)
    result = transfer(content, style, extractor=extractor, config=config, progress=False)
    start = time.perf_counter()
    w = displayed(StyleStages(result))
    print(
        f"StyleStages: rendering {len(result.stages)} stages x {len(w.layers)} layers took "
        f"{time.perf_counter() - start:.1f} s (once, in the constructor)\n"
    )
    stages = [Change("stage", w.stage, v) for v in [*range(len(result.stages)), *range(len(result.stages) - 2, -1, -1)]]
    layers = [Change("layer", w.layer, name) for name in [*w.layers[1:], w.layers[0]]]
    return time_changes("StyleStages", (stages + layers) * repeats, lambda: (w.shown["stage"], w.shown["layer"]))


def fcn_inspector_rows(repeats: int) -> list[Row]:
    """FCNInspector on an untrained FCN-8s (ResNet-18) and one 480 x 360 image: view, class, layer."""
    import torch

    from workbench.data import SyntheticShapes
    from workbench.models import create_model
    from workbench.widgets.fcn_inspector import FCNInspector

    dataset = SyntheticShapes(num_images=1, image_size=(360, 480), seed=0)
    torch.manual_seed(0)
    model = create_model("fcn8s", num_classes=dataset.classes.num_classes)
    w = displayed(FCNInspector(model, dataset[0][0], classes=dataset.classes))
    sweep = [Change("view", w.view, "class score")] + [Change("class", w.class_id, c) for c in (1, 2, 3, 0)]
    sweep += [Change("layer", w.layer, name) for name in ("upscore2", "upscore_pool4", "upscore8")]
    sweep += [Change("view", w.view, "argmax")] + [Change("layer", w.layer, name) for name in ("upscore2", "upscore8")]
    return time_changes("FCNInspector", sweep * repeats, lambda: w.widget.snapshot.updates)


# name -> function(repeats) -> rows.
PARTS: dict[str, Callable[[int], list[Row]]] = {
    "TransposedConvExplorer": transposed_conv_explorer_rows,
    "UnpoolingExplorer": unpooling_explorer_rows,
    "MaskComparer": mask_comparer_latency,
    "StyleStages": style_stages_rows,
    "FCNInspector": fcn_inspector_rows,
}


# --- course chapters: ReceptiveFieldExplorer and DilatedConvExplorer (notebooks 09 and 10) ---


def receptive_field_explorer_rows(repeats: int) -> list[Row]:
    """ReceptiveFieldExplorer on a 360 x 480 image with FCN-8s and DeepLabV3: pixel, layer and model changes.

    The fields and effective fields are computed once in the constructor (printed apart, not timed);
    a control change outlines a precomputed box on the image and encodes the PNG.
    """
    from workbench.data import SyntheticShapes
    from workbench.widgets.receptive_field import ReceptiveFieldExplorer

    image, _ = SyntheticShapes(num_images=1, image_size=(360, 480), seed=0)[0]
    start = time.perf_counter()
    w = ReceptiveFieldExplorer(image, ["fcn8s", "deeplabv3"], num_samples=1, scale=1)
    print(
        f"ReceptiveFieldExplorer: precomputing 2 models at 480x360 took {time.perf_counter() - start:.1f} s "
        "(once, in the constructor)\n"
    )
    sweep = [Change("x", w.x, v) for v in (10, 100, 240, 400, 470)] + [Change("y", w.y, v) for v in (5, 180, 355)]
    sweep += [Change("layer", w.layer, v) for v in ("layer1", "layer2", "layer3", "layer4")]
    sweep += [Change("model", w.model, v) for v in ("deeplabv3", "fcn8s")]
    return time_changes("ReceptiveFieldExplorer", sweep * repeats, lambda: w.state["renders"])


def dilated_conv_explorer_rows(repeats: int) -> list[Row]:
    """DilatedConvExplorer: every kernel, rate and depth, equal and hybrid rates (nothing is cached)."""
    from workbench.widgets.dilated_conv import DilatedConvExplorer

    w = DilatedConvExplorer()
    sweep = [Change("rate", w.rate, v) for v in (1, 3, 6, 2)] + [
        Change("kernel_size", w.kernel_size, v) for v in (5, 7, 3)
    ]
    sweep += [Change("layers", w.layers, v) for v in (3, 4, 1, 2)]
    sweep += [Change("pattern", w.pattern, v) for v in ("hybrid", "equal")]
    return time_changes("DilatedConvExplorer", sweep * repeats, lambda: w.state["renders"])


PARTS.update(
    {"ReceptiveFieldExplorer": receptive_field_explorer_rows, "DilatedConvExplorer": dilated_conv_explorer_rows}
)


def print_table(rows: list[Row], target_ms: float = TARGET_MS) -> None:
    print("| widget | control | updates | median ms | p95 ms | CPU median ms | target ms | median < target |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        verdict = "pass" if r.median_ms < target_ms else "FAIL"
        print(
            f"| {r.widget} | {r.control} | {r.updates} | {r.median_ms:.1f} | {r.p95_ms:.1f} | "
            f"{r.cpu_median_ms:.1f} | {target_ms:.0f} | {verdict} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="passes over each widget's sweep")
    parser.add_argument("--only", choices=sorted(PARTS), action="append", help="run only these widgets")
    args = parser.parse_args(argv)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"# Widget latency, {datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, "
        f"load average {load} (1, 5, 15 min)\n"
    )
    rows = [row for name in (args.only or PARTS) for row in PARTS[name](args.repeats)]
    print_table(rows)
    return 0 if all(r.median_ms < TARGET_MS for r in rows if r.control == "all") else 1


if __name__ == "__main__":
    raise SystemExit(main())
