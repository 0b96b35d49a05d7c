"""The staff screens: only staff with the permissions see them, the form explains its
refusals, the preview shows the rendered email, the in-app item and the reach, and
Schedule / Send now / Back to draft do what they say."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from commerce.memberships.models import Membership, MembershipPlan
from notifications.announcements.models import Announcement
from tests.accounts.factories import UserFactory, enrol_totp
from tests.notifications.announcements.support import announcement, person, wants_news

pytestmark = pytest.mark.django_db

INDEX = "/cms/announcements/"
NEW = "/cms/announcements/new/"


def signed_in(client, roles):
    user = UserFactory(roles=roles)
    enrol_totp(user)
    client.force_login(user)
    return user


@pytest.fixture
def staff(client):
    signed_in(client, [Role.STAFF])
    return client


def form_data(**overrides):
    data = {
        "title": "Evening sessions",
        "body": "Now **open**.\n\nSee [the list](/practitioners/).",
        "kind": "policy_change",
        "channels": ["in_app", "email"],
        "link": "",
        "segment_key": "everyone",
    }
    data.update(overrides)
    return data


class TestWhoMaySee:
    def test_staff_see_the_list_and_the_menu_item(self, staff):
        announcement(title="Hello all")
        assert "Hello all" in staff.get(INDEX).content.decode()
        assert INDEX in staff.get("/cms/").content.decode()

    @pytest.mark.parametrize("roles", [[Role.EDITOR], [Role.CLIENT]])
    def test_editors_and_others_may_not(self, client, roles):
        item = announcement()
        signed_in(client, roles)
        for url in (INDEX, NEW, f"{INDEX}{item.pk}/", f"{INDEX}{item.pk}/edit/"):
            assert client.get(url).status_code in (302, 403), url
        assert client.post(f"{INDEX}{item.pk}/schedule/", {"action": "send_now"}).status_code in (
            302,
            403,
        )
        item.refresh_from_db()
        assert item.state == Announcement.State.DRAFT

    def test_editors_do_not_see_the_menu_item(self, client):
        signed_in(client, [Role.EDITOR])
        assert INDEX not in client.get("/cms/").content.decode()

    def test_an_unknown_announcement_is_404(self, staff):
        assert staff.get(f"{INDEX}999999/").status_code == 404


class TestWriting:
    def test_saving_a_draft_leads_to_its_preview(self, staff):
        response = staff.post(NEW, form_data())
        item = Announcement.objects.get()
        assert response.status_code == 302 and response.url == f"{INDEX}{item.pk}/"
        assert (item.state, item.kind, item.channels) == (
            "draft",
            "policy_change",
            ["in_app", "email"],
        )

    def test_refusals_are_form_errors_with_400(self, staff):
        response = staff.post(
            NEW,
            form_data(title="", kind="marketing", channels=["in_app"], link="https://x.example/"),
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "This field is required." in html
        assert "can only go by: Email" in html
        assert "Give a page of this site" in html
        assert not Announcement.objects.exists()

    def test_an_audience_with_choices_needs_them(self, staff):
        response = staff.post(NEW, form_data(segment_key="membership_plan"))
        assert response.status_code == 400
        assert "Complete the audience" in response.content.decode()

        plan = MembershipPlan.objects.create(slug="gold", name="Gold", price=100)
        response = staff.post(
            NEW,
            form_data(segment_key="membership_plan", **{"segment-membership_plan-plan": plan.pk}),
        )
        assert response.status_code == 302
        assert Announcement.objects.get().segment_params == {"plan": plan.pk}


class TestPreview:
    def test_the_preview_shows_the_email_the_in_app_item_and_the_count(self, staff):
        for n in range(3):
            person(f"p{n}@example.org")
        item = announcement(title="New terms")
        html = staff.get(f"{INDEX}{item.pk}/").content.decode()
        # Three people plus the signed-in staff member: everyone with an account.
        assert "<strong>4</strong> of 4 people" in html
        assert "Policy update: New terms" in html  # subject and in-app title
        assert "srcdoc=" in html and "&lt;strong&gt;evening sessions&lt;/strong&gt;" in html

    def test_for_news_the_count_says_how_many_opted_in(self, staff):
        plan = MembershipPlan.objects.create(slug="gold", name="Gold", price=100)
        members = [person(f"m{n}@example.org") for n in range(3)]
        for member in members:
            Membership.objects.create(user=member, plan=plan)
        wants_news(members[0])
        item = announcement(
            kind="marketing",
            channels=["email"],
            segment_key="membership_plan",
            segment_params={"plan": plan.pk},
        )
        html = staff.get(f"{INDEX}{item.pk}/").content.decode()
        assert "<strong>1</strong> of 3 people" in html
        assert "have not switched on news and offers" in html


class TestSending:
    def test_schedule_then_back_to_draft(self, staff):
        item = announcement()
        when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = staff.post(
            f"{INDEX}{item.pk}/schedule/", {"action": "schedule", "send_at": when}
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.state == "scheduled" and item.send_at > timezone.now()

        staff.post(f"{INDEX}{item.pk}/unschedule/")
        item.refresh_from_db()
        assert item.state == "draft"

    def test_a_bad_or_past_time_is_a_400(self, staff):
        item = announcement()
        assert (
            staff.post(
                f"{INDEX}{item.pk}/schedule/", {"action": "schedule", "send_at": "soon"}
            ).status_code
            == 400
        )
        past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = staff.post(
            f"{INDEX}{item.pk}/schedule/", {"action": "schedule", "send_at": past}
        )
        assert response.status_code == 400
        assert "Choose a time in the future" in response.content.decode()
        item.refresh_from_db()
        assert item.state == "draft"

    def test_send_now_sends_after_commit(self, staff, django_capture_on_commit_callbacks):
        person("p@example.org")
        item = announcement()
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(f"{INDEX}{item.pk}/schedule/", {"action": "send_now"})
        item.refresh_from_db()
        assert item.state == "sent" and item.recipients_done == 2

    def test_a_sent_announcement_cannot_be_edited(self, staff):
        person("p@example.org")
        item = announcement()
        item.state, item.send_at = Announcement.State.SENT, timezone.now()
        item.save()
        response = staff.get(f"{INDEX}{item.pk}/edit/")
        assert response.status_code == 302 and response.url == f"{INDEX}{item.pk}/"
