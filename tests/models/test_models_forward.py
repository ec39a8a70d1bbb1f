"""Every registered model: logits at any input size, gradients everywhere, channels-last and bf16 autocast."""

import pytest
import torch

from workbench.models import create_model, list_models

NUM_CLASSES = 3


@pytest.fixture(scope="module", autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.mark.parametrize("name", list_models())
def test_odd_size_logits_and_backward(name):
    model = create_model(name, NUM_CLASSES)
    images = torch.randn(2, 3, 97, 131)  # odd sizes, divisible by no stride

    logits = model(images)

    assert logits.shape == (2, NUM_CLASSES, 97, 131)
    assert logits.dtype == torch.float32 and torch.isfinite(logits).all()
    logits.logsumexp(dim=1).mean().backward()
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    missing = [n for n, p in trainable.items() if p.grad is None]
    assert not missing, f"parameters without gradient (unused in forward): {missing[:5]}"
    assert all(torch.isfinite(p.grad).all() for p in trainable.values())
    assert sum(p.grad.abs().sum() for p in trainable.values()) > 0


@pytest.mark.parametrize("name", list_models())
def test_channels_last_and_bf16_autocast(name):
    model = create_model(name, NUM_CLASSES).eval()
    images = torch.randn(1, 3, 45, 59)
    with torch.no_grad():
        reference = model(images)
        model = model.to(memory_format=torch.channels_last)
        channels_last = model(images.to(memory_format=torch.channels_last))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            half = model(images.to(memory_format=torch.channels_last))

    torch.testing.assert_close(channels_last, reference, rtol=1e-4, atol=1e-4)
    assert half.shape == (1, NUM_CLASSES, 45, 59) and half.dtype == torch.bfloat16
    assert torch.isfinite(half).all()
    # bf16 keeps 8 bits of mantissa: the prediction moves a little, not wholesale.
    assert (half.float() - reference).abs().mean() < 0.1 * reference.abs().mean() + 0.05


@pytest.mark.gpu
@pytest.mark.parametrize("name", list_models())
def test_cuda_bf16_channels_last_training_step(name):
    model = create_model(name, NUM_CLASSES).cuda().to(memory_format=torch.channels_last)
    images = torch.randn(2, 3, 97, 131, device="cuda").to(memory_format=torch.channels_last)
    masks = torch.randint(0, NUM_CLASSES, (2, 97, 131), device="cuda")

    with torch.autocast("cuda", dtype=torch.bfloat16):
        logits = model(images)
        loss = torch.nn.functional.cross_entropy(logits, masks)
    loss.backward()

    assert logits.shape == (2, NUM_CLASSES, 97, 131) and logits.dtype == torch.bfloat16
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in trainable)
