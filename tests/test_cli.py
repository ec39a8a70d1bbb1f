"""The command line: every option documented, a tiny train + evaluate, clear errors."""

import dataclasses
import json
import runpy
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from workbench.cli import build_parser, main, option_name
from workbench.commands.terminal import print_comparison
from workbench.engine import TrainConfig, list_losses
from workbench.engine.losses import LOSSES, CrossEntropyLoss
from workbench.records import export_table, read_comparison, read_record, read_table_csv

TINY_DATA = ["--num-images", "8", "--val-images", "4", "--image-size", "32"]


def _help(command):
    return build_parser()._subparsers._group_actions[0].choices[command].format_help()


@pytest.mark.parametrize("command", ["train", "compare"])
def test_help_explains_every_train_config_field(command):
    text = _help(command)
    for field in dataclasses.fields(TrainConfig):  # the help is written once, in the field's metadata
        assert option_name(field) in text, field.name
        assert " ".join(field.metadata["help"].split()[:3]) in " ".join(text.split()), field.name
    for option in ("--data", "--encoder", "--num-images", "--image-size", "--train-split", "--val-split"):
        assert option in text


def test_loss_choices_come_from_the_registry():
    LOSSES.add("test-cli-loss", CrossEntropyLoss)
    try:
        args = build_parser().parse_args(["train", "--loss", "test-cli-loss"])
        assert args.loss == "test-cli-loss"
    finally:
        LOSSES.remove("test-cli-loss")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--loss", "test-cli-loss"])
    choices = next(
        a for a in build_parser()._subparsers._group_actions[0].choices["train"]._actions if a.dest == "loss"
    )
    assert choices.choices == list_losses()


def test_every_option_has_help_text():
    for command in ("train", "compare", "evaluate", "report"):
        sub = build_parser()._subparsers._group_actions[0].choices[command]
        for action in sub._actions:
            assert action.help, (command, action.dest)


def test_cli_defaults_build_a_valid_config():
    args = build_parser().parse_args(["compare", "--crop-size", "48", "--class-weights", "1", "2"])
    config = TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)})
    assert config.crop_size == (48, 48) and config.class_weights == (1.0, 2.0)
    assert args.models == ["fcn8s", "unet", "deeplabv3plus", "pspnet"] and args.out_dir == "runs/compare"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One epoch of fcn32s on 8 synthetic images through `workbench train`, shared by the tests below."""
    run = tmp_path_factory.mktemp("cli") / "run"
    rc = main(
        [
            "train",
            "--model",
            "fcn32s",
            *TINY_DATA,
            "--epochs",
            "1",
            "--batch-size",
            "4",
            "--out",
            str(run),
            "--no-progress",
        ]
    )
    assert rc == 0
    return run


@pytest.mark.slow
def test_tiny_train_then_evaluate_gives_the_same_scores(tiny_run, tmp_path, capsys):
    assert (tiny_run / "last.safetensors").is_file() and (tiny_run / "history.csv").is_file()
    rc = main(
        [
            "evaluate",
            "--weights",
            str(tiny_run / "last.safetensors"),
            *TINY_DATA,
            "--batch-size",
            "4",
            "--out",
            str(tmp_path / "eval"),
        ]
    )
    printed = capsys.readouterr().out
    assert rc == 0 and "background" in printed
    record = read_record(tmp_path / "eval")  # the same record as the run folder's: same weights, same images
    assert record.source["sha256"] == read_record(tiny_run).source["sha256"] and record.source["name"] == "fcn32s"
    assert json.loads((tmp_path / "eval" / "scores.json").read_text()) == json.loads(
        (tiny_run / "scores.json").read_text()
    )
    assert all((record.mask(s) == read_record(tiny_run).mask(s)).all() for s in record.stems)


def test_a_records_masks_scored_as_predictions_give_its_scores(tiny_run, tmp_path):
    assert main(["evaluate", "--preds", str(tiny_run / "masks"), *TINY_DATA, "--out", str(tmp_path / "again")]) == 0
    again, run = read_record(tmp_path / "again"), read_record(tiny_run)
    assert again.source["kind"] == "predictions" and again.stems == run.stems
    assert json.loads((tmp_path / "again" / "scores.json").read_text()) == json.loads(
        (tiny_run / "scores.json").read_text()
    )


@pytest.mark.slow
def test_evaluate_with_the_wrong_model_or_file_is_a_clear_error(tiny_run, tmp_path, capsys):
    rc = main(["evaluate", "--weights", str(tiny_run / "last.safetensors"), "--model", "fcn8s", *TINY_DATA])
    err = capsys.readouterr().err
    assert rc == 2 and "last.safetensors holds a FCN (model 'fcn32s', 7 classes)" in err
    assert main(["evaluate", "--weights", str(tmp_path / "missing.safetensors")]) == 2
    assert "no such checkpoint file" in capsys.readouterr().err


@pytest.mark.slow
def test_report_writes_the_review_of_a_run(tiny_run, tmp_path, capsys):
    out = tmp_path / "review.html"
    rc = main(["report", str(tiny_run), "--out", str(out), "--resamples", "50"])
    assert rc == 0 and f"review written to {out}" in capsys.readouterr().out
    html = out.read_text()
    assert "fcn32s" in html and "data:image/png;base64," in html and "http://" not in html
    assert main(["report", str(tmp_path / "not-a-run")]) == 2
    assert "not-a-run" in capsys.readouterr().err


def test_python_m_workbench_runs_the_cli(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["workbench", "--help"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("workbench", run_name="__main__")
    assert done.value.code == 0 and "evaluate" in capsys.readouterr().out


@pytest.mark.slow
def test_compare_runs_unchanged_on_camvid(camvid_root, tmp_path):
    rc = main(
        [
            "compare",
            "--data",
            str(camvid_root),
            "--models",
            "fcn32s",
            "--num-images",
            "4",
            "--val-images",
            "2",
            "--max-steps",
            "1",
            "--batch-size",
            "2",
            "--crop-size",
            "64",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert rc == 0
    table = pd.read_csv(tmp_path / "comparison.csv", comment="#")
    assert list(table["model"]) == ["fcn32s"] and table["miou"].notna().all()
    per_class = pd.read_csv(tmp_path / "per_class_iou.csv", comment="#")
    assert len(per_class) == 11 and (tmp_path / "fcn32s" / "last.safetensors").is_file()
    assert (tmp_path / "mask_gallery.png").is_file() and (tmp_path / "learning_curves.png").is_file()
    assert len(read_comparison(tmp_path)["fcn32s"].stems) == 2


def _predictions(folder, stems, seed):
    folder.mkdir()
    rng = np.random.default_rng(seed)
    for stem in stems:
        Image.fromarray(rng.integers(0, 7, (32, 32)).astype(np.uint8)).save(folder / f"{stem}.png")
    return folder


def test_evaluate_predictions_of_other_tools(tmp_path, capsys):
    stems = [f"{i:05d}" for i in range(4)]  # synthetic images are named by index
    mine, theirs = _predictions(tmp_path / "mine", stems, 0), _predictions(tmp_path / "theirs", stems, 1)
    assert main(["evaluate", "--preds", str(mine), *TINY_DATA, "--out", str(tmp_path / "one")]) == 0
    assert "record written to" in capsys.readouterr().out and read_record(tmp_path / "one").stems == stems
    rc = main(
        [
            "evaluate",
            "--preds",
            f"theirs={theirs}",
            "--preds",
            f"mine={mine}",
            *TINY_DATA,
            "--gallery-size",
            "2",
            "--out",
            str(tmp_path / "cmp"),
        ]
    )
    assert rc == 0 and "comparison folder" in capsys.readouterr().out
    assert list(read_comparison(tmp_path / "cmp")) == ["theirs", "mine"]
    for name in ("comparison.csv", "comparison.md", "per_class_iou.csv", "mask_gallery.png"):
        assert (tmp_path / "cmp" / name).is_file(), name
    (mine / "00002.png").unlink()
    assert main(["evaluate", "--preds", str(mine), *TINY_DATA, "--out", str(tmp_path / "bad")]) == 2
    assert "1 of 4 images have no prediction (00002)" in capsys.readouterr().err
    assert main(["evaluate", "--preds", f"a={mine}", "--preds", str(theirs), *TINY_DATA]) == 2
    assert "NAME=DIR" in capsys.readouterr().err


def test_comparison_table_shows_a_missing_note_as_blank_not_nan(tmp_path, capsys):
    """``evaluate --preds NAME=DIR ...`` prints comparison.csv as read back, where an empty note is a missing value."""
    table = pd.DataFrame({"model": ["a", "b"], "status": ["ok", "ok"], "miou": [0.5, float("nan")]})
    for notes in (["", "near chance: train longer"], ["", ""]):
        export_table(table.assign(note=notes), tmp_path / "comparison.csv")
        print_comparison(read_table_csv(tmp_path / "comparison.csv").set_index("model"))
        out = capsys.readouterr().out
        assert out.count("NaN") == 1, out  # b's undefined mIoU, not the notes
