"""The loss registry, without torch: the names are known before any loss is built.

The command line lists ``--loss`` choices from here (``list_losses()``) without importing the losses; the
built-in ones are declared by where they live in ``losses.py`` and imported on the first ``create_loss``. A
loss of your own can be declared here the same way, or registered with ``@register_loss("name")``.
"""

from __future__ import annotations

from workbench.registry import Registry

LOSSES: Registry = Registry("loss")  # name -> nn.Module class taking class_weights= and ignore_index=
LOSSES.add_deferred("ce", "workbench.engine.losses:CrossEntropyLoss")
LOSSES.add_deferred("dice", "workbench.engine.losses:DiceLoss")
LOSSES.add_deferred("ce+dice", "workbench.engine.losses:CrossEntropyDiceLoss")


def register_loss(name: str):
    """Class decorator adding a loss to the registry under ``name`` (duplicates are refused)."""
    return LOSSES.register(name)


def list_losses(pattern: str | None = None) -> list[str]:
    """Registered loss names, optionally filtered with an fnmatch pattern such as ``"*dice*"``."""
    return LOSSES.names(pattern)
