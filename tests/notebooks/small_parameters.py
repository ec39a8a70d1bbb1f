"""The notebooks in reading order and the small parameters that run each in a few seconds on a CPU.

Shared by the headless run (``test_notebooks.py``) and the browser screenshots
(``tests/browser/test_notebook_screenshots.py``); both put this folder on ``sys.path`` to import it.
"""
from pathlib import Path

NAMES = ["01_segmentation_basics", "02_transposed_convolution", "03_fcn", "04_train_and_compare",
         "05_inspect_masks", "06_style_transfer", "07_review"]
NAMES += ["08_sliding_window_to_fcn", "09_receptive_field", "10_dilation_and_pyramid_pooling", "11_skip_fusion",
          "12_checkerboard_artifacts", "13_boundary_scores"]

CAMVID = str(Path(__file__).resolve().parents[3] / "shared" / "datasets" / "camvid")  # skipped there when absent
DATA = {"device": "cpu", "data": "synthetic", "image_size": [32, 32], "num_images": 8, "val_images": 4,
        "batch_size": 4, "epochs": 1}
SMALL = {  # a few seconds of work each, beyond the kernel start
    "01_segmentation_basics": {"data": "synthetic", "image_size": [48, 48], "num_images": 4},
    "02_transposed_convolution": {},
    "03_fcn": {**DATA, "epochs": 2, "run_dir": "runs/fcn"},  # two epochs: the loss can be seen to fall
    "04_train_and_compare": {**DATA, "epochs": 2, "models": ["fcn8s", "unet"]},
    "05_inspect_masks": {**DATA, "models": ["fcn32s"], "max_images": 4},
    "06_style_transfer": {"device": "cpu", "image_size": 32, "steps": 2, "stage_every": 1},
    "07_review": {**DATA, "models": ["fcn32s", "fcn16s"], "resamples": 100, "camvid_root": CAMVID},  # two: a lead
}
SMALL.update({  # the course chapters
    "08_sliding_window_to_fcn": {"image_size": [46, 58], "patch_size": 18, "memory_image_size": [192, 192],
                                 "depths": [4, 8], "width": 4},  # memory large enough to show in whole MB
    "09_receptive_field": {"image_size": [32, 48], "erf_size": [32, 32], "num_samples": 1,
                           "models": ["fcn32s", "pspnet"]},
    "10_dilation_and_pyramid_pooling": {"image_size": [64, 64], "pyramid_image_size": [64, 64]},
    "11_skip_fusion": {**DATA, "epochs": 2, "run_dir": "runs/skip_fusion"},
    "12_checkerboard_artifacts": {"size": 6, "layers": 2},
    "13_boundary_scores": {"size": 96, "distance": 12},
})
