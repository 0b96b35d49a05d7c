"""The README's two commands: `make run` serves like production, `make test` sets itself up.

`make -n` prints what a target would run without running it; the set-up script is run for
real against servers that are not there, to show it stops with the command to run.
"""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dry_run(target: str) -> str:
    result = subprocess.run(  # noqa: S603
        ["make", "-n", target],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PORT": "8123"},
    )
    return result.stdout


def test_make_run_serves_over_asgi_with_uvicorn_and_whitenoise_not_the_development_server():
    commands = dry_run("run")
    assert "uvicorn config.asgi:application --host 127.0.0.1 --port 8123" in commands
    # One process (no --workers), proxy headers left to the app, Django has no lifespan.
    assert "--workers" not in commands
    assert "--no-proxy-headers" in commands and "--lifespan off" in commands
    assert "runserver" not in commands
    # WhiteNoise serves what collectstatic gathered; seeding comes before serving.
    assert commands.index("seed_demo") < commands.index("collectstatic") < commands.index("uvicorn")


def test_make_dev_keeps_the_autoreloading_server_with_debug_pages():
    commands = dry_run("dev")
    assert "DJANGO_DEBUG=true" in commands
    assert "manage.py runserver 127.0.0.1:8123" in commands


def test_make_test_sets_up_its_services_before_running_pytest():
    commands = dry_run("test")
    assert "bash scripts/test-services.sh" in commands
    assert commands.index("scripts/test-services.sh") < commands.index("bin/pytest")


def test_the_set_up_stops_with_the_command_to_run_when_postgresql_is_unreachable():
    # 127.0.0.2 is not "this machine" to the script, so it neither installs nor starts a
    # server there: it must say what to do instead of letting pytest fail obscurely.
    result = subprocess.run(  # noqa: S603
        ["bash", "scripts/test-services.sh"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DATABASE_URL": "postgres://aeyia@127.0.0.2:1/aeyia",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
        },
        timeout=60,
    )
    assert result.returncode == 1
    assert "PostgreSQL does not answer at 127.0.0.2:1" in result.stderr
    assert "pg_ctlcluster" in result.stderr
