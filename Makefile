# The README's two commands: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test e2e lint check bench clean-db

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gonghui migrate --noinput
	$(BIN)/gonghui seed --if-empty
	@echo "打开 http://127.0.0.1:8000 （Ctrl-C 结束）"
	@# The task worker and the 5-minute tick run beside the web server (large imports are queued); Ctrl-C stops all.
	trap 'kill 0' INT TERM EXIT; $(BIN)/gonghui db_worker --interval 1 & $(BIN)/gonghui tick --every 300 & \
	  $(BIN)/gonghui runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/pytest

e2e: $(STAMP)
	$(BIN)/pytest -m browser

lint: $(STAMP)
	$(BIN)/ruff check .

clean-db:
	rm -f var/gonghui.sqlite3 var/gonghui.sqlite3-wal var/gonghui.sqlite3-shm
