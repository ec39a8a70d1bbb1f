"""The error a run stops with when it diverges, without torch: the command line recognises it before any
training module is imported."""

from __future__ import annotations


class TrainingDiverged(RuntimeError):
    """The training loss, the validation loss or the weights became NaN or infinite; the run stopped without
    saving the broken weights.

    Attributes:
        step: the optimizer step whose loss was not finite (0-based), or the steps done when the validation
            loss or the weights were found non-finite.
        loss: that loss value (NaN when the weights were the problem).
        what: ``"training loss"``, ``"validation loss"`` or what else was not finite.
        checkpoint: the last good checkpoint (None when none was written yet).
        history: the history DataFrame up to the last completed epoch (None outside ``fit``).
    """

    def __init__(
        self, step: int, loss: float, lr: float, *, checkpoint=None, history=None, what: str = "training loss"
    ):
        self.step, self.loss, self.lr, self.checkpoint, self.history, self.what = (
            step,
            loss,
            lr,
            checkpoint,
            history,
            what,
        )
        kept = (
            f"The last good checkpoint is kept at {checkpoint}. To continue from it with the same settings (after "
            f"fixing the data), rerun the same command with --resume (resume=True in Python); to change the "
            f"learning rate or precision, start a new run with another --out folder."
            if checkpoint
            else "No checkpoint had been written yet."
        )
        found = f"the {what} was {loss}" if what.endswith("loss") else f"{what} held NaN or infinite values"
        super().__init__(
            f"Training diverged: {found} at step {step} (learning rate {lr:.3g}). Likely causes: a "
            f"learning rate too high (try 10x lower or add warmup_steps), fp16 overflow (try precision='bf16' "
            f"or 'fp32'), or NaN/inf values in the images. {kept}"
        )
