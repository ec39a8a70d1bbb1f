"""Figures and RGB arrays as image bytes, for HTML reports and ipywidgets.Image panels."""

from __future__ import annotations

import functools
import io

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from workbench.viz.figure_fonts import FONT_KEY, png_metadata

TITLE_PIXELS = 14  # title text height in panels_to_png
FIGURE_WIDTH_IN = 8.2  # a figure shown at its own size in a notebook cell at 1280 px (about 850 px at 100 dpi)


def figure_to_png(fig: Figure, *, dpi: float | None = None) -> bytes:
    """Render a matplotlib figure to PNG bytes (tight bounding box); the figure stays open and reusable.

    The PNG carries its smallest font in pixels (``workbench.viz.figure_fonts``), for readability checks.
    """
    if dpi is None:
        dpi = fig.dpi if mpl.rcParams["savefig.dpi"] == "figure" else mpl.rcParams["savefig.dpi"]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata=png_metadata(fig, dpi))
    return buffer.getvalue()


def new_figure(width: float, height: float, *, dpi: float = 72) -> Figure:
    """A figure with its own Agg canvas: no pyplot state, works headless, never shown by accident."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def render_png(fig: Figure) -> bytes:
    """Draw ``fig`` on its Agg canvas and encode it as PNG (fixed layout, no tight bbox search: fast), with its
    smallest font recorded as ``figure_to_png`` does."""
    fig.canvas.draw()
    return array_to_png(np.asarray(fig.canvas.buffer_rgba())[..., :3], text=png_metadata(fig, fig.dpi))


def array_to_png(rgb: np.ndarray, *, compress_level: int = 1, text: dict[str, str] | None = None) -> bytes:
    """Encode a uint8 ``(H, W, 3)`` array as PNG bytes, with ``text`` as PNG text chunks.

    Lossless; fast for flat colour maps (masks, error maps: a few ms at 480 x 360), slow for photographs,
    where ``array_to_jpeg`` is the one to use. Level 1 because higher levels cost time and save little.
    """
    buffer = io.BytesIO()
    Image.fromarray(_checked_rgb(rgb)).save(
        buffer, format="PNG", compress_level=compress_level, pnginfo=_png_text(text or {})
    )
    return buffer.getvalue()


def codes_to_png(codes: np.ndarray, colors: np.ndarray) -> bytes:
    """Encode a uint8 code map ``(H, W)`` with its colour table ``(K <= 256, 3)`` as a palette PNG.

    The same picture as ``array_to_png(colors[codes])`` at a third of the bytes and about a twentieth of
    the time (0.4 ms at 480 x 360): one byte per pixel to filter and compress instead of three.
    """
    codes, colors = np.asarray(codes), np.asarray(colors, dtype=np.uint8)
    if codes.dtype != np.uint8 or codes.ndim != 2 or colors.ndim != 2 or not 0 < len(colors) <= 256:
        raise ValueError(
            f"codes_to_png: expected uint8 (H, W) codes and a (K <= 256, 3) table, "
            f"got {codes.dtype} {codes.shape} and {colors.shape}."
        )
    image = Image.fromarray(np.ascontiguousarray(codes), mode="P")
    image.putpalette(np.ascontiguousarray(colors[:, :3]).tobytes())
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def array_to_jpeg(rgb: np.ndarray, *, quality: int = 90, full_chroma: bool = False) -> bytes:
    """Encode a uint8 ``(H, W, 3)`` array as JPEG bytes.

    For photographs and colours blended over them: under 1 ms at 480 x 360 where PNG takes 20-50 ms.
    By default colour is stored at half resolution (4:2:0, half the time and bytes of 4:4:4), which can
    soften a colour edge by a pixel; ``full_chroma=True`` keeps it sharp.
    """
    buffer = io.BytesIO()
    Image.fromarray(_checked_rgb(rgb)).save(buffer, format="JPEG", quality=quality, subsampling=0 if full_chroma else 2)
    return buffer.getvalue()


def panels_to_png(panels: dict[str, np.ndarray], *, height: int = 200, gap: int = 6, max_width: int = 820) -> bytes:
    """One PNG of titled panels side by side, in rows of at most ``max_width`` pixels: each uint8 ``(H, W, 3)``
    scaled to ``height`` pixels.

    For the static snapshot of a many-panel widget (``workbench.widgets.snapshot``): scaling first keeps
    the encoding cheap (a few ms for six 200-pixel panels). The default width is what a notebook's output
    shows at a 1280-pixel window with JupyterLab's file browser open, so the picture is never shrunk there.
    """
    if not panels:
        raise ValueError("panels_to_png: no panels; pass {title: uint8 (H, W, 3) array}.")
    scaled = []
    for rgb in panels.values():
        rgb = _checked_rgb(rgb)
        width = max(1, round(rgb.shape[1] * height / rgb.shape[0]))
        scaled.append(Image.fromarray(rgb).resize((width, height), Image.Resampling.NEAREST))
    rows, x = [[]], 0  # each row: (title, image, left)
    for title, image in zip(panels, scaled):
        if rows[-1] and x + image.width > max_width:
            rows.append([])
            x = 0
        rows[-1].append((title, image, x))
        x += image.width + gap
    top = TITLE_PIXELS + 6
    width = max(left + image.width for row in rows for _, image, left in row)
    sheet = Image.new("RGB", (width, len(rows) * (height + top) + gap * (len(rows) - 1)), "white")
    draw, font = ImageDraw.Draw(sheet), _title_font()
    for r, row in enumerate(rows):
        y = r * (height + top + gap)
        for title, image, left in row:
            sheet.paste(image, (left, y + top))
            draw.text((left, y + 2), _fit(draw, title, font, image.width), fill="black", font=font)
    buffer = io.BytesIO()  # the titles' size recorded as figure_to_png records a figure's smallest font
    sheet.save(buffer, format="PNG", compress_level=1, pnginfo=_png_text({FONT_KEY: f"{TITLE_PIXELS:.2f}"}))
    return buffer.getvalue()


def _png_text(text: dict[str, str]) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    return info


@functools.lru_cache(maxsize=1)
def _title_font():
    return ImageFont.load_default(size=TITLE_PIXELS)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    while text and draw.textlength(text, font=font) > width:
        text = text[:-2] + "\N{HORIZONTAL ELLIPSIS}" if len(text) > 1 else ""
    return text


def _checked_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ValueError(f"expected a uint8 (H, W, 3) array, got {rgb.dtype} {rgb.shape}; see viz.colorize.")
    return np.ascontiguousarray(rgb)
