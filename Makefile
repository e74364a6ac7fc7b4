# Every target does its own set-up on a fresh clone: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install nltk-data test demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	touch $(STAMP)

# WordNet for the text backend: NLTK's download where its server is reachable,
# else the system WordNet 3.0 database (installed with apt-get when we are root
# on Debian/Ubuntu). Says what it did; never needed for image or audio.
nltk-data: $(STAMP)
	$(BIN)/python -m augment.backends.text.setup setup --allow-download --allow-apt

# Lint and types first (seconds), then the suite.
test: $(STAMP) nltk-data
	$(BIN)/ruff check augment tests benchmarks samples
	$(BIN)/mypy
	$(BIN)/python -m pytest

demo: $(STAMP) nltk-data
	$(BIN)/augment-dir samples demo-out -n 3

bench: $(STAMP) nltk-data
	$(BIN)/python benchmarks/bench_pipeline.py

clean:
	rm -rf $(VENV) demo-out build *.egg-info
