"""Setup shared by the consent, notes and sharing tests: published consent documents,
a care record with a confirmed session between its client and practitioner (the
practitioner enrolled in MFA, as /dashboard/ requires), and signed-in clients."""

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from commerce.bookings.models import Booking
from marketplace.clients.consent.models import ConsentDocument, ConsentKind, ConsentVersion
from marketplace.clients.records.models import CareRecord
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

TEXTS = {
    ConsentKind.TREATMENT: ("Treatment agreement", "You agree to the treatment terms."),
    ConsentKind.TELEHEALTH: ("Telehealth consent", "Online sessions use secure video."),
    ConsentKind.SHARING: ("Sharing consent", "You choose what another practitioner sees."),
}


def publish_consent(kind: str, *, body: str | None = None, user=None) -> ConsentVersion:
    """Publishes the document of `kind` through Wagtail's revision API (creating it the
    first time, changing its body if given) and returns its newest version."""
    title, default_body = TEXTS[ConsentKind(kind)]
    document = ConsentDocument.objects.filter(kind=kind).first()
    if document is None:
        document = ConsentDocument(kind=kind, title=title, body=body or default_body)
        document.save()
    elif body is not None:
        document.body = body
    document.save_revision(user=user).publish(user=user)
    return document.versions.order_by("-number").first()


def practitioner_with_mfa(**fields):
    user = UserFactory(roles=[Role.PRACTITIONER])
    enrol_totp(user)
    return PractitionerProfileFactory(user=user, **fields)


def confirmed_session(*, client, practitioner, days_ago: int = 1, service=None) -> Booking:
    service = service or ServiceFactory(practitioner=practitioner)
    starts_at = (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0)
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    return Booking.objects.create(
        client=client,
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_start=starts_at,
        blocked_end=ends_at,
        status=Booking.Status.CONFIRMED,
        pay_with=Booking.PayWith.CREDITS,
        price_credits=1,
        confirmed_at=starts_at,
    )


def record_with_session(*, client=None, practitioner=None) -> tuple[CareRecord, Booking]:
    client = client or UserFactory(roles=[Role.CLIENT], first_name="Jane", last_name="Doe")
    practitioner = practitioner or practitioner_with_mfa()
    booking = confirmed_session(client=client, practitioner=practitioner)
    record, _ = CareRecord.objects.get_or_create(client=client, practitioner=practitioner)
    return record, booking


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def raw_rows(table: str) -> str:
    """Every value of every row of `table`, as the database holds it, in one string."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return " ".join(str(value) for row in cursor.fetchall() for value in row)
