"""Applying to practise (/practise/apply/) and staff invitations: a signed-out visitor
applies through sign-up, an existing client becomes a practitioner with the same login,
applying twice makes one profile, bad input creates nothing, and invitation links work
once and until they expire."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import user_roles
from marketplace.practitioners.models import (
    PractitionerApplication,
    PractitionerInvitation,
    PractitionerProfile,
)
from marketplace.practitioners.ratelimit import APPLICATION_LIMIT
from marketplace.practitioners.services.applications import (
    InvitationUnusable,
    invitation_by_token,
    practitioner_applications_erase,
    practitioner_apply,
    practitioner_invitation_create,
)
from privacy.registry import ErasureSubject
from tests.accounts.factories import UserFactory
from tests.accounts.flows import last_mail_to
from tests.marketplace.practitioners.factories import ModalityFactory

pytestmark = pytest.mark.django_db

APPLY = "/practise/apply/"
CONFIRM_LINK = re.compile(r"https?://\S+?(/accounts/confirm-email/[^/\s]+/)")
INVITATION_LINK = re.compile(r"https?://\S+?(/practise/invitation/[0-9a-f]+/)")


@pytest.fixture
def modalities():
    return [
        ModalityFactory(name="Psychotherapy", slug="psychotherapy"),
        ModalityFactory(name="Reiki", slug="reiki"),
    ]


def form_data(modalities, /, **overrides) -> dict:
    data = {
        "display_name": "Noor Newman",
        "modalities": [modalities[0].pk],
        "offers_online": "on",
        "location": "",
        "statement": "Calm, practical therapy for anxiety and burnout.",
        "accepts_terms": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def service_args(modalities, /, **overrides) -> dict:
    args = {
        "display_name": "Noor Newman",
        "modalities": [modalities[0]],
        "offers_online": True,
        "offers_in_person": False,
        "location": "",
        "statement": "Calm, practical therapy.",
        "accepts_terms": True,
    }
    args.update(overrides)
    return args


def test_an_existing_client_applies_and_keeps_both_roles_and_the_same_login(client, modalities):
    person = UserFactory(email="cleo@example.org", first_name="Cleo", last_name="Ng")
    from accounts.services import role_grant

    role_grant(user=person, role=Role.CLIENT)
    assert client.login(email="cleo@example.org", password="correct horse battery staple")

    form = client.get(APPLY)
    assert form.status_code == 200
    assert 'value="Cleo Ng"' in form.content.decode()

    response = client.post(
        APPLY,
        form_data(modalities, display_name="Cleo Ng", offers_in_person="on", location="Bristol"),
    )

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/practice/onboarding/"
    profile = PractitionerProfile.objects.get(user=person)
    assert profile.status == PractitionerProfile.Status.DRAFT
    assert profile.display_name == "Cleo Ng"
    assert list(profile.modalities.all()) == [modalities[0]]
    assert (profile.offers_online, profile.offers_in_person, profile.location) == (
        True,
        True,
        "Bristol",
    )
    assert profile.bio == "Calm, practical therapy for anxiety and burnout."
    assert profile.application.statement == profile.bio
    assert profile.application.terms_accepted_at is not None
    person.refresh_from_db()
    assert user_roles(user=person) == {Role.CLIENT, Role.PRACTITIONER}
    # One identity: the same password still signs in, now as both.
    client.logout()
    assert client.login(email="cleo@example.org", password="correct horse battery staple")
    # The MFA policy stands between the new practitioner and the wizard.
    wizard = client.get("/dashboard/practice/onboarding/")
    assert wizard.status_code == 302
    assert wizard["Location"].startswith("/accounts/2fa/totp/activate/")


def test_a_visitor_applies_signing_up_on_the_way(client, modalities):
    typed = form_data(modalities, statement="Sports massage for runners.")
    response = client.post(APPLY, typed)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/?next=%2Fpractise%2Fapply%2F"
    assert not PractitionerProfile.objects.exists()

    client.post(
        "/accounts/signup/?next=%2Fpractise%2Fapply%2F",
        {
            "email": "visitor@example.org",
            "password1": "a calm river at dawn 42",
            "password2": "a calm river at dawn 42",
        },
    )
    link = CONFIRM_LINK.search(last_mail_to("visitor@example.org").body).group(1)
    confirmed = client.post(link)
    # Confirmed while signed out: the sign-in page carries the application as next.
    assert confirmed["Location"] == "/accounts/login/?next=%2Fpractise%2Fapply%2F"
    signed_in = client.post(
        confirmed["Location"],
        {"login": "visitor@example.org", "password": "a calm river at dawn 42"},
    )
    assert signed_in["Location"] == APPLY

    # What the visitor typed before signing up is there to check and send.
    page = client.get(APPLY).content.decode()
    assert "Sports massage for runners." in page
    assert "Send my application" in page
    response = client.post(APPLY, typed)
    assert response["Location"] == "/dashboard/practice/onboarding/"
    profile = PractitionerProfile.objects.get(user__email="visitor@example.org")
    assert profile.bio == "Sports massage for runners."
    assert user_roles(user=profile.user) == {Role.CLIENT, Role.PRACTITIONER}


def test_applying_twice_makes_one_profile(client, modalities):
    user = UserFactory()
    client.force_login(user)
    first = client.post(APPLY, form_data(modalities))
    second = client.post(APPLY, form_data(modalities, statement="Something else"))

    assert first["Location"] == "/dashboard/practice/onboarding/"
    assert second["Location"] == "/dashboard/"
    assert PractitionerProfile.objects.filter(user=user).count() == 1
    assert PractitionerApplication.objects.get().statement.startswith("Calm")
    result = practitioner_apply(user=user, **service_args(modalities, statement="Again"))
    assert result.is_new is False
    assert PractitionerApplication.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_make_one_profile(modalities):
    user = UserFactory()
    barrier = threading.Barrier(2)
    results: list = []

    def apply_once():
        try:
            barrier.wait(timeout=10)
            results.append(practitioner_apply(user=user, **service_args(modalities)).is_new)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False, True]
    assert PractitionerProfile.objects.filter(user=user).count() == 1
    assert PractitionerApplication.objects.count() == 1


def test_a_practitioner_opening_the_application_goes_to_their_dashboard(client, modalities):
    user = UserFactory()
    practitioner_apply(user=user, **service_args(modalities))
    client.force_login(user)
    response = client.get(APPLY)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"modalities": None}, "modalities", "Choose at least one modality."),
        ({"offers_online": None}, "offers_online", "Choose online, in person or both."),
        (
            {"offers_in_person": "on", "location": "  "},
            "location",
            "Give the location of your in-person sessions.",
        ),
        ({"statement": "x" * 1001}, "statement", "at most 1000 characters"),
        ({"statement": "   "}, "statement", "Tell us briefly about your practice."),
        ({"accepts_terms": None}, "accepts_terms", "Accept the practitioner terms to apply."),
        ({"modalities": ["999999"]}, "modalities", "Select a valid choice"),
        ({"display_name": ""}, "display_name", "This field is required."),
    ],
)
def test_bad_input_shows_errors_and_creates_nothing(client, modalities, overrides, field, message):
    user = UserFactory()
    client.force_login(user)
    response = client.post(APPLY, form_data(modalities, **overrides))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not PractitionerProfile.objects.exists()
    assert user_roles(user=user) == frozenset()


def test_the_service_refuses_bad_input_without_writing(modalities):
    user = UserFactory()
    with pytest.raises(Exception) as raised:
        practitioner_apply(
            user=user, **service_args(modalities, modalities=[], accepts_terms=False)
        )
    assert set(raised.value.message_dict) == {"modalities", "accepts_terms"}
    assert not PractitionerProfile.objects.exists()


def test_applications_are_rate_limited(client, modalities):
    for _ in range(APPLICATION_LIMIT):
        assert client.post(APPLY, form_data(modalities, accepts_terms=None)).status_code == 400
    response = client.post(APPLY, form_data(modalities))
    assert response.status_code == 429
    assert "please wait" in response.content.decode()


# Invitations ---------------------------------------------------------------------------


def test_an_invitation_is_emailed_and_prefills_the_application(
    client, modalities, django_capture_on_commit_callbacks
):
    staff = UserFactory(roles=[Role.STAFF])
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = practitioner_invitation_create(
            email="Ina@Example.org",
            name="Ina Invited",
            modalities=[modalities[1]],
            note="We met at the Bristol fair.",
            sent_by=staff,
        )
    assert invitation.email == "ina@example.org"
    assert token not in str(PractitionerInvitation.objects.values_list().get())
    (message,) = mail.outbox
    assert message.to == ["ina@example.org"]
    assert "We met at the Bristol fair." in message.body
    path = INVITATION_LINK.search(message.body).group(1)
    assert path == f"/practise/invitation/{token}/"

    landing = client.get(path)
    assert landing.status_code == 200
    assert landing["Referrer-Policy"] == "no-referrer"
    assert "Ina Invited" in landing.content.decode()
    assert "Reiki" in landing.content.decode()

    user = UserFactory(email="ina@example.org", first_name="", last_name="")
    client.force_login(user)
    form = client.get(APPLY)
    assert form.context["form"].initial["display_name"] == "Ina Invited"
    assert form.context["form"].initial["modalities"] == [modalities[1]]
    response = client.post(
        APPLY, form_data(modalities, display_name="Ina Invited", modalities=[modalities[1].pk])
    )
    assert response["Location"] == "/dashboard/practice/onboarding/"
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert PractitionerApplication.objects.get().invitation == invitation

    # Used: the link now says so, and cannot be used again.
    used = Client().get(path)
    assert used.status_code == 410
    assert "This invitation has been used" in used.content.decode()


def test_an_expired_invitation_says_so_and_cannot_be_accepted(client, modalities):
    staff = UserFactory(roles=[Role.STAFF])
    _, token = practitioner_invitation_create(
        email="late@example.org",
        name="",
        modalities=[],
        note="",
        sent_by=staff,
        now=timezone.now() - dt.timedelta(days=15),
    )
    response = client.get(f"/practise/invitation/{token}/")
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    with pytest.raises(InvitationUnusable) as raised:
        practitioner_apply(user=UserFactory(), **service_args(modalities), invitation_token=token)
    assert raised.value.reason == "expired"
    assert not PractitionerProfile.objects.exists()


def test_an_invitation_that_expires_after_landing_is_dropped_with_a_message(client, modalities):
    staff = UserFactory(roles=[Role.STAFF])
    invitation, token = practitioner_invitation_create(
        email="a@example.org", name="", modalities=[], note="", sent_by=staff
    )
    client.force_login(UserFactory())
    client.get(f"/practise/invitation/{token}/")
    PractitionerInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    # Opening the form drops it quietly; sending still works without it.
    assert client.get(APPLY).context["invitation"] is None
    assert client.post(APPLY, form_data(modalities)).status_code == 302
    assert PractitionerApplication.objects.get().invitation is None


def test_an_unknown_invitation_is_a_clear_404(client):
    response = client.get("/practise/invitation/" + "ab" * 32 + "/")
    assert response.status_code == 404
    assert "We could not find this invitation" in response.content.decode()
    with pytest.raises(InvitationUnusable):
        invitation_by_token(token="")


def test_erasure_removes_invitations_and_the_statement(modalities):
    staff = UserFactory(roles=[Role.STAFF])
    practitioner_invitation_create(
        email="gone@example.org", name="Gone", modalities=[], note="", sent_by=staff
    )
    user = UserFactory(email="gone@example.org")
    practitioner_apply(user=user, **service_args(modalities))
    changed = practitioner_applications_erase(ErasureSubject(email="gone@example.org", user=user))
    assert changed == 2
    assert not PractitionerInvitation.objects.exists()
    assert PractitionerApplication.objects.get().statement == ""
