"""Sending: the fan-out reaches each person once, on the channels their choices allow,
when the time comes, and survives being run twice at once or dying half-way."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commerce.memberships.models import MembershipPlan
from notifications.announcements import services
from notifications.announcements.models import Announcement
from notifications.announcements.services import (
    announcement_schedule,
    announcements_send_due,
)
from notifications.models import Delivery, Notification
from tests.concurrency import race
from tests.notifications.announcements.support import announcement, person, scheduled, wants_news


def notified(item: Announcement) -> dict[str, int]:
    rows = Notification.objects.filter(dedupe_key=f"announcement:{item.pk}")
    counts: dict[str, int] = {}
    for email in rows.values_list("recipient__email", flat=True):
        counts[email] = counts.get(email, 0) + 1
    return counts


@pytest.mark.django_db
class TestWhoHearsAndHow:
    def test_a_policy_change_reaches_everyone_in_the_app_and_by_email(self):
        for n in range(3):
            person(f"p{n}@example.org")
        item = scheduled()

        assert announcements_send_due() == 1

        item.refresh_from_db()
        assert item.state == Announcement.State.SENT and item.recipients_done == 3
        assert notified(item) == {f"p{n}@example.org": 1 for n in range(3)}
        first = Notification.objects.get(recipient__email="p0@example.org")
        assert first.type_key == "announcements.policy_change"
        assert first.title == "Policy update: New terms from 1 May"
        assert first.body == "Our new evening sessions start in May."
        assert set(first.deliveries.values_list("channel", flat=True)) == {"in_app", "email"}

    def test_news_goes_only_to_people_who_switched_it_on(self):
        keen = person("keen@example.org")
        wants_news(keen)
        person("quiet@example.org")
        item = scheduled(kind="marketing", channels=("email",))

        announcements_send_due()

        emailed = Delivery.objects.filter(
            notification__dedupe_key=f"announcement:{item.pk}", channel="email"
        ).values_list("notification__recipient__email", flat=True)
        assert list(emailed) == ["keen@example.org"]

    def test_inactive_accounts_hear_nothing(self):
        person("gone@example.org", active=False)
        person("here@example.org")
        item = scheduled()
        announcements_send_due()
        assert notified(item) == {"here@example.org": 1}


@pytest.mark.django_db
class TestScheduleAndOnce:
    def test_nothing_goes_before_its_time(self):
        person("p@example.org")
        draft = announcement()
        later = timezone.now() + timedelta(hours=1)
        announcement_schedule(announcement_id=draft.pk, send_at=later)

        assert announcements_send_due() == 0
        assert notified(draft) == {}
        assert announcements_send_due(now=later + timedelta(seconds=1)) == 1
        assert notified(draft) == {"p@example.org": 1}

    def test_a_draft_is_never_sent(self):
        person("p@example.org")
        draft = announcement()
        assert announcements_send_due(now=timezone.now() + timedelta(days=30)) == 0
        assert notified(draft) == {}

    def test_back_to_draft_stops_a_scheduled_one(self):
        person("p@example.org")
        item = scheduled()
        services.announcement_unschedule(announcement_id=item.pk)
        assert announcements_send_due() == 0

    def test_running_again_sends_nothing_more(self):
        for n in range(4):
            person(f"p{n}@example.org")
        item = scheduled()
        announcements_send_due(batch_size=3)
        announcements_send_due(batch_size=3)
        assert notified(item) == {f"p{n}@example.org": 1 for n in range(4)}

    def test_a_run_that_dies_half_way_is_resumed_after_its_lease(self, monkeypatch):
        for n in range(5):
            person(f"p{n}@example.org")
        item = scheduled(channels=("in_app",))
        real_notify = services.notify
        calls = {"n": 0}

        def dies_on_the_third(**kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("worker killed")
            return real_notify(**kwargs)

        monkeypatch.setattr(services, "notify", dies_on_the_third)
        with pytest.raises(RuntimeError):
            announcements_send_due(batch_size=2)
        item.refresh_from_db()
        # The first batch committed with its cursor; the second rolled back whole.
        assert (item.state, item.recipients_done) == (Announcement.State.SENDING, 2)
        assert len(notified(item)) == 2

        monkeypatch.setattr(services, "notify", real_notify)
        assert announcements_send_due(batch_size=2) == 0  # the claim has not lapsed yet
        later = timezone.now() + services.CLAIM_LEASE + timedelta(seconds=1)
        assert announcements_send_due(now=later, batch_size=2) == 1

        item.refresh_from_db()
        assert (item.state, item.recipients_done) == (Announcement.State.SENT, 5)
        assert notified(item) == {f"p{n}@example.org": 1 for n in range(5)}

    def test_an_audience_that_disappeared_sends_it_back_to_draft_with_the_reason(self):
        plan = MembershipPlan.objects.create(slug="gone", name="Gone", price=100)
        item = scheduled(segment_key="membership_plan", segment_params={"plan": plan.pk})
        plan.delete()

        assert announcements_send_due() == 0
        item.refresh_from_db()
        assert item.state == Announcement.State.DRAFT
        assert "no longer exists" in item.last_error


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_notify_each_person_exactly_once():
    for n in range(12):
        person(f"p{n}@example.org")
    first = scheduled(channels=("in_app",), title="One")
    second = scheduled(channels=("in_app",), title="Two")

    outcomes = race([lambda: announcements_send_due(batch_size=3)] * 2)

    assert outcomes == {"ok": 2}
    for item in (first, second):
        item.refresh_from_db()
        assert (item.state, item.recipients_done) == (Announcement.State.SENT, 12)
        assert notified(item) == {f"p{n}@example.org": 1 for n in range(12)}


@pytest.mark.django_db
class TestRefusals:
    def test_news_cannot_go_in_the_app(self):
        with pytest.raises(ValidationError) as caught:
            announcement(kind="marketing", channels=("in_app", "email"))
        assert "channels" in caught.value.message_dict

    def test_a_link_must_be_a_page_of_this_site(self):
        with pytest.raises(ValidationError) as caught:
            announcement(link="https://elsewhere.example/")
        assert "link" in caught.value.message_dict

    def test_a_time_in_the_past_is_refused(self):
        draft = announcement()
        with pytest.raises(ValidationError):
            announcement_schedule(
                announcement_id=draft.pk, send_at=timezone.now() - timedelta(hours=1)
            )

    def test_a_sent_announcement_cannot_be_changed(self):
        person("p@example.org")
        item = scheduled()
        announcements_send_due()
        with pytest.raises(ValidationError):
            services.announcement_save(
                announcement_id=item.pk,
                title="Changed",
                body="x",
                kind="policy_change",
                channels=["email"],
                segment_key="everyone",
                segment_params={},
            )
