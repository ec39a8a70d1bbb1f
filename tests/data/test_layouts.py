"""The layout registry: each module of data/layouts registers one finder, and a folder's sub-folders pick it."""

import pkgutil

import pytest

import workbench.data.layouts as layouts_package
from workbench.data import DatasetError, PairedFiles, create_dataset, find_files
from workbench.data.file_datasets import layout_dataset
from workbench.data.layouts.layout import LAYOUTS, register_layout
from workbench.data.palette import default_classes


@pytest.fixture
def scratch_layout():
    """A layout ``scratch`` identified by ``frames/`` + ``labels/``, registered for one test."""

    @register_layout("scratch", markers=("frames", "labels"))
    def scratch_files(root, split):
        return PairedFiles([(root / "frames" / "a.png", root / "labels" / "a.png")], default_classes(2))

    yield scratch_files
    LAYOUTS.remove("scratch")


def test_every_layout_module_registers_its_finder_and_has_a_torch_dataset():
    modules = {m.name for m in pkgutil.iter_modules(layouts_package.__path__)} - {"layout"}
    finders = {LAYOUTS.get(name).find_files.__module__.rsplit(".", 1)[1] for name in LAYOUTS.names()}
    assert finders == modules and len(LAYOUTS.names()) == len(modules)
    for name in LAYOUTS.names():
        assert layout_dataset(LAYOUTS.get(name)).find_files is LAYOUTS.get(name).find_files


def test_a_registered_layout_is_found_by_its_sub_folders(tmp_path, scratch_layout):
    (tmp_path / "frames").mkdir()
    (tmp_path / "labels").mkdir()
    assert find_files(tmp_path, "train").samples == [(tmp_path / "frames" / "a.png", tmp_path / "labels" / "a.png")]
    with pytest.raises(DatasetError, match="'scratch' dataset layout has no torch dataset.*file_datasets.py"):
        create_dataset(tmp_path, "train")


def test_a_folder_with_the_markers_of_two_layouts_is_refused(tmp_path, scratch_layout):
    for sub in ("frames", "labels", "JPEGImages", "SegmentationClass"):
        (tmp_path / sub).mkdir()
    with pytest.raises(DatasetError, match="sub-folders of 2 layouts.*scratch: frames, labels.*voc: JPEGImages"):
        find_files(tmp_path, "train")


def test_only_one_layout_may_go_without_markers():
    with pytest.raises(ValueError, match="'folder' is already the default layout"):
        register_layout("another_default")(lambda root, split: None)
    assert "another_default" not in LAYOUTS
