"""The task outbox (decision 0018). Domain code and integrations call
`enqueue_on_commit(task, *args, **kwargs)` where they used to write
`transaction.on_commit(lambda: task.delay(...))`.

With a broker the call writes an `OutboxMessage` row in the caller's transaction; after
commit it tries once to publish it, with no retries and short socket timeouts, and a
failure only logs: the row stays pending and the relay (`relay_due`, run by beat every
minute and by `manage.py relay_outbox`) publishes it when the broker is back. Without a
broker (eager mode: `make run`, the tests) the task runs after commit in this process, as
before, and no row is written.

Publishing is at least once (a relay may die between publishing and marking the row
sent); every task loads its rows by id and checks their state, so effects happen once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Protocol

from celery import current_app
from django.db import transaction
from django.utils import timezone

from events.models import OutboxMessage

logger = logging.getLogger(__name__)

# The relay leaves a new row alone this long, so it does not race the publish that follows
# the commit (a race would only publish twice, which idempotent tasks absorb).
FIRST_PUBLISH_GRACE = timedelta(seconds=30)
RETRY_BASE_SECONDS = 5
RETRY_CAP_SECONDS = 60
RELAY_BATCH_SIZE = 100
SENT_KEPT_FOR = timedelta(days=7)


class _Task(Protocol):
    name: str

    def delay(self, *args: Any, **kwargs: Any) -> Any: ...


def retry_delay(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed publish: 5 s doubling, at
    most a minute (an outage is short; the relay tries only one row per pass while the
    broker is down, so a short cap costs nothing)."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


def _eager(task: Any) -> bool:
    app = getattr(task, "app", None) or current_app
    return bool(app.conf.task_always_eager)


def enqueue_on_commit(task: _Task, /, *args: Any, **kwargs: Any) -> None:
    """Runs `task(*args, **kwargs)` on a worker once the current transaction commits
    (at once when there is none), and never if it rolls back. Arguments must be JSON.
    Never raises because of the broker and never waits on it."""
    if _eager(task):
        # No broker: run in this process after commit, as `task.delay` always did here. A
        # failing task is logged, not raised into a response whose data is saved.
        def run_after_commit() -> None:
            task.delay(*args, **kwargs)

        # A function, not a partial: Django names it by __qualname__ when it logs a failure.
        transaction.on_commit(run_after_commit, robust=True)
        return
    row = OutboxMessage.objects.create(
        task_name=task.name,
        args=list(args),
        kwargs=kwargs,
        next_attempt_at=timezone.now() + FIRST_PUBLISH_GRACE,
    )
    message_id = row.pk

    def publish_after_commit() -> None:
        publish_now(message_id=message_id)

    transaction.on_commit(publish_after_commit, robust=True)


def publish_now(*, message_id: int) -> bool:
    """The publish right after commit: one attempt; a failure leaves the row pending for
    the relay. Returns whether the row is now sent."""
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=OutboxMessage.State.PENDING)
            .first()
        )
        if row is None:  # already sent, or a relay holds it right now
            return False
        with _broker() as connection:
            return _publish(row, connection)


def relay_due(*, limit: int = RELAY_BATCH_SIZE) -> int:
    """Publishes pending rows that are due, oldest first, and marks them sent. Rows are
    locked with SKIP LOCKED, so two relays (beat's and the relay process) never publish
    the same row. Stops at the first failure: the broker is down, and trying every row
    would only wait on it many times. Returns how many were sent."""
    sent = 0
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "pk")[:limit]
        )
        if not rows:
            return 0
        with _broker() as connection:
            for row in rows:
                if not _publish(row, connection):
                    break
                sent += 1
    return sent


def purge_sent(*, older_than: timedelta = SENT_KEPT_FOR) -> int:
    """Deletes rows sent more than `older_than` ago (kept a week for tracing)."""
    cutoff = timezone.now() - older_than
    deleted, _ = OutboxMessage.objects.filter(
        state=OutboxMessage.State.SENT, sent_at__lt=cutoff
    ).delete()
    return deleted


def _publish(row: OutboxMessage, connection: Any) -> bool:
    """Publishes one locked row and records the outcome on it."""
    now = timezone.now()
    row.attempts += 1
    try:
        _send(row.task_name, row.args, row.kwargs, connection)
    except Exception as error:
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.next_attempt_at = now + retry_delay(row.attempts)
        row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        logger.warning(
            "outbox: task %s (#%s) not published, attempt %s; retrying after %s",
            row.task_name,
            row.pk,
            row.attempts,
            row.next_attempt_at.isoformat(),
            exc_info=True,
        )
        return False
    row.state = OutboxMessage.State.SENT
    row.sent_at = now
    row.save(update_fields=["attempts", "state", "sent_at", "last_error"])
    return True


@contextmanager
def _broker() -> Iterator[Any]:
    """A broker connection that tries once: kombu otherwise retries connecting for up to
    CELERY_BROKER_CONNECTION_TIMEOUT before a publish with retry=False gives up. Opened
    lazily, so a pass with nothing to send never connects."""
    with current_app.connection_for_write(transport_options={"max_retries": 0}) as connection:
        yield connection


def _send(task_name: str, args: list, kwargs: dict, connection: Any) -> None:
    app = current_app
    task = app.tasks.get(task_name)
    if app.conf.task_always_eager:
        # A relay with no broker (rows written before the broker was switched off, or a
        # test): run the task here.
        if task is None:
            raise LookupError(f"task {task_name!r} is not registered")
        task.apply(args=args, kwargs=kwargs, throw=True)
        return
    # retry=False: one try; the row is the retry. ignore_result: nobody waits for a
    # result, and subscribing to the result backend would wait on Redis too.
    options = {"retry": False, "ignore_result": True, "connection": connection}
    if task is not None:
        task.apply_async(args=args, kwargs=kwargs, **options)
    else:
        app.send_task(task_name, args=args, kwargs=kwargs, **options)
