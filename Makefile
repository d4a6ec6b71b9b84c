# qunce (群策) developer tasks.
#
#   make demo         set up .venv if needed, validate the bundled example playbooks, then `qunce demo`:
#                     events, simulation, commission statements and payouts.xlsx, task lists, handbook (into qunce-demo/)
#   make test         set up .venv if needed, then run the whole test suite, ruff and mypy
#   make lint         ruff + mypy only
#   make schema       regenerate schemas/*.schema.json from the models
#   make bench        start-up time of `qunce --help` / `qunce validate` against a baseline
#   make wheel-check  build the wheel, install it in a fresh venv, run it outside the repo
#   make clean        remove build artefacts and caches (keeps .venv; `make distclean` removes it too)
#
# The only prerequisite is python3 (3.11+) with the venv module, plus make itself.
# .venv is created on first use and the project is (re)installed editable with the
# dev extras only when pyproject.toml has changed since the last install.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Extra arguments, e.g. `make test PYTEST_ARGS="-k render -x"` or `make bench BENCH_ARGS="--runs 5"`.
PYTEST_ARGS ?=
BENCH_ARGS  ?=

# Quiet, non-interactive pip (CI runs without stdin).
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.DEFAULT_GOAL := help
.PHONY: help venv demo test pytest ruff mypy lint schema bench wheel-check clean distclean

help:
	@echo "make demo         the whole job on the bundled example (qunce demo, into qunce-demo/)"
	@echo "make test         whole test suite: pytest, ruff, mypy"
	@echo "make lint         ruff + mypy"
	@echo "make schema       write schemas/playbook.schema.json"
	@echo "make bench        start-up benchmark (bench/startup.py)"
	@echo "make wheel-check  build + install the wheel in a fresh venv and smoke-test it"
	@echo "make clean        remove build artefacts and caches (distclean: also .venv)"

# --- environment -------------------------------------------------------------

$(BIN)/python:
	@echo "==> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# Pins for dependencies that broke us go here (and in pyproject.toml), with the
# issue they come from, e.g.:
#   somepkg<1.3   # 1.3.0 changed X, see issue #NN
# (none for now)
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing qunce (editable, dev extras) into $(VENV)"
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# --- main job ----------------------------------------------------------------

DEMO ?= qunce-demo

demo: $(STAMP)
	@echo "==> qunce validate playbooks/"
	@$(BIN)/qunce validate playbooks/
	@echo
	@echo "==> qunce demo $(DEMO): the whole job on the complete example"
	@$(BIN)/qunce demo $(DEMO)
	@echo
	@echo "Next steps:"
	@echo "  $(BIN)/qunce --help                  all commands"
	@echo "  $(BIN)/qunce init my.yaml            write a starter playbook to edit"
	@echo "  $(BIN)/qunce validate my.yaml        check your own playbook"
	@echo "  make test                               run the whole test suite"
	@echo "  (or 'source $(BIN)/activate' and drop the $(BIN)/ prefix)"

# --- checks ------------------------------------------------------------------

# pytest exits 5 when it collected no tests. That must never count as a pass,
# so it is turned into a failure with a message.
pytest: $(STAMP)
	@echo "==> pytest"
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make: no tests ran (pytest exit 5): treating as a failure" >&2; exit 1; fi; \
	exit $$rc

ruff: $(STAMP)
	@echo "==> ruff check ."
	@$(BIN)/ruff check .

mypy: $(STAMP)
	@echo "==> mypy (files from [tool.mypy] in pyproject.toml)"
	@$(BIN)/mypy

lint: ruff mypy

# Runs every step even when an earlier one fails, so one run shows all
# problems; fails at the end if any step failed.
test: $(STAMP)
	@failed=""; \
	for step in pytest ruff mypy; do \
	  $(MAKE) --no-print-directory $$step || failed="$$failed $$step"; \
	done; \
	if [ -n "$$failed" ]; then echo "==> make test FAILED:$$failed" >&2; exit 1; fi; \
	echo "==> make test: all passed (pytest, ruff, mypy)"

# --- other tasks -------------------------------------------------------------

schema: $(STAMP)
	@echo "==> qunce schema KIND --out schemas/KIND.schema.json; docs/playbook-reference.md; docs/rules.md"
	@for kind in playbook fragment events roster mapping; do $(BIN)/qunce schema $$kind --out schemas/$$kind.schema.json; done
	@$(BIN)/qunce schema --format md --out docs/playbook-reference.md
	@$(BIN)/qunce rules --format md --lang en > docs/rules.md

bench: $(STAMP)
	@echo "==> bench/startup.py $(BENCH_ARGS)"
	@$(BIN)/python bench/startup.py $(BENCH_ARGS)

wheel-check: $(STAMP)
	@echo "==> .ci/wheel-check"
	@bash .ci/wheel-check

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
