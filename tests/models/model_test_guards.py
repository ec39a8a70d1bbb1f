"""Fixtures of the tests that build models (tests/models, tests/analysis): the network cut off, so any download
attempt fails the test that made it, and one intra-op thread."""

import socket

import pytest
import segmentation_models_pytorch.encoders
import torch
import torchvision.models._api


class DownloadAttempted(RuntimeError):
    """Raised by the guards below; a test seeing it tried to fetch weights."""


def _refuse(*args, **kwargs):
    raise DownloadAttempted(f"download attempted: {args[:2]}")


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch):
    """Block sockets and the two weight fetchers the models could call (torchvision's and smp's)."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(torchvision.models._api, "load_state_dict_from_url", _refuse)
    monkeypatch.setattr(segmentation_models_pytorch.encoders, "hf_hub_download", _refuse)
    return DownloadAttempted


@pytest.fixture(autouse=True)
def one_thread():
    """Run model tests on one intra-op thread, restoring the setting afterwards.

    The test machines are small and shared; with two OpenMP threads fighting other processes for two
    cores, a forward+backward of unet at 2x3x97x131 took 9-16 s here, against about 1 s on one thread.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
