"""The one exception type for bad data, so callers can catch every data problem at once."""

from __future__ import annotations


class DatasetError(ValueError):
    """A dataset cannot be read as asked: missing folder, bad file, bad mask values...

    The message always names the file or value at fault and says what to do next. It subclasses
    ``ValueError`` so code that already catches that keeps working.
    """


def listing(items, limit: int = 5) -> str:
    """The first ``limit`` items, then how many more: ``"a.png, b.png and 3 more"``, for error messages."""
    names = [str(item) for item in items]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
