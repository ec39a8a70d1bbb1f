"""Learning-rate schedule: linear warm-up, then the "poly" decay of DeepLab (Chen et al., 2017).

A pure function of the step, as in nanoGPT's ``get_lr``: the loop sets ``group["lr"] = lr_at(step, ...)``
before every optimizer step, so resuming at any step gives the same rates without scheduler state.
"""

from __future__ import annotations


def lr_at(step: int, *, base_lr: float, total_steps: int, power: float = 0.9, warmup_steps: int = 0) -> float:
    """Learning rate for optimizer step ``step`` (0-based).

    During warm-up (``step < warmup_steps``) the rate rises linearly to ``base_lr``; afterwards it decays as
    ``base_lr * (1 - t / T) ** power`` with ``t`` the steps since warm-up and ``T = total_steps -
    warmup_steps``. Steps at or past ``total_steps`` get 0.

    Args:
        step: optimizer steps taken so far.
        base_lr: peak learning rate.
        total_steps: length of the whole schedule, warm-up included.
        power: poly exponent (0.9 in DeepLab; 1 is a linear decay).
        warmup_steps: steps of linear warm-up.
    """
    if total_steps < 1 or not 0 <= warmup_steps < total_steps:
        raise ValueError(
            f"lr_at needs total_steps >= 1 and 0 <= warmup_steps < total_steps, got {total_steps} and {warmup_steps}."
        )
    if step < 0:
        raise ValueError(f"lr_at: step must be >= 0, got {step}.")
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return base_lr * (1.0 - progress) ** power
