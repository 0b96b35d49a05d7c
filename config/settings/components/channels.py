"""Serving over ASGI (config/asgi.py): the request cap per process, and the Channels
layer that carries WebSocket events between processes.

The embedded default (`make run`) is one process, so an in-memory layer reaches every
socket. With Redis (services, production, the test run) each web process and each Celery
worker publishes through Redis, so an event raised anywhere reaches the socket wherever
it is open. CHANNEL_LAYER_URL defaults to REDIS_URL; a separate Redis can be named.
"""

from .env import env

# HTTP requests one web process runs Django code for at once (each in its own thread, with
# its own database connection); more wait their turn (config/asgi_limits.py). The cap
# gunicorn's thread count used to be: 16 for the one process of `make run`.
WEB_CONCURRENT_REQUESTS = env.int("WEB_CONCURRENT_REQUESTS", default=16)

CHANNEL_LAYER_URL = env.str("CHANNEL_LAYER_URL", default="") or env.str("REDIS_URL", default="")

if CHANNEL_LAYER_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [CHANNEL_LAYER_URL],
                # Several deployments (and test runs, config/settings/test.py) may share a Redis.
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="aeyia-ws"),
                # Events are live nudges ("you have 3 unread"), not a queue of record: a message
                # nobody picked up within a minute is stale, and a socket that falls 200 behind
                # is better dropped than buffered.
                "expiry": 60,
                "group_expiry": 24 * 60 * 60,
                "capacity": 200,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"expiry": 60, "group_expiry": 24 * 60 * 60, "capacity": 200},
        }
    }
