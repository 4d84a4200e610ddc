# cgtextract: everyday tasks. On a fresh machine: `make demo`, then `make test`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
DB     ?= cgtextract.db

.PHONY: venv test check demo bench score fuzz clean

# The stamp is newer than pyproject.toml once the install succeeded, so a second
# `make venv` does nothing; editing the dependencies re-runs the install.
venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-input -e '.[dev]'
	touch $(STAMP)

test: venv
	$(BIN)/python -m pytest

check: venv
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy src
	$(BIN)/python -m pytest

# Reads the bundled pages into $(DB) (running it again stores nothing twice), then lists
# what the database holds.
demo: venv
	$(BIN)/cgtextract run fixtures/seed/page.html fixtures/dev/*.html --db $(DB) >/dev/null
	$(BIN)/cgtextract query --db $(DB)

# `make bench N=200` for a quicker run (default 1000 pages); `REPEAT=3` keeps each phase's
# fastest of three runs, for a machine shared with other work.
bench: venv
	$(BIN)/python scripts/bench.py $(if $(N),--n $(N)) $(if $(REPEAT),--repeat $(REPEAT))

# The property tests with 5,000 examples each (random bytes, Unicode, HTML, mutated pages);
# `make test` runs the same properties with a few dozen examples.
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-show-statistics

# Scores `cgtextract extract` against the gold events of the dev corpus and the seed article.
score: venv
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python $(SHARED)/eval/score.py $(SHARED)/corpus/dev
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python $(SHARED)/eval/score.py $(SHARED)/corpus \
		--gold $(SHARED)/corpus/seed-gold.jsonl --docs seed-article.txt

# Build outputs, caches and the demo database; the virtualenv stays (rm -rf .venv for that).
clean:
	rm -rf build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache bench-out
	rm -f $(DB) $(DB)-wal $(DB)-shm $(DB)-journal
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
