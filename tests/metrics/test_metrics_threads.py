"""The metrics' entry points run on one torch CPU thread and give the caller's setting back."""

import pytest
import torch

from workbench.metrics import SegmentationEvaluator, inner_band
from workbench.metrics.threads import single_threaded


@pytest.fixture
def two_threads():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


def test_single_threaded_inside_and_restored_after(two_threads):
    seen = single_threaded(torch.get_num_threads)()
    assert seen == 1
    assert torch.get_num_threads() == 2


def test_restored_when_the_call_raises(two_threads):
    def fail():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        single_threaded(fail)()
    assert torch.get_num_threads() == 2


def test_entry_points_leave_the_thread_count_alone(two_threads):
    masks = torch.randint(0, 3, (2, 17, 23))
    evaluator = SegmentationEvaluator(3)
    evaluator.update(masks, masks)
    inner_band(masks[0].numpy() == 1, 2)
    assert torch.get_num_threads() == 2
    assert evaluator.compute().miou == 1.0
