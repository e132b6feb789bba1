# The two commands a newcomer needs are `make run` and `make test`; both set
# everything up from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The interface's translations, compiled from the catalogues in locale/.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install gettext messages run serve outage-check cluster cluster-stop cluster-check test lint format check seed superuser pango bench bench-http bench-pdf bench-compare bench-record-lists bench-sqlite-load fuzz screenshots clean

$(INSTALLED): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED) $(CATALOGUES)

# WeasyPrint draws PDFs with Pango, which comes from the OS, not from pip.
pango:
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('pango-1.0') else 1)" \
	  || { echo "WeasyPrint needs Pango from the OS. Install it with:"; \
	       echo "  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core"; \
	       echo "(macOS: brew install pango)"; exit 1; }

# Django compiles the translation catalogues (locale/) with msgfmt, which
# comes from GNU gettext in the OS, not from pip.
gettext:
	@command -v msgfmt >/dev/null \
	  || { echo "Compiling the translations needs GNU gettext from the OS. Install it with:"; \
	       echo "  sudo apt-get install gettext"; \
	       echo "(macOS: brew install gettext)"; exit 1; }

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(INSTALLED) | gettext
	DEBUG=1 $(BIN)/python manage.py compilemessages --locale $* --ignore .venv -v0

# After marking new strings in code or templates: bring them into the Spanish
# catalogue (then translate them there; `make install` compiles it).
messages: install gettext
	DEBUG=1 $(BIN)/python manage.py makemessages --locale es --ignore .venv --ignore staticfiles --ignore tests --no-obsolete

# Development settings for this clone, so the README's manage.py commands
# work as written: DEBUG=1 and a generated key, git-ignored. settings.py reads
# it only while the environment does not set DEBUG (production sets DEBUG=0).
ENV_FILE ?= .env
$(ENV_FILE):
	@printf '%s\n' \
	  "# Development settings for this clone, written by make. Never commit it and" \
	  "# never use it in production: it is ignored whenever DEBUG is set in the environment." \
	  "DEBUG=1" \
	  "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote $@ (DEBUG=1 and a generated SECRET_KEY) for manage.py commands in this clone."

run: install pango $(ENV_FILE)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_seed
	@echo "Serving the dashboard on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "No account yet? In another terminal: make superuser (the first administrator), then"
	@echo "an account for each person: .venv/bin/python manage.py create_account <username> --role journalist|editor|admin"
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production serving: gunicorn behind whitenoise, settings from the environment
# (DEBUG off, SECRET_KEY and ALLOWED_HOSTS required, DATABASE_URL for PostgreSQL).
# See README, "Production". Threaded workers (gthread): an export streams for
# up to EXPORT_TIME_LIMIT_S, and with one request per worker three exports
# held every worker while the home page waited 20 s (make bench, issue 15).
# Keep THREADS above EXPORT_SLOTS, and the graceful timeout above
# EXPORT_TIME_LIMIT_S (60 s): a worker restarting after --max-requests lets
# its exports end.
# No control socket: gunicorn's default one is a single path shared by every
# gunicorn the user runs, so a second server (or the bench) would take it
# over from the first.
WORKERS ?= 3
THREADS ?= 4
serve: install pango
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/gunicorn tracker.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --worker-class gthread --threads $(THREADS) \
	  --no-control-socket --timeout 30 --graceful-timeout 70 --max-requests 2000 --max-requests-jitter 200

# Stop and restart a throwaway PostgreSQL under a served site and show that
# pages answer 503 while it is down and recover by themselves (needs root).
outage-check: install
	$(BIN)/python scripts/db_outage_check.py

# Beyond one machine, on loopback (docs/deploy.md): a PostgreSQL primary and
# its streaming replica (5433, 5434; the OS binaries, run as postgres, data
# under .cluster/), two gunicorn app servers reading from the replica (8131,
# 8132) and nginx caching in front (http://127.0.0.1:8130/). Needs root.
# cluster-stop stops exactly what cluster started; cluster-check starts it,
# proves what the deployment promises with printed figures, and stops it.
cluster: install pango
	$(BIN)/python deploy/cluster.py start

cluster-stop:
	$(PYTHON) deploy/cluster.py stop

# The cluster is stopped however the check ends (a failure, Ctrl-C).
cluster-check: install pango
	trap '$(PYTHON) deploy/cluster.py stop' EXIT INT TERM; \
	$(BIN)/python deploy/cluster.py start && \
	BENCH=1 DEBUG=0 SECRET_KEY="$$(cat .cluster/secret_key)" \
	  DATABASE_URL=postgres://postgres@127.0.0.1:$${CLUSTER_PRIMARY_PORT:-5433}/tracker \
	  $(BIN)/python manage.py cluster_check

# The whole suite, in parallel: pytest-xdist starts one worker per core, each
# with its own test database (test_<name>_gw0, ...), live server and Chromium.
# PYTEST_WORKERS=0 runs it in one process; PYTEST_ARGS passes options through
# (CI's SQLite pass uses it to leave out the database-agnostic tests it has
# already run on PostgreSQL: see .ci/run). worksteal: the browser and PDF tests
# take seconds each, the rest milliseconds, so an idle worker takes over
# tests queued for the other rather than waiting at the end.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
test: install pango lint
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py check
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The import layers (pyproject.toml's [tool.importlinter]) hold: imports only
# go down, from the project to the surfaces to the models and helpers.
# vulture finds code nothing uses. 60% is its confidence for an unused
# function, class or attribute (higher would report only unused imports and
# arguments); what Django, templates and settings reach by name is listed in
# scripts/vulture_whitelist.py. Not scanned: migrations (generated), settings
# and format modules (Django reads every name in them), and the benchmark
# tooling, which leaves cases/ for its own package.
VULTURE_EXCLUDE := cases/migrations,*/bench_*.py,*/_bench_load.py,*/synthesize.py,*/remove_synthetic.py,tracker/settings.py,tracker/formats
VULTURE_DECORATORS := @admin.register,@register.filter,@register.simple_tag,@receiver
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/vulture cases tracker scripts/vulture_whitelist.py --min-confidence 60 \
	  --exclude '$(VULTURE_EXCLUDE)' --ignore-decorators '$(VULTURE_DECORATORS)'
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Reload the seed over existing records (overwrites corrections to seeded records).
seed: install $(ENV_FILE)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_seed --force

# The benchmark (PostgreSQL), from the tooling app bench/ (BENCH=1 installs
# it; production leaves it out): bench-http serves the site with gunicorn at
# 100,000 synthetic transfers in its own database (BENCH_DATABASE_URL, created
# and loaded when missing; your data is not touched), times each page over
# loopback and writes docs/performance.md; bench-pdf times the PDF briefs;
# bench-compare serves one SQLite file of 100,000 transfers with the tracker
# and with Datasette, side by side, plus the tracker on PostgreSQL, cache hit
# and miss, and adds its table and the issue's targets to docs/performance.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench
BENCH_SQLITE ?= .bench/transfers.sqlite3
# Options for bench_http, e.g. a quick check of its tooling (see README, Speed).
BENCH_HTTP_ARGS ?=
bench: bench-http bench-record-lists bench-pdf bench-compare bench-sqlite-load

bench-http: install pango
	BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-secret} ALLOWED_HOSTS=127.0.0.1 HTTPS=0 \
	  STATIC_MANIFEST=1 DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_http $(BENCH_HTTP_ARGS)

# Time and peak memory of one source quoted 255,750 times (its page, brief,
# the sources table's exports, the table of its quotes), each request in a
# process of its own, in bench-http's database (run that first): writes
# docs/performance-record-lists.md (issue 28).
bench-record-lists: install pango
	BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-secret} ALLOWED_HOSTS=127.0.0.1 HTTPS=0 \
	  DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py collectstatic --noinput -v0
	BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-secret} ALLOWED_HOSTS=127.0.0.1 HTTPS=0 \
	  DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_record_lists

# Hostile requests over every route (outside CI; bench/management/commands/
# fuzz.py), anonymous and as an editor, counted by status; fails on any 5xx
# but the documented 503s. FUZZ_REQUESTS at seed size in a database of its
# own (created and seeded when missing), then FUZZ_BENCH_REQUESTS at 100,000
# transfers in bench-http's database (skipped until bench-http has made it).
FUZZ_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_fuzz
FUZZ_REQUESTS ?= 10000
FUZZ_BENCH_REQUESTS ?= 2000
FUZZ_ENV = BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-fuzz-only-not-a-secret} ALLOWED_HOSTS=127.0.0.1 HTTPS=0 LOG_LEVEL=CRITICAL
fuzz: install pango
	$(FUZZ_ENV) DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py collectstatic --noinput -v0
	$(FUZZ_ENV) DATABASE_URL=$(FUZZ_DATABASE_URL) $(BIN)/python manage.py fuzz --seed-database --requests $(FUZZ_REQUESTS)
	$(FUZZ_ENV) DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py fuzz --requests $(FUZZ_BENCH_REQUESTS)

# SQLite at 100,000 transfers under writes (issue 28): a copy of
# bench-compare's file (BENCH_SQLITE, run that first; the copy is
# .bench/load.sqlite3, so the original is never written) served as make serve
# does, with 20 readers, 3 unfiltered exports, an administrator logging in
# every 2 s and saving a correction every second, all at once for 60 s:
# readers' p50/p95/p99, logins and saves that succeeded and any "database is
# locked", kept in docs/performance.md. Fails when a login or save fails.
BENCH_SQLITE_LOAD ?= .bench/load.sqlite3
BENCH_SQLITE_LOAD_ARGS ?=
bench-sqlite-load: install pango
	BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-secret} ALLOWED_HOSTS=127.0.0.1 HTTPS=0 \
	  STATIC_MANIFEST=1 $(BIN)/python manage.py collectstatic --noinput -v0
	mkdir -p $(dir $(BENCH_SQLITE_LOAD))
	BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-secret} ALLOWED_HOSTS=127.0.0.1 HTTPS=0 \
	  DATABASE_URL=sqlite:///$(abspath $(BENCH_SQLITE_LOAD)) \
	  $(BIN)/python manage.py bench_sqlite_load --copy-from $(BENCH_SQLITE) $(BENCH_SQLITE_LOAD_ARGS)

# Time the PDF briefs (record, 100-row table, dossier) at seed size and at
# 10,000 records, in a throwaway database (your data is not touched). Runs
# with DEBUG off, as production does; the key is for this process only.
bench-pdf: install pango
	BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-secret} $(BIN)/python manage.py bench_pdf

# PNGs of the key pages (desktop and phone widths) and of the first page of
# each kind of PDF brief, into screenshots/ (ignored by git), from a throwaway
# database and server of its own. Needs chromium and poppler-utils (pdftoppm).
# DOCS=1 also refreshes the README's two images in docs/screenshots/.
screenshots: install pango
	$(BIN)/python scripts/screenshots.py $(if $(DOCS),--docs)

# Makes its SQLite file (.bench/, ignored by git) once: about 17 minutes.
bench-compare: install pango
	BENCH=1 DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-secret} $(BIN)/python manage.py bench_compare --sqlite $(BENCH_SQLITE) --postgres $(BENCH_DATABASE_URL)

superuser: install $(ENV_FILE)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
