"""Figures that survive saving: each widget's snapshot output, in a kernel and in nbconvert's HTML."""

import base64
import io
import re
import textwrap

import nbformat
import numpy as np
import pytest
from PIL import Image

from workbench.data import SyntheticShapes
from workbench.models import create_model
from workbench.widgets import DilatedConvExplorer, ReceptiveFieldExplorer, UnpoolingExplorer
from workbench.widgets.snapshot import SNAPSHOT_CLASS, SWAP_CSS, WIDGET_VIEW, Picture, Snapshot, SnapshotBox

# One cell per widget, tiny inputs; a later cell moves a control, as a reader (or papermill) would.
CELLS = [
    """
    import torch, warnings
    import workbench as wb
    torch.manual_seed(0)
    data = wb.data.SyntheticShapes(num_images=2, image_size=(32, 40), seed=0)
    image, mask = data[0]
    """,
    "explorer = wb.widgets.TransposedConvExplorer(); explorer",
    "unpooling = wb.widgets.UnpoolingExplorer(size=4, scales=(2,), scale=2); display(unpooling.widget)",
    "wb.widgets.MaskComparer(data, None, {'shifted': torch.stack([m.roll(3, 1) for _, m in data]).clamp(max=0)})",
    "wb.widgets.FCNInspector(wb.models.create_model('fcn8s', data.classes.num_classes), image, classes=data.classes)",
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extractor = wb.style.random_vgg19_features(base_width=4)
    config = wb.style.StyleConfig(image_size=None, optimizer="adam", steps=2, stage_every=1)
    result = wb.style.transfer(torch.rand(3, 16, 16), torch.rand(3, 16, 16), extractor=extractor, config=config,
                               progress=False)
    wb.widgets.StyleStages(result)
    """,
    "fields = wb.widgets.ReceptiveFieldExplorer(image, {'fcn32s': wb.models.create_model('fcn32s', 2)}, "
    "num_samples=1, scale=1); fields",
    "dilation = wb.widgets.DilatedConvExplorer(); display(dilation.widget)",
    "unpooling.method.value = 'nearest'",
]
NAMES = (
    "TransposedConvExplorer",
    "UnpoolingExplorer",
    "MaskComparer",
    "FCNInspector",
    "StyleStages",
    "ReceptiveFieldExplorer",
    "DilatedConvExplorer",
)


class RecordingHandle:
    def __init__(self):
        self.bundles = []

    def update(self, bundle, raw=False):
        assert raw
        self.bundles.append(bundle)


def decode(bundle) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))).convert("RGB"))


def test_bundle_is_the_picture_and_its_html_with_no_widget_view():
    snapshot = Snapshot(lambda: Picture(b"\x89PNG fake", "<table>scores</table>"), name="Demo")
    bundle = snapshot.bundle()
    assert WIDGET_VIEW not in bundle  # a widget view would be drawn by the widget manager, or hidden by it
    assert base64.b64decode(bundle["image/png"]) == b"\x89PNG fake"
    assert f'src="data:image/png;base64,{bundle["image/png"]}"' in bundle["text/html"]
    assert "<table>scores</table>" in bundle["text/html"] and "Demo" in bundle["text/plain"]
    assert (
        f'<div class="{SNAPSHOT_CLASS}">' in bundle["text/html"] and f"<style>{SWAP_CSS}</style>" in bundle["text/html"]
    )
    assert "image/png" not in Snapshot(lambda: Picture(None, "message"), name="Demo").bundle()


def test_snapshot_renders_only_once_shown_then_follows_every_control_change():
    w = UnpoolingExplorer(size=4, scales=(2,), scale=2, method="max")
    calls = []
    render = w.widget.snapshot.render
    w.widget.snapshot.render = lambda: calls.append(1) or render()
    w.method.value = "nearest"
    assert calls == []  # not displayed: nothing rendered
    handle = RecordingHandle()
    w.widget.snapshot.attach(handle)
    w.method.value = "bed of nails"
    w.method.value = "max"
    assert len(handle.bundles) == 2
    assert base64.b64decode(handle.bundles[-1]["image/png"]) == bytes(w.image.value)
    assert "max" in handle.bundles[-1]["text/html"] and "bed of nails" in handle.bundles[0]["text/html"]
    assert not np.array_equal(decode(handle.bundles[0]), decode(handle.bundles[1]))


def test_box_displays_the_live_widget_then_its_snapshot(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "workbench.widgets.snapshot.display",
        lambda obj, raw=False, display_id=None: shown.append((obj, display_id)) or RecordingHandle(),
    )
    box = SnapshotBox([], snapshot=Snapshot(lambda: Picture(b"png"), name="Demo"))
    box._ipython_display_()
    (live, live_id), (static, static_id) = shown
    assert live[WIDGET_VIEW]["model_id"] == box.model_id and "VBox(" not in live["text/plain"]
    assert WIDGET_VIEW not in static and "image/png" in static and static_id is True


def dilation_explorer():
    w = DilatedConvExplorer(kernel_size=3, rate=2, layers=2)
    return w, w.layers, 3, [w.kernel_image.value, w.stack_image.value]


def field_explorer():
    image, _ = SyntheticShapes(num_images=1, image_size=(24, 32), seed=0)[0]
    w = ReceptiveFieldExplorer(image, {"fcn32s": create_model("fcn32s", 2)}, num_samples=1, scale=2)
    return w, w.x, 3, [w.image.value, w.erf.value]


@pytest.mark.parametrize("make", [dilation_explorer, field_explorer], ids=["DilatedConv", "ReceptiveField"])
def test_lesson_explorers_picture_both_panels_side_by_side_and_follow_their_controls(make):
    w, control, value, panels = make()
    handle = RecordingHandle()
    w.widget.snapshot.attach(handle)
    control.value = value
    (bundle,) = handle.bundles
    picture = decode(bundle)
    sizes = [Image.open(io.BytesIO(bytes(png))).size for png in panels]
    assert picture.shape[1] >= sum(width for width, _ in sizes)  # both panels, as wide as the widget shows them
    assert picture.shape[0] > max(height for _, height in sizes)  # and a title row above them
    assert w.info.value in bundle["text/html"]  # the numbers the widget shows, as of the last change
    assert w.state["renders"] == 2


@pytest.mark.slow  # starts a kernel and executes five widgets (about 15 s)
def test_nbconvert_html_of_an_executed_notebook_holds_an_image_of_each_widget(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    notebook = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    notebook.cells = [nbformat.v4.new_code_cell(textwrap.dedent(cell).strip()) for cell in CELLS]
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert "application/vnd.jupyter.widget-state+json" in notebook.metadata.widgets  # stored, as papermill does
    html, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    images = [tag for tag in re.findall(r"<img [^>]*>", html) if 'src="data:image/png;base64,iVBOR' in tag]
    for name in NAMES:  # nbconvert rewrites the tags (attribute order), so look for both attributes in one tag
        assert sum(f'alt="{name}: last state"' in tag for tag in images) == 1, name
    assert "VBox(children" not in html
    # the later cell's change reached the saved picture: the unpooling snapshot says "nearest"
    unpooling = [
        o
        for c in notebook.cells
        for o in c.get("outputs", [])
        if "UnpoolingExplorer: picture" in o.get("data", {}).get("text/plain", "")
    ]
    assert len(unpooling) == 1 and "<b>nearest</b>" in unpooling[0]["data"]["text/html"]
