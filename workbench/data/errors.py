"""The one exception type for bad data, so callers can catch every data problem at once."""
from __future__ import annotations


class DatasetError(ValueError):
    """A dataset cannot be read as asked: missing folder, bad file, bad mask values...

    The message always names the file or value at fault and says what to do next. It subclasses
    ``ValueError`` so code that already catches that keeps working.
    """
