"""What the lesson notebooks (no training) show at their small parameters: each test reads the session's one
executed copy (``executed_notebook``) and checks the notebook's own claims, its key numbers and its figures."""

import re

import pytest
from shown import cell, load, number, pictures, printed, table, widgets
from small_parameters import SMALL

pytestmark = pytest.mark.slow


def test_01_dataset_sample_regions_and_figures(executed_notebook):
    notebook, small = load(executed_notebook("01_segmentation_basics")), SMALL["01_segmentation_basics"]
    described = printed(cell(notebook, "dataset = wb.data.create_dataset("))
    assert f"{small['num_images']} samples, 7 classes: background," in described, described
    sample = printed(cell(notebook, "image, mask = dataset[0]"))
    height, width = small["image_size"]
    assert f"image (3, {height}, {width}) torch.float32" in sample, f"an image is a (3, H, W) float tensor: {sample}"
    assert f"mask  ({height}, {width}) torch.int64" in sample and "255]" in sample, (
        f"a mask is an (H, W) int64 map of class ids, with void 255 in the synthetic scenes: {sample}"
    )
    regions = table(cell(notebook, "ndimage.label("))
    assert list(regions) == described.split("classes: ")[1].strip().split(", ") and all(
        set(row) == {"connected regions", "objects"} for row in regions.values()
    ), f"one row per class, regions counted beside the generator's objects: {regions}"
    assert regions["background"]["objects"] == "0", "the background is no object"
    for source, what in [("plot_overlay(", "image, mask and overlay"), ("plot_per_class(", "class shares")]:
        assert pictures(cell(notebook, source)) == 1, f"the figure of {what}"
    gallery = cell(notebook, "gallery_indices(")
    picks = re.search(r"^samples \[(.*)\]", printed(gallery), re.MULTILINE)[1].split(", ")
    assert len(set(picks)) == min(4, small["num_images"]) and pictures(gallery) == 1, "distinct samples, one figure"


def test_02_three_ways_agree_with_pytorch_and_the_checkerboard_is_drawn(executed_notebook):
    notebook = load(executed_notebook("02_transposed_convolution"))
    shape = printed(cell(notebook, "conv_transpose_output_size("))
    # the defaults: n = 2, K = 3, S = 2, P = 0, OP = 0: S (n - 1) + K - 2P + OP = 5, and a convolution maps 5 back to 2
    assert "transposed conv: 2 -> 5;  conv with the same settings: 5 -> 2" in shape, shape
    ways = printed(cell(notebook, "conv_transpose_as_conv"))
    for way in ("conv_transpose_scatter", "conv_transpose_matrix", "conv_transpose_as_conv"):
        error = number(rf"^{way}\s+shape \(1, 3, 5, 5\)\s+max \|difference\| (\S+)$", ways)
        assert error < 1e-12, f"{way} equals F.conv_transpose2d in float64 at the (1, 3, 5, 5) output: {ways}"
    walk = printed(cell(notebook, 'explorer.state["walkthrough"]'))
    assert "V: (4, 25)  input: (2, 2)  output: (5, 5)\nTrue" in walk, f"V^T times the input is the output: {walk}"
    assert pictures(cell(notebook, "TransposedConvExplorer(")) == 1, "the explorer keeps a picture of itself"
    assert pictures(cell(notebook, "stamps per output pixel")) == 1, "the stamp counts, K=3 and K=4"
    bilinear = printed(cell(notebook, "bilinear_upsampling("))
    inside = number(r"max \|difference\| inside the border: (\S+)$", bilinear)
    assert inside < 1e-5, f"the bilinear transposed convolution is F.interpolate away from the border: {bilinear}"
    assert pictures(cell(notebook, "UnpoolingExplorer(")) == 1, "the unpooling explorer's picture"
    unpool = printed(cell(notebook, "F.max_unpool2d("))
    assert "max_unpool agrees with torch: True" in unpool, unpool
    assert "nearest: (1, 1, 4, 4)  bed of nails: (1, 1, 4, 4)" in unpool, f"all three undo the 2x2 pooling: {unpool}"


def test_06_the_style_loss_fell(executed_notebook):
    notebook, small = load(executed_notebook("06_style_transfer")), SMALL["06_style_transfer"]
    run = printed(cell(notebook, "transfer("))
    stages = small["steps"] // small["stage_every"] + 1
    assert f"{stages} stages; final losses:" in run, f"the start and one stage every {small['stage_every']}: {run}"
    assert pictures(cell(notebook, "StyleStages(")) == 1, "the stage browser's picture"
    assert pictures(cell(notebook, "draw_loss_curves(")) == 1, "content, style, result and the loss curves"
    judged = printed(cell(notebook, "TextureFeatures(seed=7)"))
    ratio = number(r"style loss of the result / style loss of the content image: (\S+)$", judged)
    assert ratio < 1, f"after {small['steps']} steps the result is closer to the style than the content is: {judged}"
    gram = printed(cell(notebook, "same Gram after shuffling"))
    assert "same Gram after shuffling positions: True" in gram, f"a Gram matrix ignores positions: {gram}"
    assert number(r"content loss between the two: (\S+) ", gram) > 0, f"the content loss sees the shuffle: {gram}"


def test_08_sliding_window_equals_the_fcn_at_less_cost(executed_notebook):
    notebook = load(executed_notebook("08_sliding_window_to_fcn"))
    same = printed(cell(notebook, "sliding_window("))
    shapes = re.search(r"sliding window: (\(.*?\)), convolutionalised: (\(.*?\))", same)
    assert shapes and shapes[1] == shapes[2], f"one score map, a score per window position, both ways: {same}"
    assert number(r"largest difference (\S+)$", same) < 1e-5, f"the same scores at every window: {same}"
    costs = cell(notebook, "window_costs(")
    rows = table(costs)
    gflops = {method: float(row["GFLOPs"]) for method, row in rows.items()}
    assert gflops["sliding window, stride 4"] > gflops["convolutionalised"], f"shared work is done once: {rows}"
    assert (
        rows["sliding window, stride 1"]["MFLOPs per output"] == rows["sliding window, stride 4"]["MFLOPs per output"]
    )
    redundancy = printed(costs)
    assert number(r"redundancy ratio: (\S+) at stride 4", redundancy) > 1, redundancy
    assert number(r", (\S+) for the dense outputs", redundancy) > 1, redundancy
    assert pictures(cell(notebook, "GFLOPs for one image")) == 1, "the cost bars"
    stitched = cell(notebook, "shift_and_stitch(")
    text = printed(stitched)
    assert number(r"largest difference (\S+)$", text) < 1e-5 and pictures(stitched) == 1, (
        f"shift-and-stitch fills the dense network's outputs, and the passes' grid is drawn: {text}"
    )
    memory = table(cell(notebook, "depth_peer_costs("))
    shallow, deep = (str(depth) for depth in SMALL["08_sliding_window_to_fcn"]["depths"])
    megabytes = {(row["network"], row["3x3 convs"]): float(row["activations MB"]) for row in memory.values()}
    grown = {net: megabytes[net, deep] - megabytes[net, shallow] for net in ("FullResolutionNet", "EncoderDecoderNet")}
    assert grown["FullResolutionNet"] > grown["EncoderDecoderNet"] >= 0, (
        f"from {shallow} to {deep} convolutions the full-resolution net's activations grow by full-size maps, the "
        f"encoder-decoder's barely (MB): {grown}\n{memory}"
    )


def test_09_receptive_fields_stage_by_stage_and_effective(executed_notebook):
    notebook, small = load(executed_notebook("09_receptive_field")), SMALL["09_receptive_field"]
    stages = table(cell(notebook, "receptive_fields(resnet, stages)"))
    sizes = {layer: int(re.findall(r"\d+", row["size"])[0]) for layer, row in stages.items()}
    jumps = {layer: int(re.findall(r"\d+", row["jump"])[0]) for layer, row in stages.items()}
    # ResNet-18's arithmetic, as the lesson states it: layer2 sees 99 x 99 with units 8 apart, layer4 435 x 435
    assert (sizes["layer2"], jumps["layer2"], sizes["layer4"], jumps["layer4"]) == (99, 8, 435, 32), stages
    assert list(sizes.values()) == sorted(sizes.values()), f"the field grows stage by stage: {sizes}"
    assert pictures(cell(notebook, "plot_field_box(")) == 1, "the fields of layer1 to layer3 over an image"
    effective = cell(notebook, "model_fields(")
    rows = table(effective)
    assert list(rows) == small["models"] and pictures(effective) == 1, f"a row and a panel per model: {rows}"
    assert rows["pspnet"]["analytic size"] == "99", "PSPNet's encoder stops at layer2: its field is 99 pixels"
    for name, row in rows.items():
        half, most, analytic = (int(row[k]) for k in ("ERF 50% square", "ERF 90% square", "analytic size"))
        assert half <= most < analytic, f"{name}: the effective field is smaller than the analytic one: {row}"
    assert widgets(cell(notebook, "ReceptiveFieldExplorer(")) == 1, "the explorer, its state saved with the notebook"


def test_10_dilation_keeps_the_field_and_pyramid_pooling_summarises(executed_notebook):
    notebook = load(executed_notebook("10_dilation_and_pyramid_pooling"))
    assert widgets(cell(notebook, "DilatedConvExplorer(")) == 1, "the explorer, its state saved with the notebook"
    assert pictures(cell(notebook, "stacked_paths(")) == 1, "equal against hybrid rates"
    variants = table(cell(notebook, "dilation_variants("))
    assert list(variants) == ["32", "16", "8"], variants
    assert len({row["field size"] for row in variants.values()}) == 1, f"layer4's field keeps its size: {variants}"
    assert all(row["field jump"] == stride for stride, row in variants.items()), f"units one stride apart: {variants}"
    assert len({row["parameters"] for row in variants.values()}) == 1, f"dilation adds no weights: {variants}"
    flops = [float(row["GFLOPs"]) for row in variants.values()]
    assert flops == sorted(flops) and flops[0] < flops[-1], f"more positions cost more: {variants}"
    costs = table(cell(notebook, "deeplab_costs("))
    assert [costs[s]["ASPP rates"] for s in ("16", "8")] == ["(6, 12, 18)", "(12, 24, 36)"], costs
    assert float(costs["8"]["GFLOPs"]) > 2 * float(costs["16"]["GFLOPs"]), f"stride 8 costs about 3x: {costs}"
    assert float(costs["8"]["activations MB"]) > float(costs["16"]["activations MB"]), f"and more memory: {costs}"
    assert pictures(cell(notebook, "taps_inside(")) == 1, "the share of taps on the map over the rate"
    assert pictures(cell(notebook, "pyramid_branches(")) == 1, "the bins and the pooled maps"
    bins = table(cell(notebook, "adaptive_bin_edges(n, bins)"))
    assert list(bins) == ["1", "2", "3", "6"], f"PSPNet's 1, 2, 3 and 6 bins per axis: {bins}"
    seen = [int(row["image pixels seen"].split(" x ")[0]) for row in bins.values()]
    assert seen == sorted(seen, reverse=True), f"a coarser bin averages features that see further: {bins}"


def test_12_the_checkerboard_figures(executed_notebook):
    notebook = load(executed_notebook("12_checkerboard_artifacts"))
    for source, what in [
        ("transposed_overlap(3, 2", "the stamp counts of five upsamplings, with their unevenness"),
        ("upsampled_constant(method", "stacked random upsamplers on a constant image"),
        ("for n in range(1, layers + 1)", "the transposed stack's pattern stage by stage"),
    ]:
        assert pictures(cell(notebook, source)) == 1, f"the figure of {what}"


CASE_LINE = re.compile(
    r"^\((?P<case>[abc])\) .*: mIoU (?P<miou>[\d.]+); the object's errors: "
    r"boundary (?P<boundary>\d+)%, extent (?P<extent>\d+)%, segment (?P<segment>\d+)%; "
    r"FP (?P<fp>\d+)%, FN (?P<fn>\d+)%$",
    re.MULTILINE,
)


def test_13_three_boundary_scores_and_one_miou_drop_three_errors(executed_notebook):
    notebook = load(executed_notebook("13_boundary_scores"))
    scores = cell(notebook, "def object_scores(")
    rows = {label: {k: float(v) for k, v in row.items()} for label, row in table(scores).items()}
    assert rows["perfect"] == {"IoU": 1, "Boundary IoU": 1, "BF": 1, "HD95 (px)": 0}, rows["perfect"]
    shifted = next(row for label, row in rows.items() if label.startswith("boundary shifted"))
    assert shifted["Boundary IoU"] < shifted["IoU"] and shifted["BF"] < 1, f"a shift costs the boundary: {shifted}"
    assert f"boundary shifted {shifted['HD95 (px)']:.0f} px" in rows, f"HD95 is the shift itself: {rows}"
    small, large = (row for label, row in rows.items() if "blob" in label)
    distance = SMALL["13_boundary_scores"]["distance"]
    assert small["HD95 (px)"] == 0 < distance <= large["HD95 (px)"], (
        f"HD95 jumps to the large blob's distance ({distance} px) but not for the small one (under 5%): {rows}"
    )
    bar = next(row for label, row in rows.items() if label.startswith("missed"))
    assert bar["BF"] < bar["IoU"] and bar["Boundary IoU"] < bar["IoU"], f"the thin bar is all boundary: {bar}"
    for source, what in [("plot_error_map(ax", "the error maps"), ("by_shift = ", "the scores as the error grows")]:
        assert pictures(cell(notebook, source)) == 1, f"the figure of {what}"
    # One mIoU drop, three errors: (a) shift, (b) false blob, (c) missed object at nearly one mIoU, and the
    # error breakdown naming each (boundary; segment FP; segment FN), as its printed summary shows.
    text = printed(cell(notebook, "error_breakdown("))
    cases = {
        m["case"]: {k: float(v) for k, v in m.groupdict().items() if k != "case"} for m in CASE_LINE.finditer(text)
    }
    assert sorted(cases) == ["a", "b", "c"], text
    mious = [case["miou"] for case in cases.values()]
    assert max(mious) - min(mious) <= 0.01 and max(mious) < 0.99, f"one mIoU drop for three errors: {mious}"
    assert cases["a"]["boundary"] >= 90 and cases["a"]["fp"] == cases["a"]["fn"] == 50, cases["a"]
    assert cases["b"]["segment"] == 100 and cases["b"]["fp"] == 100, cases["b"]
    assert cases["c"]["segment"] == 100 and cases["c"]["fn"] == 100, cases["c"]
    assert pictures(cell(notebook, "packed_error_kinds(target, target)")) == 1, "the error kinds drawn"
    curve = cell(notebook, "tolerance_curve(")  # the tolerance curves tell the shift from the objects
    lines = printed(curve)
    assert re.search(r"^\(a\) .*: NSD reaches 1 at tau = \d+ px$", lines, re.MULTILINE), lines
    assert len(re.findall(r"^\([bc]\) .*: NSD stays below 1 at every tau", lines, re.MULTILINE)) == 2, lines
    assert pictures(curve) == 1, "the curves' figure"
