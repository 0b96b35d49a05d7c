from .env import env

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Redis whose outage reads as misses (config/cache_backend.py, decision 0019).
            "BACKEND": "config.cache_backend.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="aeyia"),
            "OPTIONS": {
                # Short, so a Redis that does not answer costs one request 2 s, not all.
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                # After a failure, skip Redis this long before trying it again.
                "outage_pause_seconds": 5,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database only: a cached copy would outlive a sign-out made while
# Redis was down (the delete cannot reach it) and come back with Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
