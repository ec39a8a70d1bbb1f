"""Hostile or odd prediction files: refused from the header, before any pixel is decoded, in one line naming the file.

Sizes are checked from the PNG or ``.npy`` header against the target, so the large files below are written as a
header with (almost) no data, and decoding is made to fail where the order matters.
"""

import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from tests.engine.test_engine_scoring import SIZES, tiny_tree
from workbench.data import Classes
from workbench.records import find_predictions, read_prediction

CLASSES = Classes(("sky", "road", "car"), ((0, 0, 255), (128, 128, 128), (255, 0, 0)))
IDS = np.array([[0, 1, 2, 2], [1, 1, 0, 2], [2, 0, 0, 1]])


def png_header_only(path, width, height):
    """A grey 8-bit PNG whose header says ``width x height`` but whose data holds one row: unreadable past it."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(width + 1)))
        + chunk(b"IEND", b"")
    )


def npy_header_only(path, shape, descr="<i8"):
    """A ``.npy`` whose header claims ``shape`` but which holds no data."""
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": descr, "fortran_order": False, "shape": shape})


def _one_line_error(path, shape=IDS.shape) -> str:
    with pytest.raises(ValueError) as err:
        read_prediction(path, CLASSES, shape)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message, message
    return message


def test_a_png_larger_than_its_target_is_refused_from_the_header(tmp_path, monkeypatch):
    png_header_only(tmp_path / "big.png", 12000, 12000)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded before the size check"))
    assert "prediction is 12000x12000 (WxH) but the target mask is 4x3" in _one_line_error(tmp_path / "big.png")


def test_a_decompression_bomb_is_one_line(tmp_path):
    png_header_only(tmp_path / "bomb.png", 20000, 20000)  # PIL's own limit refuses it on open
    message = _one_line_error(tmp_path / "bomb.png")
    assert "400000000 pixels" in message and "refused before decoding" in message


@pytest.mark.parametrize("shape", [(5000, 5000), (100000, 100000)])
def test_an_npy_shape_is_checked_from_the_header_before_its_data_is_read(tmp_path, shape):
    npy_header_only(tmp_path / "big.npy", shape)  # no data: reading it would fail (or run out of memory) first
    assert f"prediction is {shape[1]}x{shape[0]} (WxH) but the target mask is 4x3" in _one_line_error(
        tmp_path / "big.npy"
    )


def _zip(path):
    with open(path, "wb") as handle:  # a file handle keeps np.savez from renaming it to .npz
        np.savez(handle, pred=IDS)


def _truncated_npy(path):
    np.save(path, IDS.astype(np.int64))
    path.write_bytes(path.read_bytes()[:-20])


def _truncated_png(path):
    Image.fromarray(IDS.astype(np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:45])  # the header and the start of the pixel data


BAD_FILES = {  # name: (writer, a piece of the message)
    "zip.npy": (_zip, "magic string"),
    "empty.npy": (lambda p: p.write_bytes(b""), "EOF"),
    "bool.npy": (lambda p: np.save(p, IDS > 0), "bool"),
    "nan.npy": (lambda p: np.save(p, np.where(IDS > 0, np.nan, 0.0)), "float64"),
    "negative.npy": (lambda p: np.save(p, IDS - 1), "values {-1}"),
    "cube.npy": (lambda p: np.save(p, np.stack([IDS, IDS])), "shape (2, 3, 4)"),
    "object.npy": (lambda p: npy_header_only(p, IDS.shape, "|O"), "bject"),
    "cut.npy": (_truncated_npy, "cannot read"),
    "cut.png": (_truncated_png, "cannot read"),
    "grey16.png": (lambda p: Image.fromarray((IDS * 300).astype(np.uint16)).save(p), "values {300, 600}"),
    "near.png": (lambda p: Image.fromarray(CLASSES.palette()[IDS] + 1).save(p), "colours are not class colours"),
    "gif.png": (lambda p: Image.fromarray(IDS.astype(np.uint8)).save(p, format="GIF"), "a GIF file"),
    "tiff.png": (lambda p: Image.fromarray(IDS.astype(np.uint8)).save(p, format="TIFF"), "a TIFF file"),
    "bmp.png": (lambda p: Image.fromarray(IDS.astype(np.uint8)).save(p, format="BMP"), "a BMP file"),
    "jpeg.png": (lambda p: Image.fromarray(IDS.astype(np.uint8)).save(p, format="JPEG"), "a JPEG file"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_every_bad_file_is_one_line_naming_it(tmp_path, name):
    writer, fragment = BAD_FILES[name]
    writer(tmp_path / name)
    assert fragment in _one_line_error(tmp_path / name)


def _palette_png(path, indices, colors):
    img = Image.fromarray(indices.astype(np.uint8), mode="P")
    img.putpalette([v for color in colors for v in color])
    img.save(path)


def test_palette_in_another_order_is_read_by_colour(tmp_path):
    quantized = Image.fromarray(CLASSES.palette()[IDS]).quantize(colors=3)  # exact colours, its own order
    quantized.save(tmp_path / "q.png")
    assert not (np.asarray(quantized) == IDS).all()  # else this test could not fail
    assert (read_prediction(tmp_path / "q.png", CLASSES, IDS.shape) == IDS).all()
    order = [2, 0, 1]  # palette entry i holds the colour of class order[i]; entries 3.. are unused noise
    _palette_png(tmp_path / "p.png", np.argsort(order)[IDS], [CLASSES.colors[k] for k in order] + [(1, 2, 3)] * 5)
    assert (read_prediction(tmp_path / "p.png", CLASSES, IDS.shape) == IDS).all()


def test_palette_in_class_order_or_of_other_colours_is_read_by_index(tmp_path):
    _palette_png(tmp_path / "same.png", IDS, CLASSES.colors)  # index == class id
    voc = [(0, 0, 0), (128, 0, 0), (0, 128, 0)]  # VOC's own palette: colours of no class, index == class id
    _palette_png(tmp_path / "voc.png", IDS, voc)
    mixed = [CLASSES.colors[1], CLASSES.colors[0], (9, 9, 9)]  # two class colours swapped, one colour of no class
    _palette_png(tmp_path / "mixed.png", IDS, mixed)
    for name in ("same.png", "voc.png", "mixed.png"):
        assert (read_prediction(tmp_path / name, CLASSES, IDS.shape) == IDS).all(), name


NOT_FILES = {
    "dir.png": (lambda p: p.mkdir(), "a folder"),
    "fifo.png": (os.mkfifo, "a FIFO"),
    "zero.npy": (lambda p: p.symlink_to("/dev/zero"), "a device"),
    "gone.png": (lambda p: p.symlink_to(p.parent / "nowhere.png"), "a broken link"),
}


@pytest.mark.parametrize("name", NOT_FILES)
def test_a_folder_fifo_or_device_named_like_a_prediction_is_named(tmp_path, name):
    make, kind = NOT_FILES[name]
    make(tmp_path / name)
    stem = name.split(".")[0]
    with pytest.raises(ValueError, match=rf"{name}: is {kind}, not a file") as err:
        find_predictions(tmp_path, [stem])
    with pytest.raises(ValueError, match=rf"{name}: is {kind}, not a file"):
        read_prediction(tmp_path / name, CLASSES, IDS.shape)  # and never blocks on the FIFO
    assert "\n" not in str(err.value)


def test_a_link_to_a_regular_file_is_a_prediction(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    np.save(tmp_path / "elsewhere" / "a.npy", IDS)
    (tmp_path / "preds").mkdir()
    (tmp_path / "preds" / "a.npy").symlink_to(tmp_path / "elsewhere" / "a.npy")
    files = find_predictions(tmp_path / "preds", ["a"])
    assert (read_prediction(files["a"], CLASSES, IDS.shape) == IDS).all()


@pytest.mark.slow  # two Python processes that import torch: about 15 s on the 2-core CPU
@pytest.mark.parametrize("bad, fragment", [("bomb", "400000000 pixels"), ("fifo", "is a FIFO")])
def test_the_cli_prints_one_line_and_exits_2(tmp_path, bad, fragment):
    tiny_tree(tmp_path / "data", np.random.default_rng(0))
    preds = tmp_path / "preds"
    preds.mkdir()
    for stem, size in SIZES.items():
        np.save(preds / f"{stem}.npy", np.zeros(size, np.int64))
    (preds / "b01.npy").unlink()
    if bad == "bomb":
        png_header_only(preds / "b01.png", 20000, 20000)
    else:
        os.mkfifo(preds / "b01.png")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "evaluate",
            "--preds",
            str(preds),
            "--data",
            str(tmp_path / "data"),
            "--split",
            "val",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbench evaluate: error: ") and "b01.png" in lines[0], lines
    assert fragment in lines[0], lines
