# Two commands set everything up on a fresh machine:
#   make demo   virtualenv + install + the main demo
#   make test   virtualenv + install + the whole test suite (with headless Chromium)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench dot browser clean

demo: $(STAMP) dot
	$(BIN)/autograd-lite demo

test: $(STAMP) dot browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

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
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
