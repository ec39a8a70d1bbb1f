"""The files a training run keeps beside its record, read back: ``history.csv`` and ``config.json``.

The engine writes them (``engine.run_folder``); the report, the run figures and a resumed run read them
here, so a damaged or hand-edited file gives one line that names it instead of a parser's traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from workbench.records.record_schema import RecordError, shown

HISTORY_FILE = "history.csv"
CONFIG_FILE = "config.json"
CONFIG_SECTIONS = ("config", "runtime")  # the parts the report reads: JSON objects where present


def read_history(file: str | Path) -> pd.DataFrame:
    """A run's ``history.csv``: one row per epoch, numeric columns, ``epoch`` among them.

    Raises:
        RecordError: the file cannot be parsed, has no ``epoch`` column, or a column holds text.
    """
    file = Path(file)
    try:
        history = pd.read_csv(file)
    except (OSError, ValueError) as err:  # ParserError, EmptyDataError and UnicodeDecodeError are ValueErrors
        raise _damaged(file, f"cannot read it ({' '.join(str(err).split())})") from None
    if "epoch" not in history:
        raise _damaged(file, f"has no epoch column (its columns: {list(history.columns)[:8]})")
    text = [c for c in history if not pd.api.types.is_numeric_dtype(history[c])]
    if text:
        raise _damaged(file, f"column {text[0]} holds text ({history[text[0]].iloc[0]!r}); a history holds numbers")
    return history


def read_run_config(file: str | Path) -> dict:
    """A run's ``config.json``: a JSON object (its sections objects, ``parameters`` a count).

    Raises:
        RecordError: the file cannot be parsed or holds other types.
    """
    file = Path(file)
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _damaged(file, f"cannot read it ({err})") from None
    if not isinstance(config, dict):
        raise _damaged(file, f"holds {shown(config)}, expected a JSON object")
    for key in CONFIG_SECTIONS:
        if not isinstance(config.get(key, {}), dict):
            raise _damaged(file, f"its {key} is {shown(config[key])}, expected a JSON object")
    parameters = config.get("parameters")
    if parameters is not None and (not isinstance(parameters, int) or isinstance(parameters, bool) or parameters < 0):
        raise _damaged(file, f"its parameters is {shown(parameters)}, expected a count")
    return config


def _damaged(file: Path, problem: str) -> RecordError:
    return RecordError(
        f"{file}: {problem}; the run wrote it, so it was changed since: restore it or remove it (the "
        f"report then leaves its part out)."
    )
