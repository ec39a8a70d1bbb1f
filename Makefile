# Two commands from a fresh clone: `make demo` and `make test`.
# pip is run with the machine's pip configuration switched off so that a local CPU-only torch wheel
# (which torchvision's wheels cannot load against) is never picked up; plain PyPI wheels are used.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIPENV := env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null

.PHONY: install demo test test-browser screenshots lab bench docs clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIPENV) $(PY) -m pip install --upgrade pip
	$(PIPENV) $(PY) -m pip install -e ".[dev]"
	touch $@

demo: install
	$(PY) -m workbench compare --out runs/demo
	$(PY) -m workbench report runs/demo

test: install
	$(PY) -m pytest

test-browser: install
	$(PY) -m pytest -m browser

# Every notebook run in JupyterLab with its own defaults (budget "auto": the CPU one without CUDA), one PNG each in
# test-artifacts/browser/notebooks/defaults/ with times.csv: long (up to 45 minutes a notebook).
screenshots: install
	WORKBENCH_NOTEBOOK_DEFAULTS=1 $(PY) -m pytest tests/browser/test_notebook_screenshots.py

lab: install
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

bench: install
	$(PY) bench/metrics_speed.py
	$(PY) bench/widget_latency.py
	$(PY) bench/train_speed.py
	$(PY) bench/model_table.py

# The documentation site in site/: every notebook executed with its defaults into runs/notebooks (about 13 minutes
# on a 2-core CPU), then built with --strict; the two variables silence the plugins' notices about MkDocs 2.
docs: install
	$(PY) bench/notebooks.py --out runs/notebooks
	WORKBENCH_EXECUTED_NOTEBOOKS=runs/notebooks DISABLE_MKDOCS_2_WARNING=true NO_MKDOCS_2_WARNING=1 \
		$(PY) -m mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) runs site .pytest_cache
