"""No double booking under real concurrency: threads against a live server (each its own
signed-in browser) and against the services directly, on PostgreSQL (the exclusion
constraint) and SQLite (serialized write transactions)."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import close_old_connections
from django.test import Client
from django.test.testcases import LiveServerThread

from commerce.bookings.models import Booking
from commerce.bookings.services import booking_confirm_with_credits, booking_hold
from commerce.credits.models import CreditTransaction
from commerce.errors import Conflict
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import CREDIT_PRICE, bookable_service, slot
from tests.commerce.credits.factories import give_credits

CONTENDERS = 50
CSRF = "c" * 32


class _RoomyServer(ThreadedWSGIServer):
    # Django's development server listens with a backlog of 10; fifty clients connecting
    # in the same instant would see resets. Production servers use a far larger one.
    request_queue_size = 128


class _RoomyServerThread(LiveServerThread):
    server_class = _RoomyServer


@pytest.fixture
def roomy_live_server(settings):
    """A live server (the same threaded WSGI server as pytest-django's) that accepts
    fifty simultaneous connections."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    thread = _RoomyServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture(autouse=True)
def _bookings_go_before_the_ledger():
    """Bookings point at ledger rows; on SQLite the ledger is emptied before Django's
    flush (tests/conftest.py), so the bookings must go first."""
    yield
    Booking.objects.all().delete()


def _signed_in_cookie(user) -> str:
    browser = Client()
    browser.force_login(user)
    return f"sessionid={browser.cookies['sessionid'].value}; csrftoken={CSRF}"


@pytest.mark.django_db(transaction=True)
def test_fifty_clients_booking_one_slot_at_once_get_one_booking(roomy_live_server):
    service = bookable_service()
    starts_at = slot()
    cookies = []
    for _ in range(CONTENDERS):
        user = UserFactory()
        give_credits(user=user, amount=10)
        cookies.append(_signed_in_cookie(user))
    body = json.dumps(
        {"service": service.pk, "start": starts_at.isoformat(), "pay_with": "credits"}
    ).encode()
    barrier = threading.Barrier(CONTENDERS)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def book(cookie: str) -> None:
        request = urllib.request.Request(  # noqa: S310  (our own live server)
            f"{roomy_live_server}/api/v1/bookings/",
            data=body,
            headers={
                "Content-Type": "application/json",
                "Cookie": cookie,
                "X-CSRFToken": CSRF,
            },
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                answer = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            answer = (error.code, json.loads(error.read() or b"{}"))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=book, args=(cookie,)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(status for status, _ in answers)
    assert len(answers) == CONTENDERS
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == CONTENDERS - 1, statuses
    assert {body["code"] for status, body in answers if status == 409} == {"slot_taken"}
    [winner] = [body for status, body in answers if status == 201]
    assert winner["status"] == "confirmed"
    live = Booking.objects.filter(status__in=Booking.LIVE_STATUSES)
    assert list(live.values_list("pk", flat=True)) == [winner["id"]]
    spends = CreditTransaction.objects.filter(kind=CreditTransaction.Kind.SPEND)
    assert spends.count() == 1
    assert spends.get().source_id == str(winner["id"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_hour", [10, 11])  # the same time, and one inside the buffer
def test_two_overlapping_bookings_made_and_paid_at_once_leave_one(second_hour):
    service = bookable_service()
    clients = [UserFactory(), UserFactory()]
    for user in clients:
        give_credits(user=user, amount=10)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(user, hour: int) -> None:
        try:
            barrier.wait()
            booking = booking_hold(
                client=user, service=service, starts_at=slot(hour=hour), pay_with="credits"
            )
            booking_confirm_with_credits(booking=booking)
            outcomes.append("confirmed")
        except Conflict as error:
            outcomes.append(error.api_code)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=book, args=(clients[0], 10)),
        threading.Thread(target=book, args=(clients[1], second_hour)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["confirmed", "slot_taken"]
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 1
    assert CreditTransaction.objects.filter(kind=CreditTransaction.Kind.SPEND).count() == 1
    assert sum(user.credit_accounts.get().balance for user in clients) == 20 - CREDIT_PRICE
