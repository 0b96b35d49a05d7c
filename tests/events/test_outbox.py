"""events.outbox: rows are written in the caller's transaction, the publish after commit
never raises or waits on a broker that is down, the relay backs off and never publishes a
row twice, and eager mode (no broker) runs the task after commit as before."""

import logging
from datetime import timedelta

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from config.celery_app import app
from events import outbox
from events.models import OutboxMessage
from tests.concurrency import race
from tests.events.broker import _free_port, _reset_connections, own_broker

RAN: list[tuple] = []


@shared_task(name="tests.events.record")
def record(value, *, label=""):
    RAN.append((value, label))
    return value


@shared_task(name="tests.events.explode")
def explode():
    raise RuntimeError("the task failed")


@pytest.fixture(autouse=True)
def _clear():
    RAN.clear()
    yield
    RAN.clear()


@pytest.fixture
def broker_down():
    """Celery points at a port nobody listens on: the broker is down."""
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"
    app.conf.task_always_eager = False
    _reset_connections()
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous
    _reset_connections()


# ---------- eager mode: no broker, no rows ----------


@pytest.mark.django_db(transaction=True)
def test_eager_mode_runs_the_task_after_commit_and_writes_no_row():
    with transaction.atomic():
        outbox.enqueue_on_commit(record, 1, label="committed")
        assert RAN == []
    assert RAN == [(1, "committed")]
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_eager_mode_runs_nothing_when_the_transaction_rolls_back():
    with pytest.raises(ValueError), transaction.atomic():
        outbox.enqueue_on_commit(record, 1)
        raise ValueError("rolled back")
    assert RAN == []


@pytest.mark.django_db(transaction=True)
def test_eager_mode_logs_a_failing_task_instead_of_raising_into_the_caller(caplog):
    with caplog.at_level(logging.ERROR), transaction.atomic():
        outbox.enqueue_on_commit(explode)
    assert "the task failed" in caplog.text


# ---------- with a broker that is down ----------


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_row_stays_pending_and_nothing_is_raised(broker_down):
    with transaction.atomic():
        outbox.enqueue_on_commit(record, 7, label="later")
        row = OutboxMessage.objects.get()
        assert (row.state, row.attempts) == (OutboxMessage.State.PENDING, 0)

    row.refresh_from_db()
    assert row.task_name == "tests.events.record"
    assert (row.args, row.kwargs) == ([7], {"label": "later"})
    assert row.state == OutboxMessage.State.PENDING
    assert row.attempts == 1
    assert "Connection refused" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert RAN == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_row(broker_down):
    with pytest.raises(ValueError), transaction.atomic():
        outbox.enqueue_on_commit(record, 1)
        raise ValueError("rolled back")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_relay_backs_off_and_stops_at_the_first_failure(broker_down):
    past = timezone.now() - timedelta(minutes=1)
    rows = [
        OutboxMessage.objects.create(
            task_name="tests.events.record", args=[n], next_attempt_at=past
        )
        for n in range(3)
    ]

    assert outbox.relay_due() == 0

    first, *others = (OutboxMessage.objects.get(pk=row.pk) for row in rows)
    assert first.attempts == 1
    assert first.next_attempt_at > timezone.now()
    # The broker is down: the other rows are not tried (and not charged an attempt).
    assert [row.attempts for row in others] == [0, 0]
    assert all(row.state == OutboxMessage.State.PENDING for row in (first, *others))


def test_retry_delay_doubles_up_to_a_minute():
    assert [outbox.retry_delay(n).total_seconds() for n in range(1, 8)] == [
        5,
        10,
        20,
        40,
        60,
        60,
        60,
    ]


# ---------- with a broker that is up ----------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_publish_each_row_exactly_once(tmp_path):
    past = timezone.now() - timedelta(minutes=1)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task_name="tests.events.record", args=[n], next_attempt_at=past)
        for n in range(30)
    )
    with own_broker(tmp_path) as broker:
        outcomes = race([lambda: str(outbox.relay_due(limit=30)) for _ in range(2)])

        assert broker.queued() == 30
    assert sum(int(sent) for sent in outcomes.elements()) == 30
    assert not OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).exists()
    assert OutboxMessage.objects.filter(attempts=1).count() == 30


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_up_the_row_is_published_after_commit_and_marked_sent(tmp_path):
    with own_broker(tmp_path) as broker:
        with transaction.atomic():
            outbox.enqueue_on_commit(record, 3)
            assert broker.queued() == 0
        row = OutboxMessage.objects.get()
        assert row.state == OutboxMessage.State.SENT
        assert row.sent_at is not None
        assert broker.queued() == 1
        # Nothing left for the relay.
        OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=1))
        assert outbox.relay_due() == 0
        assert broker.queued() == 1


# ---------- relay with no broker, purge ----------


@pytest.mark.django_db(transaction=True)
def test_a_relay_in_eager_mode_runs_pending_rows_here():
    OutboxMessage.objects.create(
        task_name="tests.events.record",
        args=[5],
        kwargs={"label": "relayed"},
        next_attempt_at=timezone.now(),
    )
    assert outbox.relay_due() == 1
    assert RAN == [(5, "relayed")]
    assert OutboxMessage.objects.get().state == OutboxMessage.State.SENT


@pytest.mark.django_db
def test_sent_rows_older_than_a_week_are_purged():
    now = timezone.now()
    old = OutboxMessage.objects.create(
        task_name="x", next_attempt_at=now, state="sent", sent_at=now - timedelta(days=8)
    )
    recent = OutboxMessage.objects.create(
        task_name="x", next_attempt_at=now, state="sent", sent_at=now - timedelta(days=1)
    )
    pending = OutboxMessage.objects.create(task_name="x", next_attempt_at=now - timedelta(days=30))

    assert outbox.purge_sent() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_relay_command_makes_one_pass_and_says_how_many_it_sent():
    from io import StringIO

    from django.core.management import call_command

    OutboxMessage.objects.create(
        task_name="tests.events.record", args=[9], next_attempt_at=timezone.now()
    )
    out = StringIO()
    call_command("relay_outbox", "--once", stdout=out)
    assert out.getvalue().strip() == "sent 1"
    assert RAN == [(9, "")]
