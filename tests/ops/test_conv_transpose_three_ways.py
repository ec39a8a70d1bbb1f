"""The three transposed convolutions against torch, on the classic worked examples and random settings."""

import random

import pytest
import torch
import torch.nn.functional as F

from workbench.ops import conv_matrix, conv_transpose_as_conv, conv_transpose_matrix, conv_transpose_scatter

WAYS = [conv_transpose_scatter, conv_transpose_matrix, conv_transpose_as_conv]


def _random_settings(seed: int) -> dict:
    """One random 1D or 2D call: kernel, stride, padding, output padding, channels, batch, input size."""
    rng = random.Random(seed)
    dims = rng.choice([1, 2])
    kernel = [rng.randint(1, 5) for _ in range(dims)]
    stride = [rng.randint(1, 4) for _ in range(dims)]
    size = [rng.randint(1, 6) for _ in range(dims)]
    output_padding = [rng.randint(0, s - 1) for s in stride]
    # the largest padding that leaves at least one output pixel: S (N - 1) + K + OP - 2P >= 1
    padding = [
        rng.randint(0, (s * (n - 1) + k + op - 1) // 2) for s, n, k, op in zip(stride, size, kernel, output_padding)
    ]
    return dict(
        dims=dims,
        kernel=kernel,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        size=size,
        c_in=rng.randint(1, 3),
        c_out=rng.randint(1, 3),
        batch=rng.choice([None, 1, 2]),
    )


def _tensors(cfg: dict, dtype: torch.dtype, seed: int):
    gen = torch.Generator().manual_seed(seed)
    batch = () if cfg["batch"] is None else (cfg["batch"],)
    x = torch.randn(*batch, cfg["c_in"], *cfg["size"], generator=gen, dtype=dtype)
    w = torch.randn(cfg["c_in"], cfg["c_out"], *cfg["kernel"], generator=gen, dtype=dtype)
    return x, w


@pytest.mark.parametrize("way", WAYS, ids=lambda f: f.__name__)
def test_classic_1d_example(way):
    # the lecture notes' example: input [1, 2], kernel [3, 4], stride 2 -> [1*3, 1*4, 2*3, 2*4], no overlap
    x, w = torch.tensor([[[1.0, 2.0]]]), torch.tensor([[[3.0, 4.0]]])
    assert way(x, w, stride=2).tolist() == [[[3.0, 4.0, 6.0, 8.0]]]
    assert F.conv_transpose1d(x, w, stride=2).tolist() == [[[3.0, 4.0, 6.0, 8.0]]]
    # stride 1: the two stamps overlap in the middle, 1*4 + 2*3
    assert way(x, w).tolist() == F.conv_transpose1d(x, w).tolist() == [[[3.0, 10.0, 8.0]]]


@pytest.mark.parametrize("way", WAYS, ids=lambda f: f.__name__)
def test_transposed_convolution_does_not_undo_a_convolution(way):
    # notebook 2's warning: blur [0, 4, 0, 0] with [0.5, 0.5]; the transposed convolution blurs it again,
    # the deconvolution of signal processing (solve V x = y) gives the signal back
    x, blur = torch.tensor([[[0.0, 4.0, 0.0, 0.0]]]), torch.tensor([[[0.5, 0.5]]])
    y = F.conv1d(x, blur, padding=1)
    assert y.tolist() == [[[0.0, 2.0, 2.0, 0.0, 0.0]]]
    assert way(y, blur, padding=1).tolist() == [[[1.0, 2.0, 1.0, 0.0]]]
    deblurred = torch.linalg.lstsq(conv_matrix(4, blur, padding=1), y.reshape(-1, 1)).solution
    torch.testing.assert_close(deblurred.reshape(x.shape), x)


@pytest.mark.parametrize("way", WAYS, ids=lambda f: f.__name__)
def test_classic_2d_example(way):
    # d2l.ai 14.10: X = K = [[0, 1], [2, 3]], stride 1
    x = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    y = way(x[None, None], x[None, None])
    assert y[0, 0].tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-5)], ids=["f64", "f32"])
def test_three_ways_agree_with_torch(seed, dtype, tol):
    cfg = _random_settings(seed)
    x, w = _tensors(cfg, dtype, seed)
    settings = dict(stride=cfg["stride"], padding=cfg["padding"], output_padding=cfg["output_padding"])
    reference = (F.conv_transpose2d if cfg["dims"] == 2 else F.conv_transpose1d)(x, w, **settings)
    for way in WAYS:
        out = way(x, w, **settings)
        assert out.shape == reference.shape, (way.__name__, cfg)
        assert out.dtype == dtype
        torch.testing.assert_close(
            out,
            reference,
            rtol=0,
            atol=tol * max(1.0, reference.abs().max().item()),
            msg=lambda m, way=way, cfg=cfg: f"{way.__name__} {cfg}: {m}",
        )


@pytest.mark.parametrize("way", WAYS, ids=lambda f: f.__name__)
def test_int_arguments_equal_tuples(way):
    x, w = torch.randn(1, 2, 3, 4, dtype=torch.float64), torch.randn(2, 3, 3, 3, dtype=torch.float64)
    torch.testing.assert_close(way(x, w, 2, 1, 1), way(x, w, (2, 2), (1, 1), (1, 1)))


@pytest.mark.parametrize("way", WAYS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "bad,match",
    [
        (dict(stride=2, output_padding=2), "output_padding .* smaller than stride"),
        (dict(stride=1, output_padding=1), "output_padding"),
        (dict(stride=0), "stride must be >= 1"),
        (dict(padding=-1), "padding must be >= 0"),
        (dict(padding=5), "crops the whole output"),
        (dict(stride=(2, 2, 2)), "3 entries but the call is 2D"),
    ],
)
def test_bad_settings_raise_clear_errors(way, bad, match):
    x, w = torch.randn(1, 1, 2, 2), torch.randn(1, 1, 3, 3)
    with pytest.raises(ValueError, match=match):
        way(x, w, **bad)


@pytest.mark.parametrize("way", WAYS, ids=lambda f: f.__name__)
def test_bad_tensors_raise_clear_errors(way):
    with pytest.raises(ValueError, match="3 channels but weight"):
        way(torch.randn(1, 3, 4, 4), torch.randn(2, 1, 3, 3))
    with pytest.raises(ValueError, match="needs an input"):
        way(torch.randn(4, 4), torch.randn(1, 1, 3, 3))
    with pytest.raises(ValueError, match="share one floating dtype"):
        way(torch.ones(1, 1, 2, 2, dtype=torch.int64), torch.ones(1, 1, 2, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="weight must be"):
        way(torch.randn(1, 1, 2, 2, 2), torch.randn(1, 1, 2, 2, 2))


@pytest.mark.gpu
@pytest.mark.parametrize("way", WAYS, ids=lambda f: f.__name__)
def test_three_ways_on_cuda(way):
    # float64: float32 convolutions on CUDA may use TF32 and differ from the CPU path by ~1e-3
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 5, 4, generator=gen, dtype=torch.float64).cuda()
    w = torch.randn(3, 2, 3, 3, generator=gen, dtype=torch.float64).cuda()
    out = way(x, w, stride=2, padding=1, output_padding=1)
    assert out.device.type == "cuda"
    torch.testing.assert_close(out, F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), rtol=0, atol=1e-10)
