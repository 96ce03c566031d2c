# Two commands for people: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := app

.PHONY: run serve test lint test-sqlite test-postgres bench bench-similar bench-hot bench-db bench-assignment \
	triage load clean

# pip's -qq shows errors only: no progress bars, no warnings, and a failure still stops make.
$(VENV)/.installed: requirements.txt
	@echo "▸ 安装依赖（首次约需几分钟）…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## make run: install, migrate the SQLite database, load demo data (kept if present), serve.
## Each step prints one line; a step's own log is shown only when it fails.
run: $(VENV)/.installed
	@echo "▸ 迁移数据库…"
	@log=$$($(BIN)/flask db upgrade 2>&1) || { echo "$$log"; exit 1; }
	@echo "▸ 载入演示数据…"
	@$(BIN)/flask demo load
	@$(BIN)/flask demo accounts
	@echo "网站地址：http://$(HOST):$(PORT)"
	@$(BIN)/flask run --host $(HOST) --port $(PORT)

## make serve: the production shape on this machine (deploy/serve.py): PostgreSQL,
## Redis, an RQ worker for the nlp queue and gunicorn; Ctrl-C stops both.
serve: $(VENV)/.installed
	$(BIN)/python -m deploy.serve

## make test: ruff, then the whole suite on SQLite, then on PostgreSQL (required when CI=true).
## The layer test (tests/test_layers.py) and the migration check are part of the suite.
test: lint test-sqlite test-postgres

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# One process per core: the suite is CPU-bound, and each worker has its own database.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

test-sqlite: $(VENV)/.installed-dev
	$(PYTEST)

test-postgres: $(VENV)/.installed-dev
	@if [ "$$CI" = "true" ] || $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		TEST_DATABASE_URL=$(TEST_PG_URL) $(PYTEST) -p no:cacheprovider; \
	else \
		echo "PostgreSQL 未在 127.0.0.1:5432 运行，本机跳过 PostgreSQL 测试（CI=true 时必跑）。"; \
	fi

## make bench: speed and memory of nlp/ on synthetic ideas grown from the shared messages,
## up to a million (BENCH_ARGS="--max-ideas 100000" stops at 100,000).
SHARED_DATA ?= ../shared/data
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/nlp_bench.py --data $(SHARED_DATA)/citizen_messages_likes.csv $(BENCH_ARGS)

## make bench-similar: the similar-ideas look-up at a million ideas, next to the naive ways
## (3–10 minutes on this machine depending on load, peak 3.7 GB).
bench-similar: $(VENV)/.installed-dev
	$(BIN)/python bench/similar_1m.py --data $(SHARED_DATA)/citizen_messages_likes.csv

## make bench-hot: 热点 and 建议综述 (queries, Excel, PDF) on a campaign of 100,000 ideas.
bench-hot: $(VENV)/.installed-dev
	$(BIN)/python bench/hot_report.py --ideas 100000

## make bench-db: a million ideas (analyses, a clustering, a judging round of 5,000 with its reviews)
## loaded with COPY into a new PostgreSQL database BENCH_DB, then the staff pages timed next to the
## naive ways (LIKE search, OFFSET pages, exports built in memory); JSON last. Over an hour on this machine.
BENCH_DB ?= bench_1m
BENCH_DB_ARGS ?=
bench-db: $(VENV)/.installed-dev
	nice -n 10 $(BIN)/python bench/db_bench.py --data $(SHARED_DATA)/citizen_messages_likes.csv --db $(BENCH_DB) $(BENCH_DB_ARGS)

## make bench-assignment: 10,000 random reviewer-assignment instances; every one must return.
bench-assignment: $(VENV)/.installed-dev
	$(BIN)/python bench/assignment_random.py --instances 10000

## make triage: a 10,000-message campaign (20 % proposals; real complaints from SHARED_DATA, never copied)
## screened by `flask ideas triage-sim` as a careful member of staff would; one JSON line. TRIAGE_SIZE=2000 for less.
TRIAGE_SIZE ?= 10000
triage: $(VENV)/.installed-dev
	@mkdir -p instance
	$(BIN)/python bench/triage_campaign.py --size $(TRIAGE_SIZE) --data $(SHARED_DATA) --out instance/triage-$(TRIAGE_SIZE).csv
	$(BIN)/flask --app app ideas triage-sim --csv instance/triage-$(TRIAGE_SIZE).csv --group-col group 2>/dev/null

## make load: the production shape (gunicorn, PostgreSQL, Redis, RQ) started privately on free
## loopback ports, under load on SQLite and PostgreSQL, then faults; JSON last. LOAD_ARGS="--duration 10";
## LOAD_ARGS="--nodes 2": two nodes behind nginx; LOAD_ARGS="--capacity": one node's ceiling against bare Flask.
load: $(VENV)/.installed-dev
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
