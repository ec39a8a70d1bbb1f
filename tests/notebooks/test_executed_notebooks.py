"""The session fixture's bookkeeping, without a kernel: each notebook executed once, 04 before 05 whatever the
order of the requests, and a failure reported to every test that asks without running the notebook again."""

import pytest
from executed_notebooks import READS_FROM, ExecutedNotebooks, NotebookFailedError


class Recording(ExecutedNotebooks):
    """Records the executions instead of running papermill; ``failing`` names notebooks that raise."""

    def __init__(self, root, failing=()):
        super().__init__(root)
        self.executed, self.failing = [], set(failing)

    def _execute(self, name):
        self.executed.append(name)
        if name in self.failing:
            raise NotebookFailedError(f"{name} raised")
        return self.root / f"{name}.ipynb"


def test_notebook_05_first_runs_04_first_and_each_runs_once(tmp_path):
    assert READS_FROM["05_inspect_masks"] == "04_train_and_compare"
    runs = Recording(tmp_path)
    assert runs("05_inspect_masks") == tmp_path / "05_inspect_masks.ipynb"
    runs("04_train_and_compare"), runs("05_inspect_masks")
    assert runs.executed == ["04_train_and_compare", "05_inspect_masks"]


def test_a_failed_notebook_fails_every_request_without_running_again(tmp_path):
    runs = Recording(tmp_path, failing={"04_train_and_compare"})
    for name in ("04_train_and_compare", "05_inspect_masks", "04_train_and_compare"):
        with pytest.raises(NotebookFailedError, match="04_train_and_compare raised"):
            runs(name)
    assert runs.executed == ["04_train_and_compare"], "05 needs 04's run: it is not executed when 04 failed"


def test_an_unknown_notebook_is_named_with_the_known_ones(tmp_path):
    with pytest.raises(KeyError, match="no notebook '14_missing'.*01_segmentation_basics"):
        Recording(tmp_path)("14_missing")
