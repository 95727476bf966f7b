# Two commands set everything up on a fresh machine:
#   make demo   virtualenv + install + the main demo
#   make test   virtualenv + install + the whole test suite (with headless Chromium)
# and, for CI: make test-min   the suite again, on the lowest versions pyproject.toml allows
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MIN_VENV  := .venv-min
MIN_BIN   := $(MIN_VENV)/bin
MIN_STAMP := $(MIN_VENV)/.installed-stamp

.PHONY: demo test test-min lint bench dot browser clean gallery docs

demo: $(STAMP) dot
	$(BIN)/autograd-lite demo

test: $(STAMP) dot browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The declared floors (numpy>=2.0 -> numpy==2.0, ...; .ci/floors.py reads pyproject.toml)
# in a virtualenv of their own, then the whole suite on them.
test-min: $(MIN_STAMP) dot
	$(MIN_BIN)/python -m pytest

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

# The pictures of docs/ (docs/pictures.py; tests/test_docs_pictures.py checks them).
docs: $(STAMP) dot
	$(BIN)/python docs/pictures.py

lint: $(STAMP)
	$(BIN)/ruff check .

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[plots,data,test]"
	touch $(STAMP)

# Made afresh whenever the floors may have changed, so no newer version stays behind.
# Wheels only: a floor without a wheel for this Python fails at once instead of compiling.
$(MIN_STAMP): pyproject.toml .ci/floors.py
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_BIN)/python -m pip install --quiet --upgrade pip
	$(MIN_BIN)/python -m pip install --quiet "tomli; python_version < '3.11'"
	$(MIN_BIN)/python .ci/floors.py > $(MIN_VENV)/floors.txt
	$(MIN_BIN)/python -m pip install --quiet --only-binary=:all: -r $(MIN_VENV)/floors.txt
	$(MIN_BIN)/python -m pip install --quiet --no-deps -e .
	$(MIN_BIN)/python -m pip check
	touch $(MIN_STAMP)

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

# Headless Chromium and its driver open the backward-frames page in tests/test_browser.py;
# without them those tests are skipped.
browser:
	@if { command -v chromium || command -v chromium-browser || command -v google-chrome; } \
			>/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
		:; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing headless Chromium for the browser tests (Debian packages chromium, chromium-driver)..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
			|| echo "Could not install chromium; the browser tests will be skipped."; \
	else \
		echo "Chromium is missing: the browser tests will be skipped; install it with"; \
		echo "'sudo apt-get install chromium chromium-driver' (Debian/Ubuntu)."; \
	fi

clean:
	rm -rf $(VENV) $(MIN_VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
