# GoLive Desk: `make run` to try it, `make test` to check it. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Where the embedded stack keeps its data, broker, secret key and collected static files, and its port.
export GOLIVE_VAR_DIR ?= $(CURDIR)/var
export WEB_PORT ?= 8000

.PHONY: run test lint format demo clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The web server (gunicorn), the Celery worker and beat under supervisord, which restarts any of them that
# dies; Ctrl-C stops all three (README, "Running it").
run: $(STAMP)
	mkdir -p $(GOLIVE_VAR_DIR)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity=0
	$(BIN)/python manage.py load_demo
	@$(BIN)/python -m config.banner
	exec $(BIN)/supervisord --configuration=config/supervisord.conf

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(GOLIVE_VAR_DIR)/broker.sqlite3* $(GOLIVE_VAR_DIR)/celerybeat-schedule*
