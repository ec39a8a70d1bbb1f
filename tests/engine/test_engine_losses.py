"""Losses against torch and hand computations: ignore_index, class weights, the all-void batch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from workbench.engine import create_loss, list_losses

C = 4


def _batch(seed=0, void=0.2):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(2, C, 5, 6, generator=gen, requires_grad=True)
    masks = torch.randint(0, C, (2, 5, 6), generator=gen)
    masks[torch.rand(2, 5, 6, generator=gen) < void] = 255
    return logits, masks


def _dice_by_hand(logits, masks, weights=None):
    probs = logits.detach().softmax(1).numpy()
    masks = masks.numpy()
    valid = masks != 255
    dices, used = [], []
    for c in range(C):
        p, g = probs[:, c][valid], (masks[valid] == c).astype(float)
        dices.append(2 * (p * g).sum() / ((p * p).sum() + (g * g).sum() + 1e-6))
        used.append(g.sum() > 0)
    w = np.asarray(used, float) * (1 if weights is None else np.asarray(weights))
    return 1 - (np.asarray(dices) * w).sum() / w.sum()


def test_registry_lists_the_three_losses_and_rejects_unknown_names():
    assert list_losses() == ["ce", "ce+dice", "dice"]
    with pytest.raises(ValueError, match="choose one of"):
        create_loss("focal")


@pytest.mark.parametrize("weights", [None, (1.0, 2.0, 0.5, 3.0)])
def test_cross_entropy_equals_torch_with_weights_and_ignore(weights):
    logits, masks = _batch()
    ours = create_loss("ce", class_weights=weights)(logits, masks)
    w = None if weights is None else torch.tensor(weights)
    assert torch.allclose(ours, F.cross_entropy(logits, masks, weight=w, ignore_index=255), atol=1e-6)


@pytest.mark.parametrize("weights", [None, (1.0, 2.0, 0.5, 3.0)])
def test_dice_equals_hand_computation(weights):
    logits, masks = _batch(seed=1)
    ours = create_loss("dice", class_weights=weights)(logits, masks)
    assert ours.item() == pytest.approx(_dice_by_hand(logits, masks, weights), abs=1e-5)


@pytest.mark.parametrize("name", ["ce", "dice", "ce+dice"])
def test_void_pixels_do_not_change_the_loss_or_get_gradient(name):
    logits, masks = _batch(seed=2)
    loss = create_loss(name)
    changed = logits.detach().clone()
    changed[(masks == 255).unsqueeze(1).expand_as(changed)] = 50.0
    assert torch.allclose(loss(logits, masks), loss(changed, masks), atol=1e-6)
    loss(logits, masks).backward()
    assert logits.grad[(masks == 255).unsqueeze(1).expand_as(logits)].abs().max() == 0


@pytest.mark.parametrize("name", ["ce", "dice", "ce+dice"])
def test_all_void_batch_gives_zero_loss_and_zero_gradient(name):
    logits = torch.randn(1, C, 3, 3, requires_grad=True)
    loss = create_loss(name)(logits, torch.full((1, 3, 3), 255))
    loss.backward()
    assert loss.item() == 0 and torch.isfinite(logits.grad).all() and logits.grad.abs().max() == 0


def test_perfect_prediction_has_near_zero_dice_and_sum_is_the_sum():
    _, masks = _batch(seed=3)
    logits = 30 * F.one_hot(masks.where(masks != 255, 0), C).permute(0, 3, 1, 2).float()
    assert create_loss("dice")(logits, masks).item() < 1e-5
    logits, masks = _batch(seed=4)
    total = create_loss("ce+dice")(logits, masks)
    assert torch.allclose(total, create_loss("ce")(logits, masks) + create_loss("dice")(logits, masks))


def test_bad_class_weights_and_shapes_are_clear_errors():
    logits, masks = _batch()
    with pytest.raises(ValueError, match="class_weights has 3 entries"):
        create_loss("ce", class_weights=(1, 1, 1))(logits, masks)
    with pytest.raises(ValueError, match="non-negative"):
        create_loss("dice", class_weights=(1, -1, 1, 1))
    with pytest.raises(ValueError, match=r"logits \(N, C, H, W\)"):
        create_loss("ce")(logits, masks[0])
