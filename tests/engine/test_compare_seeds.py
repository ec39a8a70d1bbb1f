"""compare over several seeds: one normal comparison folder per seed, and the summary of mean and std over seeds."""

import numpy as np
import pandas as pd
import pytest

from workbench.engine import TrainConfig, compare
from workbench.engine.seed_summary import seed_summary
from workbench.metrics import HEADLINE
from workbench.records import read_comparison, read_table_csv

MODELS = ["fcn32s", "unet"]


@pytest.mark.slow  # trains two models under two seeds (four one-step runs, each scored with a record)
def test_two_seeds_give_two_comparisons_and_their_mean_and_std(tmp_path, tiny_data):
    config = TrainConfig(max_steps=1, batch_size=4, progress=False, out_dir=str(tmp_path))
    logged = []
    summary = compare(MODELS, *tiny_data, config, seeds=(3, 5), log=logged.append)
    assert {(r["model"], r["seed"]) for r in logged} == {(m, s) for m in MODELS for s in (3, 5)}
    assert not (tmp_path / "fcn32s").exists()  # runs live in the seed folders only
    records = {seed: read_comparison(tmp_path / f"seed-{seed}") for seed in (3, 5)}
    for seed, saved in records.items():
        assert list(saved) == MODELS and (tmp_path / f"seed-{seed}" / "comparison.md").is_file()
        assert read_table_csv(tmp_path / f"seed-{seed}" / "comparison.csv").attrs["train_seed"] == str(seed)
    for model in MODELS:  # two seeds, two different runs
        weights = [(records[s][model].path / "last.safetensors").read_bytes() for s in (3, 5)]
        assert weights[0] != weights[1], model
        for key in HEADLINE:
            per_seed = [records[s][model].scores.as_dict()[key] for s in (3, 5)]
            assert summary.loc[model, f"{key}_mean"] == pytest.approx(np.mean(per_seed), abs=1e-12)
            assert summary.loc[model, f"{key}_std"] == pytest.approx(np.std(per_seed, ddof=1), abs=1e-12)
            boot = records[3][model].scores.bootstrap().loc[key]
            assert summary.loc[model, [key, f"{key}_low", f"{key}_high"]].tolist() == pytest.approx(
                boot[["value", "low", "high"]].tolist(), abs=1e-12
            )
    saved = read_table_csv(tmp_path / "seeds.csv")
    assert saved["model"].tolist() == MODELS
    assert saved["miou_std"].tolist() == pytest.approx(summary["miou_std"].tolist(), abs=1e-12)
    text = (tmp_path / "seeds.md").read_text()
    assert "seed 3's run" in text and "2000 resamples" in text
    low, high = summary.loc["unet", ["miou_low", "miou_high"]]
    assert f"{summary.loc['unet', 'miou']:.3f} [{low:.3f}, {high:.3f}]" in text


def test_the_summary_of_one_seed_has_no_spread():
    table = _table([0.5, 0.25])
    summary = seed_summary({7: table})
    assert summary["miou_mean"].tolist() == [0.5, 0.25] and summary["miou_std"].isna().all()
    assert summary.attrs["first_seed"] == 7


def test_the_summary_uses_numpy_mean_and_sample_std_over_seeds():
    tables = {0: _table([0.5, 0.2]), 1: _table([0.7, 0.1]), 2: _table([0.6, 0.4])}
    summary = seed_summary(tables)
    assert summary.loc["b", "miou_mean"] == pytest.approx(np.mean([0.2, 0.1, 0.4]))
    assert summary.loc["a", "miou_std"] == pytest.approx(np.std([0.5, 0.7, 0.6], ddof=1))
    assert summary.loc["a", "miou"] == 0.5 and summary["seeds_ok"].tolist() == [3, 3]


def test_seeds_must_be_distinct(tmp_path, tiny_data):
    config = TrainConfig(max_steps=1, batch_size=4, progress=False, out_dir=str(tmp_path))
    with pytest.raises(ValueError, match=r"seeds \[1, 1\] must be one or more distinct"):
        compare(["fcn32s"], *tiny_data, config, seeds=(1, 1))
    assert not (tmp_path / "seed-1").exists()


def _table(mious):
    return pd.DataFrame({"status": "ok", "miou": mious}, index=pd.Index(["a", "b"], name="model"))
