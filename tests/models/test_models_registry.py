"""The registry: names, filtering, errors, and the metadata the README table reads.

No test or module lists the models by hand: the registry is the list, checked here against the
``@register_model`` declarations of the model modules, and a literal naming every model fails the last test.
"""

import ast
import json
from pathlib import Path

import pytest
import torch

from workbench.models import create_model, get_model_info, list_models, register_model
from workbench.models.padding import PadCrop
from workbench.models.registry import MODELS

REPO = Path(__file__).resolve().parents[2]


def declared_models(source: str) -> set[str]:
    """The names given to ``@register_model("name", ...)`` in one module's source."""
    return {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "register_model"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def model_lists(source: str, names: set[str]) -> list[int]:
    """Lines of ``source`` holding a list, tuple or set literal that names every model of ``names``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set))
        and names <= {e.value for e in node.elts if isinstance(e, ast.Constant)}
    ]


def python_sources() -> dict[str, str]:
    """Every Python file of the package, tests and benchmarks, and every notebook's code, by path."""
    files = [*REPO.glob("workbench/**/*.py"), *REPO.glob("tests/**/*.py"), *REPO.glob("bench/**/*.py")]
    sources = {str(f.relative_to(REPO)): f.read_text(encoding="utf-8") for f in files}
    for notebook in REPO.glob("notebooks/*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        sources[str(notebook.relative_to(REPO))] = "\n".join(
            line for c in code for line in c.splitlines() if not line.startswith(("%", "!"))
        )
    return sources


def test_the_registry_holds_what_the_model_modules_declare():
    modules = (REPO / "workbench" / "models").glob("*.py")
    declared = set().union(*(declared_models(m.read_text(encoding="utf-8")) for m in modules))
    assert list_models() == sorted(declared) and len(declared) >= 2


def test_list_models_filters_with_a_pattern():
    for name in ("zz_test_a", "zz_test_b1", "zz_test_b2"):
        register_model(name, paper="x", output_stride=1, logit_stride=1, differs="x")(lambda **kw: None)
    try:
        assert list_models("zz_test_b*") == ["zz_test_b1", "zz_test_b2"] and list_models("zz_test_?") == ["zz_test_a"]
        assert list_models("nothing*") == [] and list_models() == sorted(list_models())
    finally:
        for name in ("zz_test_a", "zz_test_b1", "zz_test_b2"):
            MODELS.remove(name)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=f"choose one of {', '.join(list_models())}"):
        create_model("segnet", 3)


def test_duplicate_registration_is_refused():
    with pytest.raises(ValueError, match="'unet' is already registered"):
        register_model("unet", paper="x", output_stride=1, logit_stride=1, differs="x")(lambda **kw: None)
    assert get_model_info("unet").builder.__name__ == "unet"  # the original survives


@pytest.mark.parametrize("num_classes", [0, -1, 2.5, True, "3"])
def test_bad_num_classes(num_classes):
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        create_model("fcn8s", num_classes)


@pytest.mark.parametrize("name", ["fcn8s", "unet"])
def test_unknown_encoder_is_a_clear_error(name):
    with pytest.raises(ValueError, match="'resnet7'"):
        create_model(name, 3, encoder="resnet7")


def test_aux_params_refused_to_keep_one_return_contract():
    with pytest.raises(ValueError, match="aux_params"):
        create_model("unet", 3, aux_params={"classes": 3})


def test_builder_keywords_pass_through():
    model = create_model("deeplabv3", 3, encoder_output_stride=16).eval()  # batch of 1: BN needs eval
    assert model.multiple == 16
    assert model(torch.randn(1, 3, 40, 50)).shape == (1, 3, 40, 50)


@pytest.mark.parametrize("name", list_models())
def test_metadata_matches_the_built_model(name):
    info = get_model_info(name)
    model = create_model(name, 3)

    assert info.name == name and "20" in info.paper and info.differs
    if isinstance(model, PadCrop):  # smp: the encoder knows its stride
        assert model.net.encoder.output_stride == info.output_stride
    else:  # FCN: the variant's name is its logit stride
        assert info.output_stride == 32 and name == f"fcn{model.logit_stride}s"
        assert info.logit_stride == model.logit_stride


def test_nothing_downloads_unless_asked(no_downloads):
    """The guard catches a real attempt, so the other tests passing under it means nothing was fetched."""
    with pytest.raises(no_downloads):
        create_model("unet", 3, encoder_weights="imagenet")
    with pytest.raises(no_downloads):
        create_model("fcn8s", 3, encoder_weights="imagenet")


def test_no_model_list_is_hard_coded():
    """A list of every model goes stale when a model is added; ask ``list_models()`` instead."""
    names = set(list_models())
    found = [f"{path}:{line}" for path, source in python_sources().items() for line in model_lists(source, names)]
    assert found == [], "a hard-coded list of every model (use list_models()): " + ", ".join(found)


def test_the_hard_coded_list_check_can_fail():
    source = 'ALL = ["a", "b", "c"]\nSOME = ("a", "b")\n\n\ndef f():\n    return {"c", "b", "a", "d"}\n'
    assert model_lists(source, {"a", "b", "c"}) == [1, 6]
    assert declared_models('@register_model("x", paper="p")\ndef x(): ...\nregister_model("y")') == {"x", "y"}
