"""``workbench predict``: segment your own photos with a trained run's weights.

For each photo it writes ``OUT/masks/<stem>.png`` (the class ids as pixel values, the class colours as the
PNG's palette, so a viewer shows colours and ``workbench evaluate --preds OUT/masks`` reads ids) and
``OUT/overlays/<stem>.png`` (the photo with the class colours blended over it); then ``OUT/legend.png``
(class colours and names) and ``OUT/summary.csv`` (each photo's size, the size the model saw, and the share
of its pixels per class). A photo that cannot be read gets one line naming it and saying what to do; the
others are still segmented, and the command exits with 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from workbench.data import DatasetError, read_photo
from workbench.data.classes import Classes
from workbench.engine.photo import PhotoSegmentation, load_photo_model, segment_photo
from workbench.engine.runtime import resolve_device
from workbench.records import atomic_write_bytes, atomic_write_text, encode_mask
from workbench.viz import array_to_png, codes_to_png, figure_to_png, overlay
from workbench.viz.mask_plots import class_legend


def run(args) -> int:
    """Segment every ``PHOTO`` with ``--weights``' model and write masks, overlays, legend and summary."""
    photos = [Path(p) for p in args.photos]
    check_stems(photos)
    if args.size is not None and args.size < 8:
        raise ValueError(f"--size {args.size}: give the longer side in pixels the model sees (8 or more).")
    if not 0 <= args.alpha <= 1:
        raise ValueError(f"--alpha {args.alpha}: give the overlay's opacity between 0 and 1.")
    loaded = load_photo_model(args.weights, device=resolve_device(args.device))
    size = args.size or loaded.size
    out = Path(args.out) if args.out else Path(args.weights).parent / "predict"
    rows, failed = [], 0
    for path in photos:
        try:
            photo = read_photo(path)
        except DatasetError as err:
            print(f"workbench predict: error: {err}", file=sys.stderr)
            failed += 1
            continue
        result = segment_photo(loaded.model, photo, size=size)
        write_photo(out, path.stem, result, loaded.classes, alpha=args.alpha)
        rows.append(summary_row(path, result, loaded.classes))
        print(f"{path}: {shares_line(result, loaded.classes)}")
    if rows:
        atomic_write_bytes(out / "legend.png", legend_png(loaded.classes))
        atomic_write_text(out / "summary.csv", pd.DataFrame(rows).to_csv(index=False))
        seen = "the photo's own size" if size is None else f"longer side {size} px"
        print(
            f"{len(rows)} photo(s) segmented ({seen} for the model) into {out}: masks/, overlays/, legend.png, summary.csv"
        )
    return 2 if failed else 0


def check_stems(photos: list[Path]) -> None:
    """Refuse two photos whose outputs would share a name (``a/x.jpg`` and ``b/x.png``), before any work."""
    seen: dict[str, Path] = {}
    for path in photos:
        if path.stem in seen:
            raise ValueError(
                f"{seen[path.stem]} and {path} would both be written as {path.stem}.png; rename one of them or "
                f"segment them into different --out folders."
            )
        seen[path.stem] = path


def write_photo(out: Path, stem: str, result: PhotoSegmentation, classes: Classes, *, alpha: float) -> None:
    """``masks/<stem>.png`` (ids with the class colours as palette; 16-bit ids beyond 256 classes) and
    ``overlays/<stem>.png``."""
    if classes.num_classes <= 256:
        mask = codes_to_png(result.mask, classes.palette())
    else:
        mask = encode_mask(result.mask, 16)
    atomic_write_bytes(out / "masks" / f"{stem}.png", mask)
    atomic_write_bytes(
        out / "overlays" / f"{stem}.png", array_to_png(overlay(result.photo, result.mask, classes, alpha))
    )


def summary_row(path: Path, result: PhotoSegmentation, classes: Classes) -> dict:
    height, width = result.mask.shape
    row = {"photo": str(path), "height": height, "width": width}
    row.update({"model_height": result.input_size[0], "model_width": result.input_size[1]})
    return {**row, **{f"share_{name}": round(float(s), 6) for name, s in zip(classes.names, result.shares)}}


def shares_line(result: PhotoSegmentation, classes: Classes, *, shown: int = 4) -> str:
    """``"640x480 (model saw 64x48): background 71.2%, disc 20.1%, ..."``: the largest shares first."""
    table = result.shares_table(classes)
    shares = ", ".join(f"{name} {share:.1%}" for name, share in table["share"].head(shown).items() if share > 0)
    height, width = result.mask.shape
    return f"{width}x{height} (model saw {result.input_size[1]}x{result.input_size[0]}): {shares}"


def legend_png(classes: Classes) -> bytes:
    """The class colours and names, one row each."""
    fig = Figure(figsize=(2.6, 0.25 * classes.num_classes + 0.3))
    ax = fig.add_subplot()
    ax.set_axis_off()
    class_legend(ax, classes.names, classes.palette(), loc="center", bbox_to_anchor=(0.5, 0.5), fontsize="medium")
    return figure_to_png(fig, dpi=100)


def interrupted(out_dir, argv: list[str]) -> str:
    return "interrupted; every mask and overlay written is whole, the photos after it were not segmented."
