"""Class metadata carried by every dataset: names, display colours and the ignore index.

``Classes`` owns its file format, ``classes.json``: ``to_dict``/``from_dict`` are its one layout (also the
``classes`` of an evaluation record's ``record.json``), ``to_json``/``from_json`` its one writer and reader.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.atomic import atomic_write_json

from .errors import DatasetError

IGNORE_INDEX = 255  # void pixels: left out of losses and metrics
CLASSES_FILE = "classes.json"  # the classes of a dataset folder, and of a run folder


def _rgb(index: int, name: str, color) -> tuple[int, int, int]:
    """``color`` as three ints 0..255; anything else is a ValueError naming the class."""
    try:
        values = tuple(color)
        if len(values) == 3 and not any(isinstance(v, bool) for v in values):
            rgb = tuple(operator.index(v) for v in values)
            if all(0 <= v <= 255 for v in rgb):
                return rgb
    except TypeError:
        pass
    raise ValueError(
        f"class {index} ({name!r}) has colour {color!r}; a colour is [r, g, b]: three whole numbers 0..255"
    )


@dataclass(frozen=True)
class Classes:
    """Names and RGB display colours of a dataset's classes, in class-id order.

    Args:
        names: one name per class id ``0..num_classes-1``.
        colors: one ``(r, g, b)`` triple (0-255) per class id.
        ignore_index: mask value of void pixels, never a class id.
        source: the file these classes were read from (named in error messages), if any.
    """

    names: tuple[str, ...]
    colors: tuple[tuple[int, int, int], ...]
    ignore_index: int = IGNORE_INDEX
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "names", tuple(str(n) for n in self.names))
        object.__setattr__(
            self, "colors", tuple(_rgb(i, n, c) for i, (n, c) in enumerate(zip(self.names, self.colors)))
        )
        if len(self.names) != len(self.colors):
            raise ValueError(
                f"Classes: {len(self.names)} names but {len(self.colors)} colours; give one colour per class."
            )
        if not self.names:
            raise ValueError("Classes: no classes given; a dataset needs at least one class.")
        if 0 <= self.ignore_index < len(self.names):
            raise ValueError(
                f"Classes: ignore_index {self.ignore_index} is also a class id; choose a value >= {len(self.names)} (255 is usual)."
            )

    @property
    def num_classes(self) -> int:
        return len(self.names)

    def palette(self) -> np.ndarray:
        """Colours as a ``(num_classes, 3)`` uint8 array."""
        return np.asarray(self.colors, dtype=np.uint8).reshape(-1, 3)

    @classmethod
    def from_dict(cls, spec: dict, source: str | None = None) -> Classes:
        """Classes from the ``classes.json`` layout: ``{"classes": [{"id", "name", "color"}, ...],
        "ignore_index": 255}`` (other keys ignored); ``source`` names where it came from.

        Raises:
            ValueError, KeyError or TypeError: a missing key, ids that repeat or leave gaps, a colour that is not
                three whole numbers 0..255, an ignore index that is also a class id (callers name the file).
        """
        entries = sorted(spec["classes"], key=lambda e: int(e["id"]))
        ids = [int(e["id"]) for e in entries]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"class ids {repeated} appear more than once; give every class its own id")
        if ids != list(range(len(ids))):
            raise ValueError(f"class ids must be 0..{len(ids) - 1} without gaps, got {ids}")
        return cls(
            names=tuple(e["name"] for e in entries),
            colors=tuple(e["color"] for e in entries),
            ignore_index=int(spec.get("ignore_index", IGNORE_INDEX)),
            source=source,
        )

    def to_dict(self, **about) -> dict:
        """The ``classes.json`` layout that ``from_dict`` reads; ``about`` adds top-level keys (``name``,
        ``source``...) that ``from_dict`` ignores."""
        return about | {
            "num_classes": self.num_classes,
            "ignore_index": self.ignore_index,
            "classes": [
                {"id": i, "name": n, "color": list(c)} for i, (n, c) in enumerate(zip(self.names, self.colors))
            ],
        }

    @classmethod
    def from_json(cls, path: str | Path) -> Classes:
        """Read a ``classes.json`` (``from_dict``).

        Raises:
            DatasetError: naming the file: unreadable JSON, a missing key, ids that repeat or leave gaps, a
                colour that is not three whole numbers 0..255, an ignore index that is also a class id.
        """
        path = Path(path)
        try:
            return cls.from_dict(json.loads(path.read_text()), source=str(path))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise DatasetError(
                f"{path}: not a valid classes.json ({err}). Expected "
                '{"classes": [{"id": 0, "name": "sky", "color": [r, g, b]}, ...], "ignore_index": 255}.'
            ) from err

    def to_json(self, path: str | Path, **about) -> Path:
        """Write ``to_dict(**about)`` to ``path`` atomically (the one writer of ``classes.json``); returns it."""
        return atomic_write_json(path, self.to_dict(**about))


def check_ignore_index(classes: Classes, ignore_index: int | None) -> int:
    """The one ignore index of a run: the dataset's, which an explicit ``ignore_index`` must agree with.

    Args:
        classes: the dataset's classes (from its ``classes.json`` or built in).
        ignore_index: the value asked for (``--ignore-index``, ``TrainConfig.ignore_index``), or ``None``.

    Returns:
        ``classes.ignore_index``.

    Raises:
        DatasetError: the two differ; the message names both values and the file the dataset's came from.
    """
    if ignore_index is None or int(ignore_index) == classes.ignore_index:
        return classes.ignore_index
    origin = classes.source or "the dataset's classes"
    raise DatasetError(
        f"ignore_index {ignore_index} disagrees with {origin}, which gives ignore_index {classes.ignore_index}: "
        f"masks mark void pixels with {classes.ignore_index}. Leave ignore_index out to use the dataset's value, "
        f"or change it in {origin} (and in the masks) to {ignore_index}."
    )
