"""The offline extractor: random multi-scale shallow filters that transfer texture (Ustyuzhaninov et al. 2017)."""

import pytest
import torch

from workbench.data import SyntheticShapes
from workbench.style import StyleConfig, TextureFeatures, gram_matrix, style_distance, style_loss, transfer


def scene(seed: int, size: int = 48) -> torch.Tensor:
    shapes = SyntheticShapes(num_images=1, image_size=(size, size), seed=seed)
    return torch.from_numpy(shapes.scene(0).image).permute(2, 0, 1)


def test_levels_have_their_scale_and_are_seeded():
    features = TextureFeatures(channels=8)(torch.rand(2, 3, 32, 48))
    assert {k: tuple(v.shape) for k, v in features.items()} == {
        "scale2": (2, 8, 16, 24),
        "scale1": (2, 8, 32, 48),
        "scale4": (2, 8, 8, 12),
        "scale8": (2, 8, 4, 6),
    }
    assert all((v >= 0).all() for v in features.values())  # after the ReLU
    assert torch.equal(TextureFeatures(seed=3).filters, TextureFeatures(seed=3).filters)
    assert not torch.equal(TextureFeatures(seed=3).filters, TextureFeatures(seed=4).filters)
    filters = TextureFeatures(channels=8).filters
    assert filters.flatten(2).mean(-1).abs().max() < 1e-6  # zero-mean filters


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="powers of two"):
        TextureFeatures(scales=(1, 3))
    with pytest.raises(ValueError, match="unknown layer 'conv4_2'.*scale1"):
        TextureFeatures()(torch.rand(1, 3, 32, 32), ["conv4_2"])
    with pytest.raises(ValueError, match="too small"):
        TextureFeatures()(torch.rand(1, 3, 16, 16), ["scale8"])


@pytest.mark.slow  # 40 Adam steps at 48 x 48 (1 to 5 s on a busy 2-core machine)
def test_transfer_moves_the_texture_statistics_towards_the_style():
    """Judged by filters the run never saw (another seed): the result's style loss falls well below the
    content image's, so the texture moved towards the style's, not only the optimised numbers."""
    content, style = scene(1), scene(2)
    extractor = TextureFeatures(channels=32)
    config = StyleConfig(
        image_size=None, optimizer="adam", lr=0.03, steps=40, stage_every=20, **extractor.config_defaults
    )
    result = transfer(content, style, extractor=extractor, config=config, progress=False)
    judge = TextureFeatures(channels=32, seed=7)

    def loss_to_style(image):  # independent of style_distance: straight from the definitions
        with torch.no_grad():
            ours, theirs = judge(image[None], judge.layer_names), judge(style[None], judge.layer_names)
            return sum(style_loss(ours[k], gram_matrix(theirs[k])).item() for k in judge.layer_names)

    ratio = loss_to_style(result.image) / loss_to_style(content)
    assert style_distance(judge, result.image, style, judge.layer_names) == pytest.approx(loss_to_style(result.image))
    assert ratio < 1 / 3, ratio  # 0.22 here; about 0.01 at 128 x 128 with 64 filters and 60 steps
    # and the layout stayed: closer to the content image than to the style image, pixel by pixel
    assert (result.image - content).abs().mean() < (result.image - style).abs().mean()
