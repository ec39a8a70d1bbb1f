"""Progress bars that leave no widget behind in a saved notebook: ``tqdm.auto``, whose notebook bar turns
into text when it closes.

In a terminal this is ``tqdm.auto.tqdm``. In a Jupyter kernel tqdm draws an ipywidgets bar, and a saved,
exported or papermill-executed notebook keeps only that widget's text form (``HBox(children=(HTML(...``): a
line of noise per bar, long after the bar is gone. Here the notebook bar is shown through a display handle
which, when the bar closes, is replaced by the bar's last line as plain text (``leave=True``: the summary
stays) or by nothing (``leave=False``). Used by every bar of the package; it imports nothing from it.
"""

from __future__ import annotations

import sys

from tqdm.auto import tqdm as _auto_tqdm

_notebook = sys.modules.get("tqdm.notebook")  # imported by tqdm.auto only inside a Jupyter kernel
IN_NOTEBOOK = _notebook is not None and issubclass(_auto_tqdm, _notebook.tqdm)
NOTEBOOK_MININTERVAL_S = 1.0

if IN_NOTEBOOK:
    from IPython.display import display

    class tqdm(_auto_tqdm):  # noqa: N801 (tqdm's own name: a drop-in replacement)
        """``tqdm.auto.tqdm`` in a notebook, shown through a display handle that the closed bar replaces."""

        def __init__(self, *args, **kwargs):
            # At most one redraw a second (tqdm's default is ten): each is a message the browser renders on
            # the cores that train, and a reader needs no more.
            kwargs.setdefault("mininterval", NOTEBOOK_MININTERVAL_S)
            super().__init__(*args, display=False, **kwargs)
            self._handle = None if self.disable else display(self.container, display_id=True)

        def close(self) -> None:
            super().close()
            handle, self._handle = getattr(self, "_handle", None), None
            if handle is not None:
                handle.update({"text/plain": str(self) if self.leave else ""}, raw=True)
else:
    tqdm = _auto_tqdm

__all__ = ["IN_NOTEBOOK", "NOTEBOOK_MININTERVAL_S", "tqdm"]
