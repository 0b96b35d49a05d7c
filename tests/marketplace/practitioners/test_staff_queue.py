"""The staff queue by stage (applied, onboarding, submitted, verified, active, rejected,
suspended) with its filter and CSV export (formula-injection safe), and staff
invitations in the Wagtail admin; nobody but staff gets in."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from marketplace.practitioners.models import (
    PractitionerInvitation,
    PractitionerProfile,
    VerificationCase,
)
from marketplace.practitioners.staff_queue import csv_safe, practitioners_by_stage
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    ModalityFactory,
    PractitionerProfileFactory,
    VerificationCaseFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "/cms/practitioner-verification/"
EXPORT = f"{QUEUE}export.csv"
INVITATIONS = f"{QUEUE}invitations/"
Status = PractitionerProfile.Status


@pytest.fixture
def staff_client(client):
    user = UserFactory(roles=[Role.STAFF], email="staff@example.org")
    enrol_totp(user)
    client.force_login(user)
    return client


@pytest.fixture
def one_of_each():
    """A practitioner at every stage, by name."""
    draft = {"status": Status.DRAFT}
    people = {
        "applied": PractitionerProfileFactory(display_name="Ada Applied", **draft),
        "onboarding": PractitionerProfileFactory(display_name="Oli Onboarding", **draft),
        "onboarding_identity": PractitionerProfileFactory(
            display_name="Ida Identity", country="GB", **draft
        ),
        "submitted": PractitionerProfileFactory(
            display_name="Sam Submitted", status=Status.SUBMITTED
        ),
        "verified": PractitionerProfileFactory(display_name="Vic Verified", status=Status.VERIFIED),
        "active": PractitionerProfileFactory(display_name="Ari Active", status=Status.ACTIVE),
        "rejected": PractitionerProfileFactory(display_name="Rae Rejected", **draft),
        "suspended": PractitionerProfileFactory(
            display_name="Sue Suspended", status=Status.SUSPENDED
        ),
    }
    CredentialFactory(practitioner=people["onboarding"])
    VerificationCaseFactory(practitioner=people["submitted"])
    now = timezone.now()
    # Rejected once, long ago approved cases do not count: the latest decision does.
    VerificationCaseFactory(
        practitioner=people["rejected"],
        decision=VerificationCase.Decision.REJECTED,
        submitted_at=now,
    )
    # Sent back earlier but approved since: verified, not rejected.
    VerificationCaseFactory(
        practitioner=people["verified"],
        decision=VerificationCase.Decision.REJECTED,
        submitted_at=now - dt.timedelta(days=10),
    )
    VerificationCaseFactory(
        practitioner=people["verified"],
        decision=VerificationCase.Decision.APPROVED,
        submitted_at=now - dt.timedelta(days=2),
    )
    return people


def test_every_stage_is_derived(one_of_each):
    stages = {row.display_name: row.stage for row in practitioners_by_stage()}
    assert stages == {
        "Ada Applied": "applied",
        "Oli Onboarding": "onboarding",
        "Ida Identity": "onboarding",
        "Sam Submitted": "submitted",
        "Vic Verified": "verified",
        "Ari Active": "active",
        "Rae Rejected": "rejected",
        "Sue Suspended": "suspended",
    }
    assert [row.display_name for row in practitioners_by_stage(stage="onboarding")] == [
        "Ida Identity",
        "Oli Onboarding",
    ]
    # An unknown stage filters nothing out.
    assert practitioners_by_stage(stage="nonsense").count() == 8


def test_the_queue_page_filters_by_stage(staff_client, one_of_each):
    everyone = staff_client.get(QUEUE).content.decode()
    assert all(person.display_name in everyone for person in one_of_each.values())
    assert "Open case" in everyone  # the submitted practitioner's case

    rejected = staff_client.get(QUEUE, {"stage": "rejected"})
    assert rejected.status_code == 200
    page = rejected.content.decode()
    assert "Rae Rejected" in page
    assert "Ada Applied" not in page and "Vic Verified" not in page
    assert staff_client.get(QUEUE, {"stage": "<script>", "page": "x"}).status_code == 200


def test_the_csv_export_is_formula_safe(staff_client, one_of_each):
    modality = ModalityFactory(name="=cmd|' /C calc'!A0")
    dangerous = PractitionerProfileFactory(
        display_name='=HYPERLINK("http://evil.example","x")',
        status=Status.DRAFT,
        location="+44 20 7946 0000",
        offers_in_person=True,
        user__email="at@example.org",
    )
    dangerous.modalities.add(modality)

    response = staff_client.get(EXPORT, {"stage": "applied"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "name", "email", "stage"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Ada Applied", '\'=HYPERLINK("http://evil.example","x")'}
    row = by_name['\'=HYPERLINK("http://evil.example","x")']
    assert row[3] == "Applied"
    assert row[4] == "'=cmd|' /C calc'!A0"
    assert row[7] == "'+44 20 7946 0000"
    # No cell a spreadsheet would run.
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in rows for cell in line)

    everyone = staff_client.get(EXPORT)
    assert len(list(csv.reader(io.StringIO(b"".join(everyone.streaming_content).decode())))) == 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Plain", "Plain"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_staff_invite_a_practitioner_by_email(staff_client, django_capture_on_commit_callbacks):
    modality = ModalityFactory(name="Reiki", slug="reiki")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            INVITATIONS,
            {
                "email": "Riya@Example.org",
                "name": "Riya",
                "modalities": [modality.pk],
                "note": "Lovely to meet you.",
            },
        )
    assert response.status_code == 302
    invitation = PractitionerInvitation.objects.get()
    assert invitation.email == "riya@example.org"
    assert invitation.sent_by.email == "staff@example.org"
    assert list(invitation.modalities.all()) == [modality]
    assert [message.to for message in mail.outbox] == [["riya@example.org"]]
    listing = staff_client.get(INVITATIONS).content.decode()
    assert "riya@example.org" in listing and "Open" in listing

    bad = staff_client.post(INVITATIONS, {"email": "not an email"})
    assert bad.status_code == 400
    assert PractitionerInvitation.objects.count() == 1


@pytest.mark.parametrize("roles", [[Role.EDITOR], [Role.CLIENT], [Role.PRACTITIONER]])
def test_nobody_but_staff_reaches_the_queue_export_or_invitations(client, roles, one_of_each):
    person = UserFactory(roles=roles)
    enrol_totp(person)
    client.force_login(person)
    for response in (
        client.get(QUEUE),
        client.get(EXPORT),
        client.get(INVITATIONS),
        client.post(INVITATIONS, {"email": "x@example.org"}),
    ):
        # Wagtail sends a refused admin user back to its dashboard (editors) or to sign-in.
        assert response.status_code in (302, 403, 404)
        assert not response.get("Content-Type", "").startswith("text/csv")
    assert not PractitionerInvitation.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (QUEUE, EXPORT, INVITATIONS):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
