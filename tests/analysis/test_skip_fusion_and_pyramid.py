"""Skip fusion shapes and parameters counted by hand; pyramid pooling bins against plain means."""

import pytest
import torch

from workbench.analysis.pyramid_pooling import adaptive_bin_edges, pyramid_branches
from workbench.analysis.skip_fusion import fcn_fusions, unet_fusions
from workbench.models import create_model


def test_fcn_sums_class_scores_of_equal_shape():
    sums = fcn_fusions(11, (64, 96))
    assert [f.fused for f in sums] == [(11, 4, 6), (11, 8, 12)]
    assert all(f.upsampled == f.skip == f.fused for f in sums)
    # score_pool4: 1x1 conv 256 -> 11 with bias; upscore2: 11 -> 11 transposed conv 4x4, no bias
    assert sums[0].parameters == 256 * 11 + 11 + 11 * 11 * 4 * 4
    assert sums[1].parameters == 128 * 11 + 11 + 11 * 11 * 4 * 4


def test_unet_concatenates_features_and_pays_for_mixing_them():
    cats = unet_fusions(11, (64, 96))
    assert [f.fused[0] for f in cats] == [512 + 256, 256 + 128, 128 + 64, 64 + 64]
    assert all(f.fused[0] == f.upsampled[0] + f.skip[0] and f.fused[1:] == f.skip[1:] for f in cats)
    # conv1 768 -> 256 and conv2 256 -> 256, 3x3 without bias, each with a BatchNorm (2 x 256)
    assert cats[0].parameters == 768 * 256 * 9 + 2 * 256 + 256 * 256 * 9 + 2 * 256


@pytest.mark.parametrize("length, bins", [(12, 6), (16, 6), (7, 3), (5, 1)])
def test_bin_edges_cover_the_map_and_match_adaptive_pooling(length, bins):
    edges = adaptive_bin_edges(length, bins)
    assert edges[0][0] == 0 and edges[-1][1] == length and all(a < b for a, b in edges)
    x = torch.arange(length, dtype=torch.float64)[None, None, :]
    pooled = torch.nn.functional.adaptive_avg_pool1d(x, bins)[0, 0]
    torch.testing.assert_close(pooled, torch.stack([x[0, 0, a:b].mean() for a, b in edges]))


def test_pyramid_branches_are_the_bin_means_of_the_real_feature_map():
    torch.manual_seed(0)
    branches = pyramid_branches(create_model("pspnet", 3), torch.randn(1, 3, 64, 128))
    assert sorted(branches.pooled) == [1, 2, 3, 6] and branches.stride == 8
    features = branches.features
    assert features.shape[-2:] == (8, 16)
    rows, cols = adaptive_bin_edges(8, 6), adaptive_bin_edges(16, 6)
    for i, j in [(0, 0), (2, 5), (5, 3)]:
        expected = features[0, :, rows[i][0] : rows[i][1], cols[j][0] : cols[j][1]].mean(dim=(1, 2))
        torch.testing.assert_close(branches.pooled[6][0, :, i, j], expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(branches.pooled[1][0, :, 0, 0], features[0].mean(dim=(1, 2)), rtol=1e-5, atol=1e-6)


def test_a_model_without_pyramid_pooling_is_refused():
    with pytest.raises(ValueError, match="pspnet"):
        pyramid_branches(create_model("fcn32s", 3), torch.zeros(1, 3, 32, 32))
