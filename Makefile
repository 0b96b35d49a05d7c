# Aeyia: `make run` (embedded default) and `make test` (PostgreSQL + Redis + Celery).
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.13.9
VENV := .venv
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

# Services used by `make test`; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://aeyia@127.0.0.1:5432/aeyia
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run dev migrate-demo test test-services lint bench clean browser-deps assets

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.synced

migrate-demo: install
	$(VENV)/bin/python manage.py migrate --noinput
	$(VENV)/bin/python manage.py seed_demo
	$(VENV)/bin/python manage.py collectstatic --noinput --verbosity 0

## run: set up and serve the platform with demo content on SQLite (no env needed), over ASGI
## with uvicorn (HTTP and WebSockets), WhiteNoise serving static files, as in production.
## One process: the embedded default keeps its cache (page cache, rate limits) and its
## channel layer in local memory, which a second process would not share.
run: migrate-demo
	$(VENV)/bin/uvicorn config.asgi:application --host 127.0.0.1 --port $(PORT) \
	  --ws websockets-sansio --no-proxy-headers --lifespan off --access-log --log-level info

## dev: the same with Django's autoreloading development server and debug pages
dev: migrate-demo
	DJANGO_DEBUG=true $(VENV)/bin/python manage.py runserver 127.0.0.1:$(PORT)

browser-deps: node_modules/.installed

# Browser modules built from npm packages. Only the session room's Chime module for now
# (decision 0041): static/src/rooms/chime.js and amazon-chime-sdk-js become one minified
# ES module with a source map in static/dist/ (git-ignored; the production image runs
# this before collectstatic). The "module" field is preferred even for require() so the
# AWS SDK inside resolves to its browser build, and Node's `global` (which a dependency
# reads) is the browser's globalThis. The metafile lists the bundle's exports.
ASSETS_OUT ?= static/dist
ASSETS_META ?= var/assets
## assets: bundle static/src/rooms/chime.js into static/dist/rooms-chime.js (esbuild)
assets:
	@test -x node_modules/.bin/esbuild || $(MAKE) node_modules/.installed
	@mkdir -p $(ASSETS_META)
	npx --no esbuild static/src/rooms/chime.js --bundle --format=esm --platform=browser \
	  --main-fields=browser,module,main --target=es2020 --minify --sourcemap \
	  --define:global=globalThis --legal-comments=linked --log-level=warning \
	  --metafile=$(ASSETS_META)/rooms-chime.json --outfile=$(ASSETS_OUT)/rooms-chime.js

## test-services: Debian packages, PostgreSQL, Redis, the role and btree_gist (see the script)
test-services:
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  bash scripts/test-services.sh

## test: set up and run the whole suite against PostgreSQL and Redis
test: test-services install browser-deps
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$status

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: install
	$(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) $(TOOLS) node_modules var
