"""replace_stride_with_dilation keeps the field and multiplies positions; DeepLabV3's two output strides."""

from workbench.analysis.output_stride import PAPER_RATES, deeplab_costs, dilation_variants


def test_dilation_keeps_the_field_and_the_weights_and_shrinks_the_jump():
    rows = dilation_variants((64, 96))
    assert [r["layer4 shape"] for r in rows] == [(2048, 2, 3), (2048, 4, 6), (2048, 8, 12)]
    assert [r["field jump"] for r in rows] == [32, 16, 8]
    assert len({r["field size"] for r in rows}) == 1 and len({r["parameters"] for r in rows}) == 1
    assert rows[0]["GFLOPs"] < rows[1]["GFLOPs"] < rows[2]["GFLOPs"]


def test_deeplab_output_stride_8_costs_more_than_16():
    os16, os8 = deeplab_costs((64, 64), num_classes=3)
    assert os16["ASPP rates"] == PAPER_RATES[16] and os8["feature map"] == (8, 8)
    assert os8["GFLOPs"] > 2 * os16["GFLOPs"] and os8["activations MB"] > os16["activations MB"]
    assert os8["taps inside"][36] == round(1 / 9, 3)  # on an 8 x 8 map a rate-36 3x3 conv is its centre tap
