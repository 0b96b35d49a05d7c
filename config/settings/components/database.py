from .env import VAR_DIR, env

# SQLite in var/ by default; DATABASE_URL switches to PostgreSQL (services and production).
_default_url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=_default_url)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write transactions take the lock up front (BEGIN IMMEDIATE) so concurrent writers
    # queue instead of failing half-way; WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # 0 by default: under ASGI every request runs its sync view in a thread of its own
    # (asgiref's per-request ThreadSensitiveContext), so a kept connection would belong to
    # a thread that is about to end and could never be reused (decision 0034).
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
