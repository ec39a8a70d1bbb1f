"""Training, evaluation, checkpoints and comparison runs.

``fit(model, train_data, val_data, TrainConfig(...))`` trains one model and keeps a run folder;
``compare(model_names, train_data, val_data, config)`` trains several under one budget and tabulates them.
"""
from workbench.engine.budget import BUDGETS, Budget, choose_budget, list_budgets
from workbench.engine.checkpoint import (
    CheckpointError, architecture_signature, load_checkpoint, load_model, read_checkpoint_info, save_checkpoint,
)
from workbench.engine.compare import chance_miou, compare, predict
from workbench.engine.config import TrainConfig
from workbench.engine.distributed import init_distributed
from workbench.engine.fit import create_optimizer, dataset_classes, fit
from workbench.engine.loop import TrainingDiverged, evaluate, train_one_epoch, validate
from workbench.engine.losses import create_loss, list_losses, register_loss
from workbench.engine.presets import DEMO_CONFIG, DEMO_DATA, DEMO_MODELS
from workbench.engine.runtime import Runtime, create_runtime
from workbench.engine.sampling import MemoryCache, create_eval_loader, create_train_loader
from workbench.engine.schedule import lr_at
from workbench.engine.scoring import score_model

__all__ = [
    "BUDGETS", "Budget", "choose_budget", "list_budgets",
    "CheckpointError", "DEMO_CONFIG", "DEMO_DATA", "DEMO_MODELS", "MemoryCache", "Runtime", "TrainConfig",
    "TrainingDiverged", "architecture_signature", "chance_miou", "compare", "create_eval_loader", "create_loss",
    "create_optimizer", "create_runtime", "create_train_loader", "dataset_classes", "evaluate", "fit",
    "init_distributed", "list_losses", "load_checkpoint", "load_model", "lr_at", "predict", "read_checkpoint_info",
    "register_loss", "save_checkpoint", "score_model", "train_one_epoch", "validate",
]
