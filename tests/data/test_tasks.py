"""task_targets: the four tasks' outputs agree with the scene's mask and tell semantic from instance."""

import numpy as np
import pytest
from scipy import ndimage

from workbench.data import Scene, SyntheticShapes, task_targets

NOTEBOOK_SCENE = 50  # notebook 01's example: two triangles that touch


@pytest.fixture(scope="module")
def scene():
    return SyntheticShapes(num_images=64, image_size=(256, 256)).scene(NOTEBOOK_SCENE)


def test_boxes_are_tight_around_each_object_and_classes_match_the_mask(scene):
    targets = task_targets(scene)
    assert len(targets.boxes) == sum(o.visible > 0 for o in scene.objects) == targets.instances.max() + 1
    for number, box in enumerate(targets.boxes):
        pixels = targets.instances == number
        inside = np.zeros_like(pixels)
        inside[box.top : box.bottom, box.left : box.right] = True
        assert pixels[inside].any() and not pixels[~inside].any()
        assert pixels[box.top].any() and pixels[box.bottom - 1].any()  # tight: each edge touches the object
        assert pixels[:, box.left].any() and pixels[:, box.right - 1].any()
        assert (scene.mask[pixels] == box.class_id).all()
    assert ((targets.instances >= 0) == ((scene.mask > 0) & (scene.mask != 255))).all()


def test_one_label_is_the_largest_class_and_present_lists_the_rest(scene):
    targets = task_targets(scene)
    counts = np.bincount(scene.mask[(scene.mask > 0) & (scene.mask != 255)], minlength=7)
    assert targets.label == counts.argmax()
    assert targets.present == tuple(np.nonzero(counts)[0].tolist())


def test_the_notebooks_scene_has_two_touching_triangles_that_only_instances_tell_apart(scene):
    targets = task_targets(scene)
    triangles = [number for number, box in enumerate(targets.boxes) if box.class_id == 3]
    assert len(targets.boxes) == 4 and len(triangles) == 2
    assert ndimage.label(targets.semantic == 3)[1] == 1  # semantic: one region for both
    assert all(ndimage.label(targets.instances == number)[1] == 1 for number in triangles)  # instance: one each


def test_a_scene_with_nothing_visible_is_refused(scene):
    empty = Scene(scene.image, np.zeros_like(scene.mask), (), np.full(scene.mask.shape, -1, np.int32))
    with pytest.raises(ValueError, match="shows no object"):
        task_targets(empty)
