"""The contact page (a Wagtail form page): its own rate limit, apart from sign-ups and
worded for messages; a length limit on the message with an error next to it; Post/Redirect/
Get with a one-time submission token, so a refresh or a second click sends nothing twice;
staff are emailed each message after commit (the page's address, CONTACT_FORM_NOTIFY_EMAIL,
or the Staff group)."""

import re

import pytest
from django.core import mail

from accounts.roles import Role
from marketing_site.leads.forms import submission_token_new
from marketing_site.leads.models import LeadFormSubmission
from tests.accounts.factories import UserFactory
from tests.marketing_site.leads.factories import contact_page

pytestmark = pytest.mark.django_db


def message(**extra) -> dict:
    return {
        "your_name": "Ada Lovelace",
        "email": "ada@example.org",
        "message": "Do you offer evening sessions?",
        "submission_token": submission_token_new(),
        **extra,
    }


@pytest.fixture
def page(settings):
    settings.CONTACT_FORM_NOTIFY_EMAIL = ""
    return contact_page()


# --- rate limit ------------------------------------------------------------------------


def test_a_fourth_message_is_not_refused_as_too_many_sign_ups(client, page, settings):
    settings.LEADS_RATE_LIMIT = "3/10m"

    statuses = [client.post(page.url, message()).status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 302]
    assert LeadFormSubmission.objects.count() == 4


def test_the_contact_limit_is_its_own_and_says_so(client, page, settings):
    settings.CONTACT_FORM_RATE_LIMIT = "2/h"
    settings.LEADS_RATE_LIMIT = "1/h"
    client.post(page.url, message())
    client.post(page.url, message())

    limited = client.post(page.url, message(message="A third question"))

    assert limited.status_code == 429
    html = limited.content.decode()
    assert "You&#x27;ve sent several messages; please wait" in html
    # "a minute" or "N minutes", by how much of the hour's window is left.
    assert re.search(r"please wait (a minute|\d+ minutes) and try again", html)
    assert "sign-ups" not in html
    assert "A third question" in html  # what they wrote stays in the form
    assert int(limited["Retry-After"]) > 0
    assert LeadFormSubmission.objects.count() == 2


# --- length ----------------------------------------------------------------------------


def test_a_sixty_thousand_character_message_is_refused_next_to_the_box(client, page):
    response = client.post(page.url, message(message="x" * 60_000))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Keep this to 5,000 characters or fewer (it has 60000)." in html
    assert not LeadFormSubmission.objects.exists()


def test_five_thousand_characters_are_accepted(client, page):
    assert client.post(page.url, message(message="x" * 5000)).status_code == 302
    assert LeadFormSubmission.objects.get().form_data["message"] == "x" * 5000


def test_the_message_box_announces_its_limit_without_cutting_pastes(client, page):
    html = client.get(page.url).content.decode()

    assert 'data-max-length="5000"' in html
    assert "Up to 5,000 characters." in html
    assert 'maxlength="5000"' not in html
    assert "leads/contact-form.js" in html


def test_one_line_answers_are_bounded_too(client, page):
    response = client.post(page.url, message(your_name="A" * 256))

    assert response.status_code == 400
    assert "Keep this to 255 characters or fewer" in response.content.decode()


# --- post/redirect/get and duplicates --------------------------------------------------


def test_sending_redirects_to_a_thank_you_that_a_refresh_does_not_resend(client, page):
    sent = client.post(page.url, message())

    assert sent.status_code == 302
    assert sent["Location"].startswith(f"{page.url}?sent=")
    thanks = client.get(sent["Location"])
    assert thanks.status_code == 200
    assert "Thank you" in thanks.content.decode()
    # A refresh is this GET again.
    assert "Thank you" in client.get(sent["Location"]).content.decode()
    assert LeadFormSubmission.objects.count() == 1


def test_the_same_form_sent_twice_is_one_message(client, page):
    data = message()

    first = client.post(page.url, data)
    second = client.post(page.url, data)

    assert first.status_code == second.status_code == 302
    assert second["Location"].startswith(f"{page.url}?sent=")
    assert LeadFormSubmission.objects.count() == 1


@pytest.mark.parametrize("token", ["", "made-up", "abc:def:ghi"])
def test_a_missing_or_forged_token_asks_to_reload(client, page, token):
    response = client.post(page.url, message(submission_token=token))

    assert response.status_code == 400
    assert "This form is out of date. Reload the page and try again." in (response.content.decode())
    assert not LeadFormSubmission.objects.exists()


def test_a_forged_thank_you_address_shows_the_form(client, page):
    response = client.get(f"{page.url}?sent=not-signed")

    assert response.status_code == 200
    assert "Send message" in response.content.decode()


def test_each_rendering_carries_its_own_token(client, page):
    first = client.get(page.url).context["form"]["submission_token"].value()
    second = client.get(page.url).context["form"]["submission_token"].value()

    assert first and second and first != second


# --- staff notification ----------------------------------------------------------------


def _sent_after_commit(client, page, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page.url, message(**extra)).status_code == 302
    return [email for email in mail.outbox if "Do you offer" in email.body]


def test_staff_are_emailed_at_the_configured_address(
    client, page, settings, django_capture_on_commit_callbacks
):
    settings.CONTACT_FORM_NOTIFY_EMAIL = "care-team@aeyia.example"

    emails = _sent_after_commit(client, page, django_capture_on_commit_callbacks)

    assert [email.to for email in emails] == [["care-team@aeyia.example"]]
    body = emails[0].body
    assert "Your name: Ada Lovelace" in body
    assert "Email: ada@example.org" in body
    assert "Message: Do you offer evening sessions?" in body


def test_the_pages_own_address_comes_first(
    client, page, settings, django_capture_on_commit_callbacks
):
    settings.CONTACT_FORM_NOTIFY_EMAIL = "care-team@aeyia.example"
    page.to_address = "hello@aeyia.example, ops@aeyia.example"
    page.subject = "Contact form"
    page.save_revision().publish()

    emails = _sent_after_commit(client, page, django_capture_on_commit_callbacks)

    # One email per address (each with its own delivery record), in the page's order.
    assert [email.to for email in emails] == [["hello@aeyia.example"], ["ops@aeyia.example"]]
    assert {email.subject for email in emails} == {"Contact form"}


def test_without_an_address_the_staff_group_is_told(
    client, page, django_capture_on_commit_callbacks
):
    UserFactory(email="sam@aeyia.example", roles=[Role.STAFF])
    UserFactory(email="gone@aeyia.example", roles=[Role.STAFF], is_active=False)
    UserFactory(email="client@example.org", roles=[Role.CLIENT])

    emails = _sent_after_commit(client, page, django_capture_on_commit_callbacks)

    assert [email.to for email in emails] == [["sam@aeyia.example"]]
