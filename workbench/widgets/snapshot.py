"""Figures that survive saving: every widget is displayed with a static picture of its current state.

A widget output is a model id; without the kernel that made it (a saved notebook reopened, ``nbconvert``
HTML, GitHub) there is nothing to draw it from: JupyterLab writes "Error displaying widget: model not
found" (or "Loading widget..." with no kernel at all) and static renderers show ``VBox(children=(HBox(...``.
So a widget here is displayed as two outputs, one after the other:

1. the live widget (``application/vnd.jupyter.widget-view+json``), with a one-line ``text/plain``;
2. its *snapshot*: the current state as ``image/png`` and as ``text/html`` (the same picture and the
   widget's tables in a ``<div class="wb-snapshot">``), no widget view, so every renderer shows it.

The snapshot's HTML carries a style sheet (:data:`SWAP_CSS`) that shows one of the two, in JupyterLab and in
``nbconvert`` HTML (same classes): while the widget before it is drawn (live, or from widget state saved in
the notebook), the picture is hidden, so a live notebook shows the widget once; while it is not (an error,
a wait for a kernel, a static page), the widget's output is hidden and the picture shows. Renderers that
drop styles (JupyterLab for an untrusted notebook, GitHub) show the one-line text and the picture.
The snapshot output carries a display id, and ``Snapshot.update`` replaces it
(``update_display_data``) after every control change, so the picture saved with the notebook is the state
last shown, also when a notebook executed by papermill or nbclient changes a control in a later cell.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
from IPython.display import DisplayHandle, display

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SNAPSHOT_CLASS = "wb-snapshot"
# JupyterLab's output area (and nbconvert's HTML, which copies its classes): each output is a
# ``.jp-OutputArea-child`` holding a ``.jp-OutputArea-output``; a drawn widget view is a ``.jupyter-widgets``
# element inside it, a failed one only text ("Error displaying widget: model not found", "Loading widget...").
# The output before a snapshot is its widget's (``SnapshotBox`` displays the two together).
_CHILD = ".jp-OutputArea-child"
_DRAWN = ".jp-OutputArea-output .jupyter-widgets"
_SNAPSHOT = f"{_CHILD}:has(.{SNAPSHOT_CLASS})"
SWAP_CSS = (  # no :has() inside another one: CSS drops such a rule
    f"{_CHILD}:has({_DRAWN}) + {_SNAPSHOT} {{ display: none; }}\n"
    f"{_CHILD}:not(:has({_DRAWN})):has(+ {_CHILD} .{SNAPSHOT_CLASS}) {{ display: none; }}"
)


@dataclass(frozen=True)
class Picture:
    """What a snapshot shows: PNG bytes of the figure (``None``: no figure) and HTML under it (tables, legends)."""

    png: bytes | None
    html: str = ""


def img_tag(png: bytes, *, width: int | None = None, alt: str = "") -> str:
    """An ``<img>`` holding ``png`` as a data URI, for a snapshot's HTML."""
    size = f' width="{width}"' if width else ""
    return f'<img src="data:image/png;base64,{base64.b64encode(bytes(png)).decode("ascii")}"{size} alt="{alt}"/>'


class Snapshot:
    """The static copy of one widget; ``render`` returns its current :class:`Picture`.

    Rendering happens only while the snapshot is on display (``handle`` set by :meth:`show`), so a widget
    built in a test or a benchmark costs nothing extra until one attaches a handle.
    """

    def __init__(self, render: Callable[[], Picture], *, name: str):
        self.render = render
        self.name = name
        self.handle: DisplayHandle | None = None
        self.updates = 0  # snapshots published so far

    def bundle(self) -> dict:
        """The mime bundle of the current state: PNG, HTML (with :data:`SWAP_CSS`) and a line of text."""
        picture = self.render()
        bundle = {"text/plain": f"[{self.name}: picture of its last state]"}
        image = ""
        if picture.png is not None:
            bundle["image/png"] = base64.b64encode(bytes(picture.png)).decode("ascii")
            image = f"<div>{img_tag(picture.png, alt=f'{self.name}: last state')}</div>"
        bundle["text/html"] = f'<div class="{SNAPSHOT_CLASS}">{image}{picture.html}</div><style>{SWAP_CSS}</style>'
        return bundle

    def show(self) -> None:
        """Display the snapshot as a new output with a display id (called right after the live widget)."""
        self.attach(display(self.bundle(), raw=True, display_id=True))

    def attach(self, handle) -> None:
        """Publish future updates through ``handle`` (anything with ``update(bundle, raw=True)``)."""
        self.handle = handle
        self.updates += 1

    def update(self) -> None:
        """Replace the displayed snapshot by the current state; a no-op until shown."""
        if self.handle is not None:
            self.handle.update(self.bundle(), raw=True)
            self.updates += 1


class SnapshotBox(widgets.VBox):
    """A ``VBox`` that displays itself, then its :class:`Snapshot` (see the module docstring).

    Widgets build their layout in one and call ``snapshot.update()`` at the end of every refresh, so
    ``display(w.widget)`` and ``display(w)`` both show the live widget with a picture that follows it.
    """

    def __init__(self, children, *, snapshot: Snapshot, **kwargs):
        super().__init__(children, **kwargs)
        self.snapshot = snapshot

    def _ipython_display_(self) -> None:
        bundle = self._repr_mimebundle_()
        bundle["text/plain"] = f"{self.snapshot.name} (interactive with a running kernel; picture below)"
        display(bundle, raw=True)
        self.snapshot.show()


class SnapshotDisplay:
    """Mixin for the widget classes: ``display(w)`` shows ``w.widget`` (a :class:`SnapshotBox`) and its snapshot."""

    widget: SnapshotBox

    def _ipython_display_(self) -> None:
        self.widget._ipython_display_()
