"""Training, prediction, scoring into evaluation records, checkpoints and comparison runs.

``fit(model, train_data, val_data, TrainConfig(...))`` trains one model and keeps a run folder (a record);
``compare(model_names, train_data, val_data, config)`` trains several under one budget and tabulates them;
``score_model`` and ``score_predictions`` score a model or another tool's masks into a record.
Each name imports its submodule on first use: ``TrainConfig`` and ``list_losses`` need no torch.
"""

from workbench.lazy_exports import export_lazily

__all__ = export_lazily(
    __name__,
    {
        ".budget": ["BUDGETS", "Budget", "choose_budget", "list_budgets"],
        ".checkpoint": [
            "CheckpointError",
            "NonFiniteCheckpoint",
            "architecture_signature",
            "load_checkpoint",
            "load_model",
            "read_checkpoint_info",
            "save_checkpoint",
        ],
        ".compare": ["compare"],
        ".config": ["DEMO_CONFIG", "DEMO_DATA", "DEMO_MODELS", "TrainConfig"],
        ".distributed": ["init_distributed"],
        ".fit": ["create_optimizer", "fit"],
        ".diverged": ["TrainingDiverged"],
        ".loop": ["train_one_epoch"],
        ".loaders": ["create_eval_loader", "create_train_loader"],
        ".loss_registry": ["list_losses", "register_loss"],
        ".losses": ["create_loss"],
        ".memory_cache": ["MemoryCache"],
        ".photo": ["PhotoModel", "PhotoSegmentation", "load_photo_model", "segment_photo"],
        ".predict": ["predict"],
        ".resume_check": ["ResumeMismatch"],
        ".run_lock": ["RunLock", "RunLocked"],
        ".runtime": ["Runtime", "create_runtime"],
        ".schedule": ["lr_at"],
        ".scoring": ["model_source", "score_comparison", "score_model", "score_predictions"],
    },
)
