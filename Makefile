# The README's quick start: `make demo` and `make test`. Both build the virtual environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# A CPU build of torch: an unpinned torch pulls a multi-GB CUDA build on a machine without a GPU.
TORCH ?= torch==2.13.0

.PHONY: demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/zhaiyao start

test: $(VENV)/.installed
	@# The browser test drives Debian's Chromium; CJK fonts make its screenshots legible.
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || \
		{ apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; } >/dev/null
	$(BIN)/ruff check app tests bench
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

clean:
	rm -rf $(VENV)
