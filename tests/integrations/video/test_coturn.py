"""The TURN credentials work against a real coturn (Debian's `coturn` package, installed by
scripts/test-services.sh) started with the platform's own turnserver.conf: a relay is
allocated and packets flow with what `ice_servers()` mints, and refused once the
credentials expire or were signed with another secret. The config's denied peer ranges
are checked too: by default the relay will not forward to loopback (our own network)."""

import random
import re
import secrets
import shutil
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from integrations.video.turn import ice_servers, turn_credential

CONF = Path(django_settings.BASE_DIR) / "platform/k8s/coturn/turnserver.conf"
SECRET = secrets.token_urlsafe(32)
TTL = 600


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        return udp.getsockname()[1]


def _start_coturn(tmp_path: Path, *extra: str):
    binary = shutil.which("turnserver")
    assert binary, "coturn is needed: apt-get install coturn (scripts/test-services.sh does)"
    port = _free_port()
    relay = random.randrange(50000, 59000)  # noqa: S311 - a port range, not a secret
    log = tmp_path / f"coturn-{port}.log"
    process = subprocess.Popen(  # noqa: S603
        [
            binary,
            "-c",
            str(CONF),
            # This machine instead of the production listener and external address.
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            f"--min-port={relay}",
            f"--max-port={relay + 40}",
            f"--static-auth-secret={SECRET}",
            "--realm=aeyia.test",
            f"--db={tmp_path / f'turndb-{port}.sqlite'}",
            f"--pidfile={tmp_path / f'turn-{port}.pid'}",
            *extra,
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("coturn did not start listening:\n" + log.read_text())


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    # The peer the test client echoes through sits on loopback, which the platform's
    # config refuses to relay to; allow exactly that address for this test server.
    process, port = _start_coturn(
        tmp_path_factory.mktemp("coturn"), "--allow-loopback-peers", "--allowed-peer-ip=127.0.0.1"
    )
    yield port
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def coturn_as_configured(tmp_path_factory):
    process, port = _start_coturn(tmp_path_factory.mktemp("coturn-plain"), "--allow-loopback-peers")
    yield port
    process.terminate()
    process.wait(timeout=10)


def _relay(port: int, username: str, credential: str) -> subprocess.CompletedProcess:
    """turnutils_uclient allocates a relay with the credentials and echoes UDP packets
    through it to a peer on this machine."""
    binary = shutil.which("turnutils_uclient")
    assert binary, "turnutils_uclient comes with the coturn package"
    return subprocess.run(  # noqa: S603
        [binary, "-p", str(port), "-u", username, "-w", credential,
         "-n", "1", "-m", "1", "-l", "100", "-e", "127.0.0.1", "-y", "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip


def _turn_server(settings, port: int, now=None) -> dict:
    settings.TURN_URLS = [f"turn:127.0.0.1:{port}?transport=udp"]
    settings.TURN_SECRET = SECRET
    settings.TURN_TTL = TTL
    [server] = [s for s in ice_servers(username_hint="user-42", now=now) if "username" in s]
    return server


def test_fresh_credentials_relay_packets(settings, coturn):
    server = _turn_server(settings, coturn)
    result = _relay(coturn, server["username"], server["credential"])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Total lost packets 0 " in output
    received = [int(count) for count in re.findall(r"tot_recv_msgs=(\d+)", output)]
    assert received and max(received) > 0, output


def test_expired_credentials_are_refused(settings, coturn):
    server = _turn_server(settings, coturn, now=timezone.now() - timedelta(seconds=TTL + 60))
    result = _relay(coturn, server["username"], server["credential"])
    assert result.returncode != 0
    assert "Cannot complete Allocation" in result.stdout + result.stderr


def test_credentials_signed_with_another_secret_are_refused(settings, coturn):
    server = _turn_server(settings, coturn)
    forged = turn_credential(secret="not-the-server-secret", username=server["username"])
    result = _relay(coturn, server["username"], forged)
    assert result.returncode != 0
    assert "Cannot complete Allocation" in result.stdout + result.stderr


def test_the_platform_config_does_not_relay_into_our_own_network(settings, coturn_as_configured):
    server = _turn_server(settings, coturn_as_configured)
    result = _relay(coturn_as_configured, server["username"], server["credential"])
    assert "403 (Forbidden IP)" in result.stdout + result.stderr
