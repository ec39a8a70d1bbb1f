"""What the notebooks that train or read trained runs (03, 04, 05, 07, 11) show at their small parameters: each
test reads the session's one executed copy (``executed_notebook``) and checks the notebook's claims, its key
numbers and its figures; the run folders the notebooks wrote are under ``executed_notebook.root``."""

import re
from pathlib import Path

import pandas as pd
import pytest
from shown import cell, load, number, pictures, printed, table
from small_parameters import SMALL

pytestmark = pytest.mark.slow


def assert_training_lowered_the_loss(history: pd.DataFrame, what: str):
    """The mean training loss of the last epoch is below the first's: the run learned something."""
    assert len(history) >= 2, f"{what}: {len(history)} epoch(s) cannot show the loss falling; run 2 or more"
    first, last = history["train_loss"].iloc[0], history["train_loss"].iloc[-1]
    assert last < first, f"{what}: the training loss rose from {first:.4f} (epoch 1) to {last:.4f}:\n{history}"


def assert_one_live_figure(notebook: dict):
    """The training cell (the one logging to the live curves) shows one figure, redrawn in place, not a stream."""
    assert pictures(cell(notebook, "log=curves.log")) == 1, "one live learning-curve figure in the training cell"


def test_03_upsampling_shapes_training_and_the_inspector(executed_notebook):
    notebook, small = load(executed_notebook("03_fcn")), SMALL["03_fcn"]
    data = printed(cell(notebook, "choose_budget("))
    assert f"{small['num_images']} training and {small['val_images']} validation images, 7 classes." in data, data
    chance = number(r"scores mIoU (\S+) by painting background everywhere", data)
    layers = table(cell(notebook, "capture_fcn("))
    assert [label.split(" / ")[0] for label in layers] == ["fcn32s"] + ["fcn16s"] * 2 + ["fcn8s"] * 3, (
        f"one transposed convolution in FCN-32s, two in 16s, three in 8s: {list(layers)}"
    )
    for label, row in layers.items():
        kernel, stride = int(row["kernel"]), int(row["stride"])
        size_in, size_out = (int(re.findall(r"\d+", row[side])[1]) for side in ("input", "output"))
        assert kernel == 2 * stride and size_out == stride * size_in, (
            f"{label}: the kernel is twice the stride and the map grows by the stride: {row}"
        )
    assert_one_live_figure(notebook)
    final = cell(notebook, "final = history.iloc[-1]")
    epochs = small["epochs"]
    assert number(rf"^FCN-8s after {epochs} epochs: validation mIoU (\S+) ", printed(final)) >= 0
    assert number(r"validation mIoU \S+ \((\S+) x chance\)", printed(final)) == pytest.approx(
        number(r"validation mIoU (\S+) ", printed(final)) / chance, abs=0.06
    ), f"the mIoU against the chance level {chance}: {printed(final)}"
    history = pd.DataFrame(table(final)).T.astype(float)
    assert history["epoch"].tolist() == list(range(1, epochs + 1)), f"one history row per epoch: {history}"
    assert_training_lowered_the_loss(history, "FCN-8s in notebook 03")
    assert pictures(cell(notebook, "FCNInspector(")) == 1, "the inspector keeps a picture of its last state"
    moved = printed(cell(notebook, "bilinear_kernel(factor)"))
    changes = [float(c) for c in re.findall(r"max \|learned - bilinear\| = (\S+)", moved)]
    assert len(changes) == 3 and all(0 < c < 0.1 for c in changes), (
        f"each of the three upsampling kernels moved from bilinear, a little after a short run: {moved}"
    )


def histories(run_dir, models) -> dict[str, pd.DataFrame]:
    """Each model's ``history.csv`` in a comparison folder: what the learning-curve figures draw."""
    return {name: pd.read_csv(run_dir / name / "history.csv") for name in models}


def test_04_trains_every_model_and_compares_them(executed_notebook):
    notebook, small = load(executed_notebook("04_train_and_compare")), SMALL["04_train_and_compare"]
    models = small["models"]
    bullets = printed(cell(notebook, "get_model_info("))
    assert all(f"- **{name}**:" in bullets and "Output stride" in bullets for name in models), bullets
    data = printed(cell(notebook, "plan.create_splits("))
    assert f"{small['num_images']} training and {small['val_images']} validation images" in data, data
    assert_one_live_figure(notebook)
    compared = cell(notebook, "chance_sentence(")
    rows, chance = table(compared), number(r"scores mIoU (\S+) by painting background", printed(compared))
    assert list(rows) == models, f"one row per model, in the order trained: {list(rows)}"
    for name, row in rows.items():
        miou, times = float(row["mIoU"]), float(row["x chance"])
        assert 0 <= miou <= 1 and times == pytest.approx(miou / chance, abs=0.06), f"{name}: {row}, chance {chance}"
        assert ("near chance" in row["note"]) == (miou < 1.5 * chance), f"{name}: the note marks < 1.5 x chance"
    assert pictures(cell(notebook, "comparison_figures(records, val_data)")) == 1, "the mask gallery"
    assert pictures(cell(notebook, 'metric="iou"')) == 1, "the per-class IoU bars"
    written = printed(cell(notebook, "folder = Path(run_dir)"))
    for name in ("chance.json", "comparison.csv", "comparison.md", "comparison.tex", "comparison.json"):
        assert name in written.splitlines()[0], f"the comparison folder holds {name}: {written}"
    for name in ("config.json", "history.csv", "scores.json", "last.safetensors", "best.safetensors"):
        assert name in written.splitlines()[1], f"each model's folder holds {name}: {written}"
    for name, history in histories(executed_notebook.root / "runs" / "notebook04", models).items():
        assert_training_lowered_the_loss(history, f"{name} in notebook 04")


def test_05_reads_notebook_04s_records(executed_notebook):
    notebook = load(executed_notebook("05_inspect_masks"))
    compared = load(executed_notebook("04_train_and_compare"))
    assert printed(cell(notebook, "notebook 4 has not run")) == "", "notebook 05 reads 04's run, trains nothing"
    records = table(cell(notebook, "read_comparison(run_dir)"))
    scores = table(cell(compared, "chance_sentence("))
    assert list(records) == list(scores), f"every record of notebook 04, in its order: {list(records)}"
    for name, row in records.items():
        assert row["images"] == str(SMALL["04_train_and_compare"]["val_images"]), row
        assert float(row["miou"]) == pytest.approx(float(scores[name]["mIoU"]), abs=5e-4), (
            f"{name}: the record holds the mIoU notebook 04 shows ({scores[name]['mIoU']}): {row}"
        )
    assert pictures(cell(notebook, "MaskComparer.from_run(")) == 1, "the mask comparer's picture"
    for source, what in [
        ("plot_boundary_bands(", "image, target, error map and boundary bands of the worst image"),
        ("plot_confusion_matrix(", "a confusion matrix per model"),
        ('sort_values("miou").head()', "the worst images beside every model's masks"),
        ("trimap_miou(", "the trimap mIoU over band widths"),
    ]:
        assert pictures(cell(notebook, source)) == 1, f"the figure of {what}"
    worst = table(cell(notebook, 'sort_values("miou").head()'))
    mious = [float(row["miou"]) for row in worst.values()]
    assert mious == sorted(mious), f"the worst images first: {worst}"


LEAD = re.compile(
    r"\*\*(?P<a>\w+)\*\* leads \*\*(?P<b>\w+)\*\* on mIoU by (?P<d>\S+) \[(?P<low>\S+), (?P<high>\S+)\], "
    r"ahead in (?P<share>\d+)% of the resamples: the lead (?P<verdict>holds|is within noise)\."
)


def test_07_intervals_the_lead_conventions_exports_and_the_report(executed_notebook):
    notebook, small = load(executed_notebook("07_review")), SMALL["07_review"]
    trained = printed(cell(notebook, "notebook 4 has not run"))
    assert f"No records in runs/review: training {', '.join(small['models'])} there first." in trained, trained
    boot = cell(notebook, "r.scores.bootstrap(")
    assert f"Intervals: 95% image-level percentile bootstrap, {small['resamples']} resamples, seed 0." in printed(boot)
    intervals = table(boot)
    assert {label.split(" / ")[0] for label in intervals} == set(small["models"]), intervals
    for label, row in intervals.items():
        low, value, high = (float(row[k]) for k in ("low", "value", "high"))
        assert low <= value <= high, f"{label}: the score lies in its 95% interval: {row}"
    lead = LEAD.search(printed(cell(notebook, "paired_bootstrap(")))
    assert lead, "two models: the paired bootstrap's sentence on the leader"
    low, difference, high = (float(lead[k]) for k in ("low", "d", "high"))
    assert low <= difference <= high and difference >= 0, lead[0]
    assert (lead["verdict"] == "holds") == (low > 0), f"the lead holds exactly when its interval is above 0: {lead[0]}"
    if (Path(small["camvid_root"]) / "classes.json").is_file():  # the video section ran
        video = cell(notebook, "camvid = Path(camvid_root)")
        assert "blocks of 10 frames within one sequence" in printed(video), printed(video)
        widths = table(video)
        assert all(float(row["ratio"]) > 1 for row in widths.values()), (
            f"frames drawn as independent make every interval too narrow: {widths}"
        )
        assert "0016E5" in printed(video), "the scores of CamVid val's one sequence"
    conventions = table(cell(notebook, ".conventions()"))
    ours = conventions["one confusion matrix, mean over defined classes"]
    assert ours["value"] == ours["workbench_value"] and float(ours["difference"]) == 0, ours
    per_class = cell(notebook, 'print(table.attrs["caption"])')
    caption = printed(per_class)
    assert f"Per-class scores over {small['val_images']} images" in caption, caption
    mean = [row for row in table(per_class).values() if row["class"] == "mean"]
    assert mean and mean[0]["iou"] == ours["value"], f"the table's mean row is the mIoU {ours['value']}: {mean}"
    exported = printed(cell(notebook, "export_table("))
    assert "\\caption{Per-class scores" in exported and "\\begin{tabular}" in exported, "LaTeX keeps its caption"
    assert "| model " in exported and "[" in exported, "the Markdown intervals table, value [low, high]"
    assert "same IoU column: True | ignore_index: 255" in printed(cell(notebook, "read_table_csv(")), (
        "the CSV reads back to the same numbers, conventions included"
    )
    assert number(r"report\.html: (\S+) MB", printed(cell(notebook, "write_review("))) > 0
    report = (executed_notebook.root / "runs" / "review" / "report.html").read_text(encoding="utf-8")
    assert "Confusion matrices" in report and "data:image/png;base64," in report, "the report embeds its figures"


def test_11_sum_against_concatenation_and_three_fcns_under_one_budget(executed_notebook):
    notebook, small = load(executed_notebook("11_skip_fusion")), SMALL["11_skip_fusion"]
    fusions = table(cell(notebook, "fcn_fusions("))
    for label, row in fusions.items():
        upsampled, skip, fused = (tuple(map(int, re.findall(r"\d+", row[k]))) for k in ("upsampled", "skip", "fused"))
        if label.startswith("fcn8s"):  # FCN sums class-score maps: a few thousand parameters per skip
            assert row["operation"] == "sum" and upsampled == skip == fused and int(row["parameters"]) < 10_000, row
        else:  # U-Net concatenates feature maps and mixes them with 3x3 convolutions
            assert row["operation"] == "concat" and fused[0] == upsampled[0] + skip[0], f"{label}: {row}"
    first_block = int(fusions["unet / decoder block 1"]["parameters"])
    assert round(first_block / 1e6, 1) == 2.4, (
        f"U-Net's first decoder block spends 2.4 million parameters: {first_block}"
    )
    data = printed(cell(notebook, "create_splits("))
    assert f"{small['num_images']} training and {small['val_images']} validation images, 7 classes" in data, data
    scored = cell(notebook, "table.attrs.items()")
    scores, chance = table(scored), number(r"'chance_miou_majority': (\S+),", printed(scored))
    assert list(scores) == ["fcn32s", "fcn16s", "fcn8s"], list(scores)
    for name, row in scores.items():
        assert ("near chance" in row["note"]) == (float(row["miou"]) < 1.5 * chance), f"{name}: {row}; {chance}"
    assert pictures(cell(notebook, "comparison_figures(")) == 2, "the mask gallery and the learning curves"
    for name, history in histories(executed_notebook.root / small["run_dir"], scores).items():
        assert_training_lowered_the_loss(history, f"{name} in notebook 11")
