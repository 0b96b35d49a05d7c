#!/usr/bin/env bash
# Everything `make test` needs outside the virtualenv, on a fresh Debian machine:
#   1. Debian packages (Chromium for the browser tests, Pango for certificate PDFs,
#      poppler for reading them back, the PostgreSQL and Redis clients and servers);
#   2. PostgreSQL and Redis running when the URLs point at this machine;
#   3. the database role (with CREATEDB), its database and the btree_gist extension.
# Each step does the work itself where it can (root, local server, trust or peer auth) and
# otherwise stops with the exact command to run. Safe to run again: it only adds what is missing.
set -euo pipefail

DATABASE_URL="${DATABASE_URL:?DATABASE_URL is required}"
REDIS_URL="${REDIS_URL:?REDIS_URL is required}"
export DEBIAN_FRONTEND=noninteractive
# Quiet "already exists, skipping" notices from the idempotent statements below.
export PGOPTIONS="-c client_min_messages=warning"

say() { printf '== %s\n' "$*"; }
fail() {
  printf '\nmake test cannot set up: %s\n' "$1" >&2
  shift
  printf '  %s\n' "$@" >&2
  exit 1
}
as_root() { [ "$(id -u)" -eq 0 ]; }

# --- 1. Debian packages ---------------------------------------------------------------------
missing=()
for pair in chromium:chromium pdftotext:poppler-utils psql:postgresql-client \
            redis-cli:redis-tools npm:npm; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

# The URLs name the servers; only servers on this machine are installed and started here.
read -r db_host db_port db_user db_name redis_host redis_port < <(
  python3 - <<'PY'
import os
from urllib.parse import urlsplit

db = urlsplit(os.environ["DATABASE_URL"])
redis = urlsplit(os.environ["REDIS_URL"])
print(
    db.hostname or "127.0.0.1",
    db.port or 5432,
    db.username or "postgres",
    db.path.lstrip("/") or "postgres",
    redis.hostname or "127.0.0.1",
    redis.port or 6379,
)
PY
)
is_local() { case "$1" in 127.0.0.1|localhost|::1) return 0 ;; *) return 1 ;; esac; }

if is_local "$db_host" && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if is_local "$redis_host" && ! command -v redis-server >/dev/null 2>&1; then
  missing+=(redis-server)
fi

# The session-room tests relay through a real coturn (tests/integrations/video/test_coturn.py).
if ! command -v turnserver >/dev/null 2>&1; then
  missing+=(coturn)
fi

if ((${#missing[@]})); then
  if as_root && command -v apt-get >/dev/null 2>&1; then
    say "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    fail "these Debian packages are missing." "sudo apt-get install ${missing[*]}"
  fi
fi

# --- 2. PostgreSQL and Redis ----------------------------------------------------------------
if ! pg_isready -h "$db_host" -p "$db_port" -q; then
  if is_local "$db_host" && command -v pg_ctlcluster >/dev/null 2>&1 && as_root; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    say "Starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -h "$db_host" -p "$db_port" -q && break; sleep 1; done
  fi
  pg_isready -h "$db_host" -p "$db_port" -q \
    || fail "PostgreSQL does not answer at $db_host:$db_port." \
            "sudo pg_ctlcluster 15 main start   # or point DATABASE_URL at a running server"
fi

if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
  if is_local "$redis_host" && command -v redis-server >/dev/null 2>&1; then
    say "Starting Redis on port $redis_port"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no
    for _ in $(seq 1 30); do redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 \
    || fail "Redis does not answer at $redis_host:$redis_port." \
            "redis-server --daemonize yes --bind 127.0.0.1 --port $redis_port --save '' --appendonly no"
fi

# --- 3. Role, database, extension -----------------------------------------------------------
# Test databases are created by the role (CREATEDB) from template1, so btree_gist goes there.
setup_sql="DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$db_user') THEN
    CREATE ROLE \"$db_user\" LOGIN CREATEDB;
  END IF;
END\$\$;"
admin_psql() { psql -h "$db_host" -p "$db_port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
# A stock Debian server trusts the postgres OS user over the local socket (peer auth) only.
if ! admin_psql -d template1 -c "SELECT 1" >/dev/null 2>&1 && is_local "$db_host" && as_root \
   && command -v runuser >/dev/null 2>&1; then
  admin_psql() { runuser -u postgres -- psql -p "$db_port" -v ON_ERROR_STOP=1 -qtA "$@"; }
fi
if admin_psql -d template1 -c "SELECT 1" >/dev/null 2>&1; then
  admin_psql -d template1 -c "$setup_sql" >/dev/null
  admin_psql -d template1 -c "CREATE EXTENSION IF NOT EXISTS btree_gist" >/dev/null
  if ! admin_psql -d template1 -c "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
    admin_psql -d template1 -c "CREATE DATABASE \"$db_name\" OWNER \"$db_user\"" >/dev/null
  fi
elif ! psql -h "$db_host" -p "$db_port" -U "$db_user" -d "$db_name" -qtAc \
        "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>/dev/null | grep -q t; then
  fail "the database role '$db_user' (with CREATEDB) or its database '$db_name' is missing, and the postgres superuser cannot be reached to create them. As a superuser, run:" \
       "psql -d template1 -c \"CREATE ROLE $db_user LOGIN CREATEDB\"" \
       "psql -d template1 -c \"CREATE EXTENSION IF NOT EXISTS btree_gist\"" \
       "psql -d template1 -c \"CREATE DATABASE $db_name OWNER $db_user\""
fi
say "PostgreSQL at $db_host:$db_port (role $db_user) and Redis at $redis_host:$redis_port are ready"
