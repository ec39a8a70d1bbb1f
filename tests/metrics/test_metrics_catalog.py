"""The metric catalogue: every score declared once, every consumer reading it, records of format 1 readable."""

import ast
import json
from pathlib import Path

import grimp
import numpy as np
import pytest

from workbench.commands.terminal import HEADLINE_COLUMNS
from workbench.metrics import HEADLINE, LOWER_IS_BETTER, METRICS, SCORE_KEYS, ImageStats, Scores, evaluate
from workbench.metrics.catalog import (
    COUNTED,
    COUNTS,
    DISTANCE_COUNTS,
    ERROR_KINDS,
    LADDER_COUNTS,
    METRIC,
    OPTIONAL_COUNTS,
    PER_IMAGE_COLUMNS,
    REQUIRED_COUNTS,
    TOLERANCES,
    score_label,
)
from workbench.metrics.comparison_table import HEADLINE as TABLE_HEADLINE
from workbench.report import summary

HERE = Path(__file__).parent
PACKAGE = HERE.parents[1] / "workbench"


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(3)
    targets = np.kron(rng.integers(0, 3, (2, 4, 4)), np.ones((4, 4), dtype=np.int64))
    targets[0, :2] = 255
    preds = np.roll(targets, 1, axis=1)
    preds[preds == 255] = 0
    return evaluate(preds, targets, 3), evaluate(preds, targets, 3, distances=True)


def test_every_score_is_declared_exactly_once(scored):
    plain, with_distances = scored
    keys = [metric.key for metric in METRICS]
    assert len(keys) == len(set(keys))
    assert list(with_distances.as_dict()) == keys  # every declaration present once its counts are
    assert list(plain.as_dict()) == list(SCORE_KEYS) == [m.key for m in METRICS if not m.opt_in]
    for metric in METRICS:
        value = with_distances.as_dict()[metric.key]
        assert np.shape(value) == ((3,) if metric.mean else ()), metric.key
        assert metric.mean is None or METRIC[metric.mean].mean is None  # a per-class score's mean is a scalar
        assert (
            metric.label
            and metric.design
            and all(need == "confusion" or need in REQUIRED_COUNTS + OPTIONAL_COUNTS for need in metric.needs)
        )
        if metric.opt_in:
            assert getattr(plain, metric.key) is None and metric.key not in plain.as_dict()


def test_optional_counts_are_those_of_opt_in_scores_and_of_scores_newer_than_records():
    # ... and the error breakdown's counts (errors=True), which feed Scores.error_breakdown(), not as_dict()
    assert REQUIRED_COUNTS == ("boundary_inter", "boundary_union", "bf")
    assert OPTIONAL_COUNTS == ("nsd", "hd95", "hd95_monai", *ERROR_KINDS, *LADDER_COUNTS)  # tolerances=True
    assert COUNTED == ("boundary_inter", "boundary_union", "bf", "nsd")  # every evaluation counts NSD
    assert DISTANCE_COUNTS == ("hd95", "hd95_monai")  # MONAI's cells: for Scores.conventions(), no score of their own
    assert LOWER_IS_BETTER == {"class_hd95", "hd95"}
    assert [a.kind for a in COUNTS] == [
        "sum",
        "sum",
        "mean",
        "mean",
        "mean",
        "mean",
        *["sum"] * len(ERROR_KINDS),
        *["mean", "mean", "sum", "sum"] * len(TOLERANCES),
    ]


def test_per_image_columns_are_the_scores_derived_from_one_image(scored):
    _, scores = scored
    table = scores.image_stats.per_image()
    assert list(table.columns) == [*PER_IMAGE_COLUMNS, "hd95"]
    for image in range(len(table)):
        one = Scores.from_image_stats(scores.image_stats.subset([image]))
        for metric in METRICS:
            if metric.per_image:
                assert table[metric.per_image][image] == pytest.approx(getattr(one, metric.key), nan_ok=True)


def test_terminal_comparison_and_report_show_the_catalogue_headline():
    assert HEADLINE == ("miou", "pixel_accuracy", "boundary_miou", "boundary_f1")
    assert tuple(c for c in HEADLINE_COLUMNS if c in METRIC) == HEADLINE
    assert TABLE_HEADLINE is HEADLINE
    assert summary.leads.__defaults__ is None and summary.leads.__kwdefaults__["keys"] is HEADLINE


def test_labels_come_from_the_catalogue():
    assert score_label("miou") == "mIoU" and score_label("boundary_miou") == "Boundary IoU"
    assert score_label("boundary_f1") == "BF score" and score_label("hd95") == "HD95 (px)"
    assert score_label("boundary_iou") == "Boundary IoU"  # a per-image column: its score's label
    assert score_label("images") == "images"


SCORE_NAMES = {metric.key for metric in METRICS} | {metric.per_image for metric in METRICS if metric.per_image}


def _score_lists(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """Tuples, lists, sets of two or more score keys and dicts keyed by them, outside the catalogue."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)) and items:
            names = [i.value for i in items if isinstance(i, ast.Constant) and i.value in SCORE_NAMES]
            if len(names) >= 2:
                found.append(f"{path.relative_to(root)}:{node.lineno} {names}")
    return found


def test_no_second_list_of_scores_in_the_package():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) if path.name != "catalog.py" for hit in _score_lists(path)]
    assert found == []


def test_the_scan_finds_a_hard_coded_list(tmp_path):
    module = tmp_path / "x.py"
    module.write_text('HEADLINE = ("miou", "pixel_accuracy")\nLABELS = {"miou": "mIoU", "boundary_iou": "B"}\n')
    assert _score_lists(module, tmp_path) == ["x.py:1 ['miou', 'pixel_accuracy']", "x.py:2 ['miou', 'boundary_iou']"]


def test_image_stats_of_format_1_read_back_the_same_scores():
    """``image_stats_format1.npz`` was written by the code before the catalogue (per-metric attributes), with
    its array names confusion_rows, boundary_inter, boundary_union, bf, hd95, and its scores kept beside it;
    written before NSD, it reads back without ``class_nsd`` and ``nsd``."""
    with np.load(HERE / "image_stats_format1.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    assert sorted(arrays) == ["bf", "boundary_inter", "boundary_union", "confusion_rows", "hd95"]
    want = json.loads((HERE / "image_stats_format1.json").read_text())
    stats = ImageStats.from_arrays(arrays, ignore_index=want["ignore_index"])
    got = Scores.from_image_stats(stats).as_dict()
    assert list(got) == list(want["scores"])
    for key, value in want["scores"].items():
        np.testing.assert_allclose(
            np.asarray(got[key], dtype=float), np.asarray(value, dtype=float), rtol=0, atol=1e-12, err_msg=key
        )
    per_image = stats.per_image()
    for column, values in want["per_image"].items():
        np.testing.assert_allclose(per_image[column], np.asarray(values, dtype=float), rtol=0, atol=1e-12)
    for name, array in stats.to_arrays().items():  # written back under the same names, unchanged
        np.testing.assert_array_equal(array, arrays[name])
    without = {name: array for name, array in arrays.items() if name != "hd95"}
    assert "hd95" not in Scores.from_image_stats(ImageStats.from_arrays(without, ignore_index=255)).as_dict()


def test_no_import_cycle_among_the_metrics_modules():
    graph = grimp.build_graph("workbench", exclude_type_checking_imports=True)
    modules = sorted(m for m in graph.find_children("workbench.metrics"))
    cycles = [
        (a, b) for a in modules for b in modules if a < b and graph.chain_exists(a, b) and graph.chain_exists(b, a)
    ]
    assert cycles == []
    assert not graph.chain_exists("workbench.metrics.image_stats", "workbench.metrics.scores")
    assert not graph.chain_exists("workbench.metrics.catalog", "workbench.metrics.image_stats")
