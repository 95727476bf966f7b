# Two commands set everything up on a fresh machine:
#   make demo   virtualenv + install + the main demo
#   make test   virtualenv + install + the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench dot clean gallery

demo: $(STAMP) dot
	$(BIN)/autograd-lite demo

test: $(STAMP) dot
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The lessons' gallery (tutorials/gallery/): every picture a lesson marks, with the numbers
# behind it (<picture>.json), from full runs; gallery/fast/ holds the numbers of fast runs,
# which tests/test_gallery.py compares with a fresh run at 1 and 2 BLAS threads.
LESSONS = $(filter-out tutorials/_%,$(wildcard tutorials/*.py))

gallery: $(STAMP) dot
	rm -rf tutorials/gallery
	for lesson in $(LESSONS); do \
		FAST= CI= GALLERY=1 $(BIN)/python $$lesson || exit 1; \
		FAST=1 GALLERY=1 GALLERY_DIR=tutorials/gallery/fast TUTORIAL_OUT=tutorials/out/fast \
			$(BIN)/python $$lesson || exit 1; \
	done
	find tutorials/gallery/fast -type f ! -name '*.json' -delete

lint: $(STAMP)
	$(BIN)/ruff check .

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[plots,data,test]"
	touch $(STAMP)

# Graphviz's `dot` program draws the pictures (.svg, .png, .pdf); .dot files need no program.
dot:
	@if command -v dot >/dev/null 2>&1; then \
		:; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Graphviz's dot program (Debian package graphviz)..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
			|| echo "Could not install graphviz; pictures other than .dot will be skipped."; \
	else \
		echo "Graphviz's dot program is missing: install it with 'sudo apt-get install graphviz'"; \
		echo "(or 'brew install graphviz'). Everything else works; only .svg/.png/.pdf need it."; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
