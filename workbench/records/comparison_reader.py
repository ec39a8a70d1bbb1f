"""Reading a comparison folder back (its files are named and written by ``comparison_folder``): the records
``comparison.json`` lists, in its order, and the record folders it leaves out."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.records.comparison_folder import COMPARISON_FILE
from workbench.records.record import RECORD_FILE, Record, is_record, read_record
from workbench.records.record_schema import RecordError, is_plain_name


def read_comparison(path: str | Path) -> dict[str, Record]:
    """Every record of a comparison folder, by name, in the comparison's order.

    The records are exactly those ``comparison.json`` lists (written by ``compare`` and ``workbench
    evaluate``), in its order; a record folder it does not list (left behind by an earlier comparison) is
    not read: ``unlisted_records`` names them. A folder without ``comparison.json`` gives its record
    subfolders in name order; a folder that is itself a record gives ``{name: record}``.

    Raises:
        RecordError: the folder holds no record, or a listed record is missing or damaged.
    """
    path = Path(path)
    if is_record(path):
        record = read_record(path)
        return {record.name: record}
    if not path.is_dir():
        raise RecordError(
            f"{path}: no such folder; give a comparison folder (written by compare or `workbench evaluate "
            f"--preds NAME=DIR ...`) or a record folder."
        )
    names = comparison_order(path) or _record_folders(path)
    if not names:
        raise RecordError(
            f"{path}: holds no evaluation record (no subfolder with {RECORD_FILE}); run compare or "
            f"`workbench evaluate` first."
        )
    return {name: read_record(path / name) for name in names}


def unlisted_records(path: str | Path) -> list[str]:
    """Record subfolders of a comparison folder that its ``comparison.json`` does not list (so not read)."""
    path = Path(path)
    listed = comparison_order(path) if not is_record(path) and path.is_dir() else []
    return [name for name in _record_folders(path) if name not in listed] if listed else []


def _record_folders(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.is_dir() and is_record(p))


def comparison_order(path: Path) -> list[str]:
    """The record names listed in ``path/comparison.json`` (empty when there is none).

    Raises:
        RecordError: the file is not ``{"records": [names]}`` of unique record folder names (no path, none
            outside the folder).
    """
    file = path / COMPARISON_FILE
    if not file.is_file():
        return []
    try:
        names = json.loads(file.read_text(encoding="utf-8"))["records"]
        if not isinstance(names, list):
            raise TypeError(f"records is {type(names).__name__}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise RecordError(f'{file}: cannot read the list of records ({err}); expected {{"records": [names]}}.') from err
    bad = [name for name in names if not is_plain_name(name)]
    twice = [name for i, name in enumerate(names) if name in names[:i]]
    if bad or twice or not names:
        problem = (
            f"entry {bad[0]!r} is not a record folder's name"
            if bad
            else f"lists {twice[0]!r} twice"
            if twice
            else "lists no record"
        )
        raise RecordError(
            f"{file}: {problem}; it lists the record subfolders of this folder by name, each once. "
            f"Run the comparison again to rewrite it."
        )
    return names
