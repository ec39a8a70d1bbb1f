"""What a record's ``record.json`` and ``image_stats.npz`` must hold before any of it is trusted.

A record is read by the report, the tables and the widgets, maybe long after it was written and maybe
edited by hand. So its files are fixed by the format: ``files`` lists exactly ``RECORD_DATA_FILES``, each
with its sha256; names used as paths (the stems under ``masks/``, the records of ``comparison.json``) are
plain file names that stay inside the folder; counts are non-negative and scores that are ratios lie in
[0, 1]; sizes come from the arrays and are bounded before anything is read (raise the limits below when a
record is larger). Every problem is a ``RecordError`` of one line that names the file and the value.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from workbench.metrics.catalog import COUNTS

MAX_RECORD_JSON_BYTES = 256 * 2**20  # record.json: its stems (a million images of 200-character names fit)
MAX_STATS_BYTES = 4 * 2**30  # the arrays of image_stats.npz, from their headers, before they are read
MAX_SYNTHETIC_IMAGES = 10**7  # SyntheticShapes(num_images) rebuilt by the report lists one stem per image
SOURCE_FIELDS = {"model": ("name", "encoder", "weights", "sha256"), "predictions": ("dir",)}
MASK_FIELDS = ("folder", "bit_depth", "count", "sha256")  # sha256: stem -> the sha256 of its mask file
GROUP_FIELDS = ("labels", "sequences", "unit")  # one group label per stem, video or not, what a group is
_SHA256 = re.compile(r"[0-9a-f]{64}")
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}

Rule = tuple[str, object, Callable[[object], bool], str]  # where, value, test, what was expected


class RecordError(ValueError):
    """A folder that is not a complete, unchanged evaluation record."""


def is_plain_name(name) -> bool:
    """A file or folder name that stays inside its folder: no separator, not absolute, not ``.``/``..``/hidden."""
    return isinstance(name, str) and bool(name) and not name.startswith(".") and not any(c in name for c in "/\\\0")


def check_json_size(file: Path) -> None:
    """Refuse a ``record.json`` too large to be one (before reading it)."""
    size = file.stat().st_size
    if size > MAX_RECORD_JSON_BYTES:
        raise RecordError(
            f"{file}: {size} bytes, more than a record holds ({MAX_RECORD_JSON_BYTES}; raise "
            f"workbench.records.record_schema.MAX_RECORD_JSON_BYTES if it is genuine)."
        )


def check_meta(meta: dict, file: Path, data_files: tuple[str, ...], masks_dir: str) -> None:
    """Check the contents of ``record.json`` (``file``); the first problem raises, naming the key and value."""
    for where, value, test, wanted in _meta_rules(meta, data_files, masks_dir):
        if not test(value):
            raise RecordError(
                f"{file}: {where} is {shown(value)}, expected {wanted}; this record was changed by "
                f"hand or by another program. Evaluate again to rewrite it."
            )


def _meta_rules(meta: dict, data_files: tuple[str, ...], masks_dir: str) -> Iterator[Rule]:
    """The rules in order; a rule may rely on every rule before it (the generator stops at the first failure)."""
    for key in ("source", "data", "classes", "files", "versions"):
        yield key, meta.get(key, _MISSING), _is(dict), "a JSON object"
    yield "created", meta.get("created", _MISSING), _is(str), "a date (text)"
    files = meta["files"]
    for name, digest in files.items():
        yield "a files key", name, lambda n: n in data_files, f"one of the record's own files {list(data_files)}"
        yield f"files[{name!r}]", digest, _is_sha256, "a sha256 (64 hex digits)"
    missing = [name for name in data_files if name not in files]
    yield "files", _Text(f"without {missing}"), lambda _: not missing, f"the sha256 of each of {list(data_files)}"
    yield from _source_rules(meta["source"])
    yield from _data_rules(meta["data"], meta["classes"])
    masks = meta.get("masks", _MISSING)
    yield "masks", masks, _is(dict), "a JSON object"
    unknown = sorted(set(masks) - set(MASK_FIELDS))
    yield "masks", _Text(f"with keys {unknown}"), lambda _: not unknown, f"only {list(MASK_FIELDS)}"
    yield "masks.folder", masks.get("folder", _MISSING), lambda v: v == masks_dir, repr(masks_dir)
    yield "masks.bit_depth", masks.get("bit_depth", _MISSING), lambda v: v in (8, 16), "8 or 16"
    stems = meta["data"]["stems"]
    count = len(stems)
    yield "masks.count", masks.get("count", _MISSING), lambda v: _is_count(v) and v == count, f"{count} (one per stem)"
    hashes = masks.get("sha256", _MISSING)
    yield (
        "masks.sha256",
        hashes,
        lambda v: isinstance(v, dict) and sorted(v) == sorted(stems),
        "a sha256 for each stem's mask",
    )
    for stem, digest in hashes.items():
        yield f"masks.sha256[{stem!r}]", digest, _is_sha256, "a sha256 (64 hex digits)"
    targets = meta.get("targets")
    if targets is not None:  # the digests of the targets scored (label_digest), when the writer had them
        yield "targets", targets, lambda v: isinstance(v, dict) and list(v) == ["sha256"], '{"sha256": [...]}'
        yield (
            "targets.sha256",
            targets["sha256"],
            lambda v: isinstance(v, list) and len(v) == count and all(map(_is_sha256, v)),
            f"a list of {count} sha256 (one per stem)",
        )
    groups = meta.get("groups")
    if groups is not None:  # the group of each image (workbench.data.image_groups), when the writer had them
        yield from _groups_rules(groups, count)


def _groups_rules(groups, count: int) -> Iterator[Rule]:
    yield (
        "groups",
        groups,
        lambda v: isinstance(v, dict) and sorted(v) == sorted(GROUP_FIELDS),
        f"a JSON object with exactly {list(GROUP_FIELDS)}",
    )
    yield (
        "groups.labels",
        groups["labels"],
        lambda v: isinstance(v, list) and len(v) == count and all(isinstance(x, str) and x for x in v),
        f"a list of {count} non-empty texts (one group per stem)",
    )
    yield "groups.sequences", groups["sequences"], _is(bool), "true or false"
    yield "groups.unit", groups["unit"], lambda v: isinstance(v, str) and bool(v), "a non-empty text"


def _source_rules(source: dict) -> Iterator[Rule]:
    kind = source.get("kind", _MISSING)
    yield "source.kind", kind, lambda k: k in SOURCE_FIELDS, f"one of {list(SOURCE_FIELDS)}"
    for key in SOURCE_FIELDS[kind]:
        optional = kind == "model" and key != "name"  # a model scored without a weights file has none
        test = _is_sha256 if key == "sha256" else _is(str)
        yield (
            f"source.{key}",
            source.get(key, _MISSING),
            (lambda v, t=test: v is None or t(v)) if optional else test,
            ("a sha256 (64 hex digits)" if key == "sha256" else "text") + (" or null" if optional else ""),
        )


def _data_rules(data: dict, classes: dict) -> Iterator[Rule]:
    stems = data.get("stems", _MISSING)
    yield (
        "data.stems",
        stems,
        lambda s: isinstance(s, list) and all(map(is_plain_name, s)),
        "a list of file-name stems (text without '/', '\\' or a leading '.')",
    )
    repeated = _repeated(stems)
    yield "data.stems", _Text(f"a list repeating {repeated[:3]}"), lambda _: not repeated, "unique stems"
    yield (
        "data.num_images",
        data.get("num_images", _MISSING),
        lambda v: _is_count(v) and v == len(stems),
        f"{len(stems)} (the number of stems)",
    )
    for key in ("root", "split"):
        yield f"data.{key}", data.get(key), lambda v: v is None or isinstance(v, str), "text or null"
    entries = classes.get("classes")
    names = [e.get("name") for e in entries] if isinstance(entries, list) and all(map(_is(dict), entries)) else None
    yield (
        "data.class_names",
        data.get("class_names", _MISSING),
        lambda v: v == names,
        f"the classes' names {shown(names)}",
    )
    ignore = classes.get("ignore_index")
    yield (
        "data.ignore_index",
        data.get("ignore_index", _MISSING),
        lambda v: _is_count(v) and v == ignore,
        f"classes.ignore_index ({shown(ignore)})",
    )
    synthetic = data.get("synthetic")
    if synthetic is not None:
        yield "data.synthetic", synthetic, _is(dict), "a JSON object (SyntheticShapes parameters) or null"
        yield (
            "data.synthetic.num_images",
            synthetic.get("num_images", _MISSING),
            lambda v: _is_count(v) and len(stems) <= v <= MAX_SYNTHETIC_IMAGES,
            f"a whole number from {len(stems)} (the stems) to {MAX_SYNTHETIC_IMAGES}",
        )
        yield (
            "data.synthetic.image_size",
            synthetic.get("image_size", _MISSING),
            lambda v: isinstance(v, list) and len(v) in (1, 2) and all(_is_count(s) and 0 < s <= 2**14 for s in v),
            "[height, width] in pixels",
        )
        yield "data.synthetic.seed", synthetic.get("seed", _MISSING), _is_count, "a whole number >= 0"


def read_stats_arrays(file: Path) -> dict[str, np.ndarray]:
    """The arrays of ``image_stats.npz``, their sizes checked from the headers before any is read.

    Raises:
        RecordError: not an ``.npz`` of plain numeric arrays, or larger than ``MAX_STATS_BYTES``.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            total = sum(_array_bytes(archive, member) for member in archive.namelist())
        if total > MAX_STATS_BYTES:
            raise RecordError(
                f"{file}: its arrays take {total} bytes, more than the limit {MAX_STATS_BYTES} (raise "
                f"workbench.records.record_schema.MAX_STATS_BYTES if the record is genuine)."
            )
        with np.load(file, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        if isinstance(err, RecordError):
            raise
        raise RecordError(
            f"{file}: not valid per-image statistics ({err}); evaluate again to rewrite the record."
        ) from None


def _array_bytes(archive: zipfile.ZipFile, member: str) -> int:
    with archive.open(member) as handle:
        version = np.lib.format.read_magic(handle)
        if version not in HEADER_READERS:
            raise ValueError(f"array {member} has .npy format version {version}, not one numpy writes for numbers")
        shape, _, dtype = HEADER_READERS[version](handle)
    if dtype.kind not in "biuf":
        raise ValueError(f"array {member} has dtype {dtype}; a record stores plain numbers only")
    return int(np.prod(shape, dtype=object)) * dtype.itemsize


def check_stats(stats, file: Path, num_stems: int, num_classes: int) -> None:
    """Counts and scores of the per-image statistics (``ImageStats``) within their ranges."""
    counts = stats.counts
    n, c = len(stats), stats.num_classes
    problems = [
        (n != num_stems, f"holds {n} images but record.json lists {num_stems} stems"),
        (c != num_classes, f"holds {c} classes but record.json names {num_classes}"),
    ]
    for array in COUNTS:  # each count array within its declared range (catalog.COUNTS)
        if array.name in counts:
            values = counts[array.name]
            rule = (
                f"negative {array.what}"
                if (array.low, array.high) == (0, np.inf)
                else f"{array.what} outside [{array.low:g}, {array.high:g}]"
            )
            problems.append((((values < array.low) | (values > array.high)).any(), f"has {rule}"))
    problems += [
        (
            (counts["boundary_union"] < counts["boundary_inter"]).any(),
            "has boundary intersections larger than their unions (a Boundary IoU above 1)",
        ),
    ]  # NaN (undefined) compares False: allowed
    for bad, problem in problems:
        if bad:
            raise RecordError(
                f"{file}: {problem}; this record was changed by hand or by another program. Evaluate "
                f"again to rewrite it."
            )


class _Text(str):
    """A description in place of a value: shown as it is, without quotes."""

    __repr__ = str.__str__


class _Missing:
    def __repr__(self) -> str:
        return "missing"


_MISSING = _Missing()


def _is(kind: type) -> Callable[[object], bool]:
    return lambda value: isinstance(value, kind)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_sha256(value) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def _repeated(stems) -> list:
    seen: set = set()
    return [s for s in stems if s in seen or seen.add(s)]


def shown(value) -> str:
    """``repr(value)``, cut to 80 characters: a value in a one-line message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
