"""Staff publish consent documents in the Wagtail admin (Snippets → Consent documents):
publishing freezes a version; saving a draft does not. Signatures have no admin screen."""

import pytest
from django.contrib import admin
from django.urls import reverse

from marketplace.clients.consent.models import ConsentDocument, ConsentSignature, ConsentVersion
from tests.accounts.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(user)
    client.force_login(user)
    return user


def form(body: str, **extra):
    return {"kind": "telehealth", "title": "Telehealth consent", "body": body, **extra}


def test_saving_a_draft_then_publishing_creates_one_version(client, staff):
    add_url = reverse("wagtailsnippets_consent_consentdocument:add")
    draft = client.post(add_url, form("Sessions happen over secure video."))
    assert draft.status_code == 302, draft.content[:2000]
    document = ConsentDocument.objects.get()
    assert not document.live and ConsentVersion.objects.count() == 0

    edit_url = reverse("wagtailsnippets_consent_consentdocument:edit", args=[document.pk])
    published = client.post(
        edit_url, form("Sessions happen over secure video.", **{"action-publish": "1"})
    )
    assert published.status_code == 302
    version = ConsentVersion.objects.get()
    assert (version.number, version.kind, version.published_by) == (1, "telehealth", staff)

    client.post(edit_url, form("Changed: recordings are never made.", **{"action-publish": "1"}))
    assert list(ConsentVersion.objects.values_list("number", flat=True)) == [2, 1]


def test_signatures_are_not_in_any_admin():
    assert ConsentSignature not in admin.site._registry
    from wagtail.snippets.models import get_snippet_models

    assert ConsentSignature not in get_snippet_models()
    assert ConsentDocument in get_snippet_models()
