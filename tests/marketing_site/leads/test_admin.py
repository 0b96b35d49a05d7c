"""The funnel report and the leads screen in the Wagtail admin."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from marketing_site.leads.models import KlaviyoFailure
from tests.accounts.factories import UserFactory
from tests.marketing_site.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_marketers_see_the_funnel_with_an_svg_chart(editor_client):
    LeadFactory.create_batch(3, source="instagram", campaign="spring")
    LeadFactory(source="google.com")

    response = editor_client.get(reverse("leads_admin_funnel"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html
    assert "Leads: 4; Confirmed email: 0; Signed up: 0; First purchase: 0" in html
    assert "instagram" in html and "spring" in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


@pytest.mark.parametrize("period", ["30", "90", "365", "all", "bogus", ""])
def test_every_period_answers(editor_client, period):
    response = editor_client.get(reverse("leads_admin_funnel"), {"period": period})

    assert response.status_code == 200


def test_the_leads_screen_lists_and_searches_leads_and_shows_klaviyo_failures(staff_client):
    LeadFactory(email="ada@example.org")
    LeadFactory(email="bob@example.org")
    KlaviyoFailure.objects.create(
        operation="event_create", label="Signed Up", error="429 too many", attempts=6
    )

    html = staff_client.get(reverse("leads_admin_index"), {"q": "ada"}).content.decode()

    assert "ada@example.org" in html and "bob@example.org" not in html
    assert "429 too many" in html
    assert "Erase person" in html


def test_editors_do_not_get_the_erase_action(editor_client):
    html = editor_client.get(reverse("leads_admin_index")).content.decode()

    assert "Erase person" not in html


def test_people_without_the_permission_are_turned_away(client):
    client.force_login(UserFactory(roles=[Role.CLIENT]))

    for name in ("leads_admin_index", "leads_admin_funnel", "leads_admin_erase"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
        assert "<svg" not in response.content.decode()


def test_staff_unsubscribe_someone_who_asked_and_klaviyo_is_told(
    staff_client, local_klaviyo, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from marketing_site.leads.models import UnsubscribeReason

    lead = LeadFactory(email="ada@example.org", confirmed_at=timezone.now())
    url = reverse("leads_admin_unsubscribe", args=[lead.public_id])
    assert "Unsubscribe" in staff_client.get(reverse("leads_admin_index")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, follow=True)
    again = staff_client.post(url, follow=True)

    lead.refresh_from_db()
    assert lead.is_unsubscribed and lead.unsubscribe_reason == UnsubscribeReason.STAFF
    assert local_klaviyo.unsubscriptions == ["ada@example.org"]
    assert "is unsubscribed from marketing email" in response.content.decode()
    assert "was already unsubscribed" in again.content.decode()


def test_only_staff_who_may_erase_unsubscribe_and_only_by_post(editor_client):
    lead = LeadFactory()
    url = reverse("leads_admin_unsubscribe", args=[lead.public_id])

    assert editor_client.post(url).status_code in (302, 403)
    lead.refresh_from_db()
    assert not lead.is_unsubscribed
    assert "/unsubscribe/" not in editor_client.get(reverse("leads_admin_index")).content.decode()


def test_an_unknown_lead_or_a_get_is_refused(staff_client):
    import uuid

    missing = reverse("leads_admin_unsubscribe", args=[uuid.uuid4()])
    assert staff_client.post(missing).status_code == 404
    lead = LeadFactory()
    assert (
        staff_client.get(reverse("leads_admin_unsubscribe", args=[lead.public_id])).status_code
        == 405
    )
