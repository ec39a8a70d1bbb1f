"""Training, prediction, scoring into evaluation records, checkpoints and comparison runs.

``fit(model, train_data, val_data, TrainConfig(...))`` trains one model and keeps a run folder (a record);
``compare(model_names, train_data, val_data, config)`` trains several under one budget and tabulates them;
``score_model`` and ``score_predictions`` score a model or another tool's masks into a record.
"""
from workbench.engine.budget import BUDGETS, Budget, choose_budget, list_budgets
from workbench.engine.checkpoint import (
    CheckpointError, NonFiniteCheckpoint, architecture_signature, load_checkpoint, load_model, read_checkpoint_info,
    save_checkpoint,
)
from workbench.engine.compare import compare
from workbench.engine.comparison import comparison_table, write_comparison
from workbench.engine.config import TrainConfig
from workbench.engine.distributed import init_distributed
from workbench.engine.fit import create_optimizer, fit
from workbench.metrics import chance_miou  # re-exported: where the comparison table uses it
from workbench.engine.loop import TrainingDiverged, train_one_epoch
from workbench.engine.losses import create_loss, list_losses, register_loss
from workbench.engine.predict import predict
from workbench.engine.resume_check import ResumeMismatch
from workbench.engine.run_lock import RunLock, RunLocked
from workbench.engine.config import DEMO_CONFIG, DEMO_DATA, DEMO_MODELS
from workbench.engine.runtime import Runtime, create_runtime
from workbench.engine.sampling import MemoryCache, create_eval_loader, create_train_loader
from workbench.engine.schedule import lr_at
from workbench.engine.scoring import model_source, score_comparison, score_model, score_predictions

__all__ = [
    "BUDGETS", "Budget", "CheckpointError", "DEMO_CONFIG", "DEMO_DATA", "DEMO_MODELS", "MemoryCache",
    "NonFiniteCheckpoint", "ResumeMismatch", "RunLock", "RunLocked", "Runtime", "TrainConfig",
    "TrainingDiverged", "architecture_signature", "chance_miou", "choose_budget", "compare", "comparison_table",
    "create_eval_loader", "create_loss", "create_optimizer", "create_runtime", "create_train_loader",
    "fit", "init_distributed", "list_budgets", "list_losses",
    "load_checkpoint", "load_model", "lr_at", "model_source", "predict", "read_checkpoint_info", "register_loss",
    "save_checkpoint", "score_comparison", "score_model", "score_predictions", "train_one_epoch",
    "write_comparison",
]
