"""Sharing grants: a client grants another practitioner read access to chosen items they
can see, until an end date; the grantee sees exactly those (records.access role
"grantee"), nothing after expiry or revocation; grant, use and revocation audited."""

import datetime as dt

import pytest
import time_machine
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from marketplace.clients.consent.errors import ConsentRequired
from marketplace.clients.consent.models import ConsentKind
from marketplace.clients.consent.services import consent_sign
from marketplace.clients.notes.services import note_create, note_share, note_sign, note_unshare
from marketplace.clients.records.access import record_access
from marketplace.clients.sharing.errors import SharingInvalid
from marketplace.clients.sharing.models import SharingGrant
from marketplace.clients.sharing.services import sharing_grant_create, sharing_grant_revoke
from privacy.models import AuditEntry
from tests.marketplace.clients.care_setup import (
    api_as,
    practitioner_with_mfa,
    publish_consent,
    raw_rows,
    record_with_session,
)

pytestmark = pytest.mark.django_db

NOTE = "clinical_notes.sessionnote"


def signed_note(record, booking, text, *, shared):
    author = record.practitioner.user
    note = note_create(
        record=record,
        author=author,
        booking_id=booking.pk,
        note_format="free",
        content={"text": text},
    )
    note = note_sign(note=note, author=author)
    return note_share(note=note, author=author) if shared else note


@pytest.fixture
def world():
    record, booking = record_with_session()
    shared = signed_note(record, booking, "Shared with the client", shared=True)
    other_shared = signed_note(record, booking, "Also shared", shared=True)
    private = signed_note(record, booking, "Private to the author", shared=False)
    grantee = practitioner_with_mfa()
    return {
        "record": record,
        "shared": shared,
        "other_shared": other_shared,
        "private": private,
        "grantee": grantee,
    }


def grant(world, *, items=None, days=30, purpose=""):
    return sharing_grant_create(
        record=world["record"],
        client=world["record"].client,
        grantee=world["grantee"],
        items=items or [(NOTE, world["shared"].pk)],
        expires_at=timezone.now() + dt.timedelta(days=days),
        purpose=purpose,
    )


def notes_url(world, note=None):
    base = f"/api/v1/care-records/{world['record'].pk}/notes/"
    return f"{base}{note.pk}/" if note else base


def test_the_grantee_sees_exactly_the_granted_items(world):
    grant(world)
    access = record_access(user=world["grantee"].user, record_id=world["record"].pk)
    assert access.role == "grantee"
    assert access.scope.ids_for(NOTE) == {world["shared"].pk}

    api = api_as(world["grantee"].user)
    listing = api.get(notes_url(world))
    assert [row["id"] for row in listing.json()["results"]] == [world["shared"].pk]
    assert api.get(notes_url(world, world["shared"])).status_code == 200
    assert api.get(notes_url(world, world["other_shared"])).status_code == 404
    assert api.get(notes_url(world, world["private"])).status_code == 404
    # Read only.
    assert api.post(f"{notes_url(world, world['shared'])}unshare/").status_code == 404

    use = AuditEntry.objects.filter(
        actor_id=world["grantee"].user.pk, object_type="session_note", action="read"
    ).get()
    assert use.details["via"] == "sharing_grant" and use.details["role"] == "grantee"


def test_a_practitioner_without_a_grant_gets_404(world):
    grant(world)
    stranger = practitioner_with_mfa()
    with pytest.raises(Http404):
        record_access(user=stranger.user, record_id=world["record"].pk)
    assert api_as(stranger.user).get(notes_url(world, world["shared"])).status_code == 404


def test_only_items_the_client_can_see_can_be_granted(world):
    with pytest.raises(SharingInvalid) as refused:
        grant(world, items=[(NOTE, world["private"].pk)])
    assert refused.value.api_code == "invalid_items"
    other_record, other_booking = record_with_session()
    foreign = signed_note(other_record, other_booking, "Elsewhere", shared=True)
    with pytest.raises(SharingInvalid):
        grant(world, items=[(NOTE, foreign.pk)])
    assert not SharingGrant.objects.exists()


def test_the_end_date_is_required_and_at_most_a_year(world):
    with pytest.raises(SharingInvalid) as too_long:
        grant(world, days=400)
    assert too_long.value.api_code == "invalid_expiry"
    with pytest.raises(SharingInvalid):
        grant(world, days=-1)
    with pytest.raises(SharingInvalid) as own:
        sharing_grant_create(
            record=world["record"],
            client=world["record"].client,
            grantee=world["record"].practitioner,
            items=[(NOTE, world["shared"].pk)],
            expires_at=timezone.now() + dt.timedelta(days=3),
        )
    assert own.value.api_code == "invalid_grantee"


def test_access_ends_when_the_grant_expires(world):
    grant(world, days=2)
    api = api_as(world["grantee"].user)
    assert api.get(notes_url(world, world["shared"])).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        assert api.get(notes_url(world, world["shared"])).status_code == 404
        with pytest.raises(Http404):
            record_access(user=world["grantee"].user, record_id=world["record"].pk)


def test_revocation_is_immediate_and_audited(world):
    made = grant(world)
    api = api_as(world["grantee"].user)
    assert api.get(notes_url(world, world["shared"])).status_code == 200

    sharing_grant_revoke(grant=made, client=world["record"].client)
    assert api.get(notes_url(world, world["shared"])).status_code == 404
    # Revoking again changes nothing.
    sharing_grant_revoke(grant=made, client=world["record"].client)

    rows = AuditEntry.objects.filter(object_type="sharing_grant", object_id=str(made.pk))
    assert sorted(rows.values_list("action", flat=True)) == ["revoke", "share"]
    share = rows.get(action="share")
    assert share.actor_id == world["record"].client_id
    assert share.details["items"] == [f"{NOTE}:{world['shared'].pk}"]


def test_unsharing_a_note_from_the_client_hides_it_from_the_grantee(world):
    grant(world)
    note_unshare(note=world["shared"], author=world["record"].practitioner.user)
    api = api_as(world["grantee"].user)
    assert api.get(notes_url(world, world["shared"])).status_code == 404


def test_a_published_sharing_consent_must_be_signed_first(world):
    version = publish_consent(ConsentKind.SHARING)
    with pytest.raises(ConsentRequired):
        grant(world)
    client = world["record"].client
    consent_sign(
        client=client,
        version=version,
        typed_name=f"{client.first_name} {client.last_name}",
        ip_address=None,
        user_agent="",
    )
    assert grant(world).pk


def test_the_purpose_is_encrypted(world):
    grant(world, purpose="Referral canary-purpose-Lk3")
    assert "Lk3" not in raw_rows("record_sharing_sharinggrant")
    assert SharingGrant.objects.get().purpose == "Referral canary-purpose-Lk3"


# ---------- API ----------


def test_the_grants_api(world):
    client_api = api_as(world["record"].client)
    created = client_api.post(
        "/api/v1/sharing-grants/",
        {
            "record": world["record"].pk,
            "grantee": world["grantee"].slug,
            "items": [{"type": NOTE, "id": world["shared"].pk}],
            "expires_at": (timezone.now() + dt.timedelta(days=10)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "active" and body["grantee"] == world["grantee"].slug
    assert [item["id"] for item in body["items"]] == [world["shared"].pk]

    received = api_as(world["grantee"].user).get("/api/v1/shared-with-me/")
    assert [row["id"] for row in received.json()["results"]] == [body["id"]]

    bad = client_api.post(
        "/api/v1/sharing-grants/",
        {
            "record": world["record"].pk,
            "grantee": world["grantee"].slug,
            "items": [{"type": NOTE, "id": world["private"].pk}],
            "expires_at": (timezone.now() + dt.timedelta(days=10)).isoformat(),
        },
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_items"

    # Another person's record or grant: 404.
    intruder = api_as(world["grantee"].user)
    assert intruder.post(f"/api/v1/sharing-grants/{body['id']}/revoke/").status_code == 404
    revoked = client_api.post(f"/api/v1/sharing-grants/{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert api_as(world["grantee"].user).get("/api/v1/shared-with-me/").json()["results"] == []


# ---------- pages ----------


def test_the_client_shares_and_stops_sharing_on_the_pages(client, world):
    client.force_login(world["record"].client)
    new_url = reverse("care-sharing-new", args=[world["record"].pk])
    form = client.get(new_url)
    assert form.status_code == 200
    assert b"Private to the author" not in form.content
    until = (timezone.now() + dt.timedelta(days=20)).date().isoformat()
    done = client.post(
        new_url,
        {
            "grantee": world["grantee"].slug,
            "items": [f"{NOTE}:{world['shared'].pk}"],
            "expires_on": until,
        },
    )
    assert done.status_code == 302
    made = SharingGrant.objects.get()
    assert made.expires_at.date().isoformat() > until  # to the end of the chosen day
    page = client.get(reverse("care-sharing"))
    assert world["grantee"].display_name.encode() in page.content

    refused = client.post(
        new_url,
        {"grantee": "nobody-here", "items": [f"{NOTE}:{world['shared'].pk}"], "expires_on": until},
    )
    assert refused.status_code == 400

    client.force_login(world["grantee"].user)
    inbox = client.get(reverse("care-shared-with-me"))
    note_url = reverse("care-note-practitioner", args=[world["record"].pk, world["shared"].pk])
    assert inbox.status_code == 200 and note_url.encode() in inbox.content
    note_page = client.get(note_url)
    assert note_page.status_code == 200 and b"Shared with the client" in note_page.content
    assert b"Add and sign addendum" not in note_page.content

    client.force_login(world["record"].client)
    client.post(reverse("care-sharing-revoke", args=[made.pk]))
    client.force_login(world["grantee"].user)
    assert client.get(note_url).status_code == 404
