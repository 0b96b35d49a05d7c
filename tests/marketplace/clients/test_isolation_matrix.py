"""The isolation matrix of the client-records feature: two practitioners × two clients ×
staff × anonymous, across every page, API endpoint and file URL, built from the URL
resolver so that a section added later is covered without editing this file.

The record under test (R) joins client C1 and practitioner P1; C2 and P2 have their own
record; staff hold no break-glass grant. The policy (docs/decisions/0029):

- an authenticated person who is not a party to R gets 404 on every page, endpoint and
  file of R (405 only where the URL takes no such method at all, and then the other
  method is a 404), and nothing of R (names) shows on their own lists;
- anonymous visitors are sent to sign in on HTML pages (302 to the login page, which
  says nothing about R) and get 401 from the API;
- the party a URL is for (P1 on /dashboard/practice/clients/<R>/…, C1 on
  /account/care/<R>/…, either on /api/v1/care-records/<R>/…) can read it, and each such
  read that answers 200 appends an audit row; the denied requests append none.

A URL of the feature (name starting `care-` or `api-care-`, or a path under one of the
feature's prefixes) whose keyword arguments the matrix cannot build fails the test: add a
builder to BUILDERS for the new kind of object."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from marketplace.clients.documents.services import document_upload
from marketplace.clients.intake import services as intake_services
from marketplace.clients.messaging.services import thread_start
from marketplace.clients.notes.services import note_create, note_share, note_sign
from marketplace.clients.records.access import record_access
from marketplace.clients.sharing.models import SharingGrant
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.intake.support import (
    good_answers,
    intake_setup,
    practitioner_with_mfa,
)

pytestmark = pytest.mark.django_db

NAME_PREFIXES = ("care-", "api-care-")
PATH_PREFIXES = ("account/care/", "dashboard/practice/clients/", "api/v1/care-records/")
PRACTITIONER_SIDE = "dashboard/practice/clients/<int:record_id>/"
CLIENT_SIDE = "account/care/<int:record_id>/"
API_RECORD = "api/v1/care-records/<int:record_id>/"
# Names that identify R's parties: none may appear in an outsider's answer.
CLIENT_MARKER = ("Zelda", "Quintessa")
PRACTITIONER_MARKER = "Xyloph Marigold"
LOGIN_PATH = "/accounts/login/"


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # the pattern as written, e.g. account/care/<int:record_id>/notes/
    keys: tuple[str, ...]


def _routes(patterns, prefix: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            path = prefix + str(pattern.pattern)
            name = pattern.name or ""
            if name.startswith(NAME_PREFIXES) or path.startswith(PATH_PREFIXES):
                yield Route(name, path, tuple(pattern.pattern.converters))


def feature_routes() -> list[Route]:
    routes = {route.name or route.path: route for route in _routes(get_resolver().url_patterns)}
    return sorted(routes.values(), key=lambda route: route.path)


@dataclass
class World:
    record: object
    client1: object
    practitioner1: object
    client2: object
    practitioner2: object
    staff: object
    booking: object
    note: object
    document: object
    thread: object
    grant: object


def _world() -> World:
    setup = intake_setup()
    record = setup.record
    client1 = record.client
    client1.first_name, client1.last_name = CLIENT_MARKER
    client1.save(update_fields=["first_name", "last_name"])
    practitioner1 = record.practitioner
    practitioner1.display_name = PRACTITIONER_MARKER
    practitioner1.save(update_fields=["display_name"])
    other = intake_setup()
    staff = UserFactory(roles=[Role.STAFF])
    enrol_totp(staff)
    note = note_create(
        record=record,
        author=practitioner1.user,
        booking_id=setup.booking.pk,
        note_format="free",
        content={"text": "Slept better this week."},
    )
    # Signed and shared, so the client's note pages have something to show.
    note_sign(note=note, author=practitioner1.user)
    note = note_share(note=note, author=practitioner1.user)
    intake_services.intake_response_submit(
        record=record,
        user=client1,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form),
    )
    document = document_upload(
        record=record,
        uploaded_by=client1,
        file=SimpleUploadedFile("letter.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
        title="Referral letter",
    )
    access = record_access(user=client1, record_id=record.pk)
    thread = thread_start(access=access, user=client1, subject="Hello", body="A question").thread
    third = practitioner_with_mfa(display_name="Third Practitioner")
    grant = SharingGrant.objects.create(
        record=record,
        grantee=third,
        created_by=client1,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    return World(
        record=record,
        client1=client1,
        practitioner1=practitioner1.user,
        client2=other.client,
        practitioner2=other.practitioner.user,
        staff=staff,
        booking=setup.booking,
        note=note,
        document=document,
        thread=thread,
        grant=grant,
    )


BUILDERS: dict[str, Callable[[World], object]] = {
    "record_id": lambda w: w.record.pk,
    "booking_id": lambda w: w.booking.pk,
    "note_id": lambda w: w.note.pk,
    "document_id": lambda w: w.document.pk,
    "thread_id": lambda w: w.thread.pk,
    "grant_id": lambda w: w.grant.pk,
    "kind": lambda w: "treatment",
}


def _owners(route: Route, world: World) -> set:
    """Who the URL of R is for; empty for a URL that is about the caller only."""
    if route.path.startswith(PRACTITIONER_SIDE):
        return {world.practitioner1}
    if route.path.startswith(CLIENT_SIDE):
        return {world.client1}
    if route.path.startswith(API_RECORD):
        return {world.client1, world.practitioner1}
    if "grant_id" in route.keys:
        return {world.client1}
    return set()


def _is_api(route: Route) -> bool:
    return route.path.startswith("api/")


def _caller(user, *, api: bool):
    if api:
        caller = APIClient()
        if user is not None:
            caller.force_authenticate(user)
        return caller
    caller = Client()
    if user is not None:
        caller.force_login(user)
    return caller


def _leaks(body: str) -> bool:
    return PRACTITIONER_MARKER in body or " ".join(CLIENT_MARKER) in body


def test_every_care_url_is_404_to_outsiders_and_audited_only_for_its_parties():
    world = _world()
    routes = feature_routes()
    assert any(route.name == "care-practitioner-record" for route in routes)
    assert len(routes) >= 6
    outsiders = {
        "client2": world.client2,
        "practitioner2": world.practitioner2,
        "staff": world.staff,
    }
    problems: list[str] = []
    unbuildable = [route.path for route in routes if set(route.keys) - set(BUILDERS)]
    assert not unbuildable, f"Add a builder to BUILDERS for these URLs' arguments: {unbuildable}"
    outsider_ids = [user.pk for user in outsiders.values()]

    for route in routes:
        kwargs = {key: BUILDERS[key](world) for key in route.keys}
        url = reverse(route.name, kwargs=kwargs) if route.name else "/" + route.path
        api = _is_api(route)
        owners = _owners(route, world)
        # The record's parties on the other side of the record are outsiders here too.
        strangers = dict(outsiders)
        if owners:
            for label, user in (("client1", world.client1), ("practitioner1", world.practitioner1)):
                if user not in owners:
                    strangers[label] = user

        # Anonymous: login redirect for pages, 401 for the API.
        for method in ("get", "post"):
            response = getattr(_caller(None, api=api), method)(url)
            if api:
                ok = response.status_code == 401
            else:
                ok = response.status_code == 405 or (
                    response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)
                )
            if not ok:
                problems.append(f"anonymous {method.upper()} {url}: {response.status_code}")

        for label, user in strangers.items():
            caller = _caller(user, api=api)
            statuses = {}
            for method in ("get", "post"):
                response = getattr(caller, method)(url)
                statuses[method] = response.status_code
                body = response.content.decode(errors="replace") if not response.streaming else ""
                if _leaks(body):
                    problems.append(f"{label} {method.upper()} {url}: shows R's names")
            if owners:
                # A URL of R: 404, or 405 for a method it never takes (the other is 404).
                if not (set(statuses.values()) <= {404, 405} and 404 in statuses.values()):
                    problems.append(f"{label} {url}: {statuses} (expected 404)")
            elif statuses["get"] >= 500 or statuses["post"] >= 500:
                problems.append(f"{label} {url}: {statuses}")

        for user in owners:
            before = AuditEntry.objects.filter(actor_id=user.pk).count()
            response = _caller(user, api=api).get(url)
            if response.status_code not in (200, 302, 405):
                problems.append(f"owner {user.email} GET {url}: {response.status_code}")
            if response.status_code == 200:
                if response.streaming:
                    b"".join(response.streaming_content)
                if AuditEntry.objects.filter(actor_id=user.pk).count() == before:
                    problems.append(f"owner GET {url}: 200 but no audit row")

    denied = AuditEntry.objects.filter(actor_id__in=outsider_ids)
    problems += [
        f"audit row for a denied request: {entry.action} {entry.object_type} by {entry.actor_id}"
        for entry in denied
        if entry.details.get("record_id") == world.record.pk
        or entry.subject_user_id == world.client1.pk
    ]
    assert not problems, "\n".join(problems)
