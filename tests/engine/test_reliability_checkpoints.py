"""Reliability of checkpoints and of fit (in-process, fast): no non-finite weights saved, a non-finite
validation loss or weight stops the run, metadata is data, a resume with other settings is refused."""

import dataclasses
import json

import pytest
import torch
from safetensors.torch import load_file, save
from torch import nn

from workbench.engine import (
    CheckpointError,
    TrainConfig,
    TrainingDiverged,
    fit,
    load_model,
    read_checkpoint_info,
    save_checkpoint,
)
from workbench.engine import checkpoint as checkpoint_module
from workbench.engine.checkpoint import NonFiniteCheckpoint
from workbench.engine.checkpoint_meta import MetadataError
from workbench.engine.resume_check import ResumeMismatch, check_resume
from workbench.models import create_model

CONFIG = TrainConfig(epochs=3, batch_size=4, lr=0.05, progress=False, log_every=1)


def _finite(path) -> bool:
    return all(torch.isfinite(t).all() for t in load_file(str(path)).values() if t.is_floating_point())


@pytest.mark.parametrize("which", ["0.weight", "1.running_var"])
def test_save_refuses_a_nan_or_inf_parameter_or_buffer_and_keeps_the_old_file(tmp_path, tiny_net, which):
    model = tiny_net()
    path = save_checkpoint(tmp_path / "last.safetensors", model, meta={"epoch": 1})
    before = path.read_bytes()
    with torch.no_grad():
        model.state_dict()[which].view(-1)[0] = float("inf") if "var" in which else float("nan")
    with pytest.raises(NonFiniteCheckpoint, match=rf"model/{which}.*NaN or infinite") as caught:
        save_checkpoint(path, model, meta={"epoch": 2})
    assert caught.value.names == [f"model/{which}"]
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["last.safetensors"]


class BufferBomb(nn.Module):
    """Finite training loss, but after ``bad_from`` training steps a buffer overflows (as BatchNorm's
    running_var does at a huge learning rate) or, with ``eval_nan``, the eval-mode logits turn NaN."""

    def __init__(self, net, bad_from, *, eval_nan=False):
        super().__init__()
        self.net, self.bad_from, self.eval_nan, self.calls = net, bad_from, eval_nan, 0
        self.register_buffer("scale", torch.ones(1))

    def forward(self, images):
        logits = self.net(images)
        if self.training:
            self.calls += 1
            if self.calls > self.bad_from and not self.eval_nan:
                self.scale.fill_(float("inf"))
            return logits
        return logits * float("nan") if self.eval_nan and self.calls > self.bad_from else logits


@pytest.mark.parametrize("eval_nan, what", [(True, "validation loss was nan"), (False, r"the weights \(scale\)")])
def test_non_finite_validation_loss_or_weights_stop_the_run_keeping_the_last_finite_checkpoint(
    tmp_path, tiny_data, tiny_net, eval_nan, what
):
    model = BufferBomb(tiny_net(), bad_from=3, eval_nan=eval_nan)  # epoch 1 = steps 1, 2: fine; epoch 2 goes bad
    with pytest.raises(TrainingDiverged, match=what) as caught:
        fit(model, *tiny_data, dataclasses.replace(CONFIG, out_dir=str(tmp_path)))
    err = caught.value
    assert err.checkpoint == tmp_path / "last.safetensors" and list(err.history["epoch"]) == [1]
    assert "--resume" in str(err)
    for name in ("last", "best"):
        path = tmp_path / f"{name}.safetensors"
        assert read_checkpoint_info(path)["epoch"] == 1 and _finite(path), name


def _crafted(tmp_path, net=None, **changes):
    """A real checkpoint (of ``net``, default fcn8s) whose metadata is then altered as an attacker would."""
    model = create_model("fcn8s", 3) if net is None else net
    path = save_checkpoint(
        tmp_path / "best.safetensors",
        model,
        meta={"num_classes": 3, "class_names": ["a", "b", "c"], "model": {"name": "fcn8s", "encoder": "resnet18"}},
    )
    tensors = load_file(str(path))
    info = {**read_checkpoint_info(path), **changes}
    path.write_bytes(save(tensors, metadata={"workbench": json.dumps(info)}))
    return path


@pytest.mark.slow  # builds fcn8s (a ResNet-18) twice and writes its 45 MB checkpoint four times: ~14 s here
def test_load_model_uses_only_the_validated_name_and_encoder_and_never_downloads(tmp_path, monkeypatch):
    built = []
    real = checkpoint_module.create_model
    monkeypatch.setattr(checkpoint_module, "create_model", lambda *a, **kw: built.append(kw) or real(*a, **kw))
    assert load_model(_crafted(tmp_path)).training is False
    assert built == [{"encoder": "resnet18", "encoder_weights": None}]
    evil = {"name": "fcn8s", "encoder": "resnet18", "encoder_weights": "imagenet"}
    with pytest.raises(MetadataError, match=r"best.safetensors.*'model'.*encoder_weights"):
        load_model(_crafted(tmp_path, model=evil))
    with pytest.raises(MetadataError, match=r"'model.encoder' is '\.\./x'"):
        load_model(_crafted(tmp_path, model={"name": "fcn8s", "encoder": "../x"}))
    with pytest.raises(MetadataError, match=r"'model.name' is 'os.system'.*one of \["):
        load_model(_crafted(tmp_path, model={"name": "os.system"}))
    assert len(built) == 1  # no model was built from a crafted file


@pytest.mark.parametrize(
    "field, value, wanted",
    [
        ("epoch", "3", "non-negative integer"),
        ("step", -1, "non-negative integer"),
        ("num_classes", True, "positive"),
        ("best_miou", 7.5, r"\[0, 1\]"),
        ("elapsed", float("nan"), "seconds"),
        ("class_names", [1, 2, 3], "strings"),
        ("config", "lr=1", "JSON object"),
        ("budget_extensions", {"a": 1}, "list of objects"),
    ],
)
def test_malformed_metadata_fields_are_refused_naming_file_field_and_value(tmp_path, tiny_net, field, value, wanted):
    with pytest.raises(MetadataError, match=rf"best.safetensors: checkpoint metadata field '{field}' .*{wanted}"):
        read_checkpoint_info(_crafted(tmp_path, tiny_net(num_classes=3), **{field: value}))
    assert issubclass(MetadataError, CheckpointError)


def test_check_resume_lists_every_difference_and_allows_only_a_larger_budget():
    saved = CONFIG.to_dict()
    changed = dataclasses.replace(CONFIG, lr=0.1, loss="dice", out_dir="elsewhere", num_workers=2, progress=True)
    with pytest.raises(ResumeMismatch) as caught:
        check_resume("run/last.safetensors", saved, changed, steps_per_epoch=2, step=6)
    assert caught.value.differences == ["lr is 0.1 now but 0.05 in the run", "loss is 'dice' now but 'ce' in the run"]
    assert str(caught.value).startswith("run/last.safetensors: cannot resume with a changed configuration")
    assert check_resume("p", saved, dataclasses.replace(CONFIG, num_workers=2), steps_per_epoch=2, step=6) is None
    grown = check_resume("p", saved, dataclasses.replace(CONFIG, epochs=5), steps_per_epoch=2, step=6)
    assert (
        grown["at_step"] == 6
        and grown["from"]["steps"] == 6
        and grown["to"] == {"epochs": 5, "max_steps": None, "steps": 10}
    )
    assert (
        check_resume("p", saved, dataclasses.replace(CONFIG, max_steps=7), steps_per_epoch=2, step=6)["to"]["steps"]
        == 7
    )
    with pytest.raises(ResumeMismatch, match="budget would shrink from 6 to 4 steps"):
        check_resume("p", saved, dataclasses.replace(CONFIG, epochs=2), steps_per_epoch=2, step=4)
    with pytest.raises(ResumeMismatch, match="the model is .*resnet34.* now but .*resnet18.* in the run"):
        check_resume(
            "p",
            saved,
            CONFIG,
            steps_per_epoch=2,
            step=6,
            saved_model={"name": "unet", "encoder": "resnet18"},
            model={"name": "unet", "encoder": "resnet34"},
        )


def test_fit_refuses_a_changed_resume_and_records_a_budget_extension(tmp_path, tiny_data, tiny_net):
    config = dataclasses.replace(CONFIG, epochs=1, out_dir=str(tmp_path))
    fit(tiny_net(), *tiny_data, config)
    before = (tmp_path / "config.json").read_text()
    with pytest.raises(ResumeMismatch, match="lr is 0.5 now but 0.05"):
        fit(tiny_net(), *tiny_data, dataclasses.replace(config, lr=0.5, resume=True))
    assert (tmp_path / "config.json").read_text() == before
    history = fit(tiny_net(), *tiny_data, dataclasses.replace(config, epochs=2, resume=True))
    assert list(history["epoch"]) == [1, 2]
    extensions = json.loads((tmp_path / "config.json").read_text())["budget_extensions"]
    assert [(e["at_step"], e["from"]["epochs"], e["to"]["epochs"]) for e in extensions] == [(2, 1, 2)]
    assert read_checkpoint_info(tmp_path / "last.safetensors")["budget_extensions"] == extensions
