"""A Redis broker that a test owns: its own redis-server on a free port (never the shared
one), which the test stops and starts again to drill a broker outage. While in use, the
Celery app publishes to it for real (not eagerly); `worker()` runs a real Celery worker
thread that consumes from it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery_app import app

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset_connections() -> None:
    """Drops the app's pooled broker connections, so the next publish uses the current
    broker_url (Celery's own after-fork reset)."""
    app._after_fork()


class OwnBroker:
    def __init__(self, data_dir) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self) -> int:
        """Messages in this run's Celery queue or being worked on (acks are late, so a
        message stays in kombu's "unacked" hash until its task has finished)."""
        client = redis.Redis.from_url(self.url)
        return client.llen(app.conf.task_default_queue) + client.hlen("unacked")

    @contextmanager
    def worker(self) -> Iterator[None]:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield


@contextmanager
def own_broker(data_dir) -> Iterator[OwnBroker]:
    """Celery publishes to a broker this test started; eager mode is off meanwhile."""
    broker = OwnBroker(data_dir)
    broker.start()
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = broker.url
    app.conf.task_always_eager = False
    _reset_connections()
    try:
        yield broker
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        _reset_connections()
        broker.stop()
        assert settings.CELERY_TASK_ALWAYS_EAGER  # the test settings are untouched


def wait_for(condition, *, timeout: float = 60.0) -> None:
    """Waits until `condition()` is true (a worker thread is doing the work); fails with
    the condition's name if it never becomes true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{getattr(condition, '__name__', condition)} never held")
        time.sleep(0.1)
