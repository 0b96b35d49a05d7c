"""`manage.py relay_outbox`: the relay process (platform/entrypoints/relay.sh). Publishes
pending outbox rows to the broker every few seconds until stopped; `--once` makes one
pass and prints how many rows were sent (a runbook re-drive)."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from events import outbox

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Publish pending outbox rows to the Celery broker (the relay process)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between passes (default 2)."
        )

    def handle(self, *args, **options):
        if options["once"]:
            sent = self._drain()
            self.stdout.write(f"sent {sent}")
            return
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            try:
                self._drain()
            except Exception:  # noqa: BLE001 - a database blip must not end the relay
                logger.exception("outbox relay pass failed; trying again")
            time.sleep(options["interval"])

    def _drain(self) -> int:
        total = 0
        while sent := outbox.relay_due():
            total += sent
            if sent < outbox.RELAY_BATCH_SIZE:
                break
        return total
