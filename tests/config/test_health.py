"""config.health: liveness and readiness probes. The readiness test with the database
down starts a real gunicorn, since the test process's own database is always up."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"


def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_checks_database_cache_and_broker(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    expected_broker = "ok" if settings.CELERY_BROKER_URL else "eager"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": expected_broker},
    }
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_probes_refuse_writes(client, url, method):
    response = getattr(client, method)(url)

    assert response.status_code == 405


def test_readyz_reports_a_failing_cache_without_details(client, monkeypatch):
    from django.core.cache import cache

    def broken_set(*args, **kwargs):
        raise ConnectionError("cache host secret-cache.internal:6379 refused")

    monkeypatch.setattr(cache, "set", broken_set)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert "secret-cache" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("database", {"database": "ok"}),
        ("database,cache", {"database": "ok", "cache": "ok"}),
    ],
)
def test_readyz_runs_only_the_checks_asked_for(client, query, expected):
    response = client.get("/readyz", {"checks": query})

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": expected}


def test_readyz_for_the_database_alone_ignores_a_failing_cache(client, monkeypatch):
    """The Kubernetes readiness probe's question: a cache outage degrades, it does not
    take the pod out of the Service (decision 0019)."""
    from django.core.cache import cache

    def broken_set(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(cache, "set", broken_set)

    assert client.get("/readyz").status_code == 503
    assert client.get("/readyz?checks=database").status_code == 200


@pytest.mark.parametrize("query", ["disk", "database,disk", "<script>"])
def test_readyz_refuses_unknown_checks_without_echoing_them(client, query):
    response = client.get("/readyz", {"checks": query})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "script" not in response.content.decode()


# --- a real server with its database down --------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, bytes, Message]:
    """Status, body and headers (looked up case-insensitively, as HTTP means them: uvicorn
    sends them in lower case)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


@pytest.fixture
def server_with_database_down(tmp_path):
    """gunicorn (uvicorn workers, as in production) serving the project with DATABASE_URL
    pointing at a port nobody listens on."""
    port, closed_port = _free_port(), _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://aeyia@127.0.0.1:{closed_port}/aeyia",
        "DATABASE_CONNECT_TIMEOUT": "2",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        # As production runs it: gunicorn with the uvicorn worker serving config.asgi.
        [
            str(GUNICORN),
            "config.asgi:application",
            "--worker-class",
            "config.asgi_worker.WebWorker",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {(tmp_path / 'gunicorn.log').read_text()}")
            try:
                if _get(f"{base}/healthz", timeout=2)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn never answered: {(tmp_path / 'gunicorn.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_readyz_is_503_json_without_traceback_when_the_database_is_down(
    server_with_database_down,
):
    status, body, headers = _get(f"{server_with_database_down}/readyz")

    assert status == 503
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["status"] == "unavailable"
    assert payload["checks"]["database"] == "unavailable"
    assert payload["checks"]["cache"] == "ok"
    text = body.decode()
    assert "Traceback" not in text
    assert "OperationalError" not in text
    assert "127.0.0.1" not in text

    # Liveness is unaffected: the process itself is fine.
    live_status, live_body, _ = _get(f"{server_with_database_down}/healthz")
    assert live_status == 200
    assert json.loads(live_body) == {"status": "ok"}
