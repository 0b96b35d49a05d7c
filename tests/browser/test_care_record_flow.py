"""The care record end to end in Chromium: a client signs the treatment agreement and
books (the booking itself goes through the booking services; the booking pages have their
own browser tests), which opens the care record; the client fills the intake from the
record; the practitioner finds the client in their list, reads the intake, writes, signs
and shares a note and shares a document; the client reads the note, finds the document
and sees who accessed the record. Every page passes axe at 390 and 1280 px."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page

from accounts.roles import Role
from accounts.services import role_grant
from commerce.bookings.services import booking_confirm_with_credits, booking_hold
from filestore import private_storage_reset
from marketplace.clients.consent.models import ConsentKind
from marketplace.clients.intake import services as intake_services
from marketplace.clients.notes.models import SessionNote
from marketplace.clients.records.models import CareRecord
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.browser.support import DESKTOP, PHONE, assert_accessible
from tests.commerce.bookings.booking_setup import CREDIT_PRICE, bookable_service, slot
from tests.commerce.credits.factories import give_credits
from tests.marketplace.clients.care_setup import publish_consent
from tests.marketplace.clients.documents import samples
from tests.marketplace.clients.intake.support import every_kind_form

pytestmark = pytest.mark.browser


def log_in(page: Page, base_url: str, user) -> None:
    """Signs `user` in through a session cookie (the sign-in pages have their own tests;
    a second TOTP sign-in would reuse a code allauth refuses)."""
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def check_axe(page: Page, urls: list[str]) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for url in urls:
            page.goto(url)
            assert_accessible(page)


def test_a_booking_opens_the_record_both_sides_use_it_and_the_client_sees_who_read_it(
    live_server, settings, tmp_path, browser: Browser, page, axe_page, csp_violations
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    private_storage_reset()
    base = live_server.url
    service = bookable_service(is_online=False, name="Sleep consultation")
    practitioner = service.practitioner
    practitioner.display_name = "Nadia Haddad"
    practitioner.save(update_fields=["display_name"])
    practitioner_user = practitioner.user
    role_grant(user=practitioner_user, role=Role.PRACTITIONER)
    enrol_totp(practitioner_user)
    form = every_kind_form(practitioner)
    intake_services.service_intake_set(practitioner=practitioner, service=service, form=form)
    client_user = UserFactory(
        email="jane@example.org", first_name="Jane", last_name="Doe", roles=["client"]
    )
    give_credits(user=client_user, amount=CREDIT_PRICE)
    publish_consent(ConsentKind.TREATMENT)

    # The client signs the treatment agreement a booking asks for, then books.
    log_in(page, base, client_user)
    page.goto(f"{base}/account/care/consents/")
    page.get_by_role("link", name="Read and sign Treatment agreement").click()
    page.get_by_label("I have read this document and I agree to it.").check()
    page.get_by_label("Your full name").fill("Jane Doe")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(f"{base}/account/care/consents/")
    booking = booking_confirm_with_credits(
        booking=booking_hold(
            client=client_user, service=service, starts_at=slot(days=3), pay_with="credits"
        )
    )
    record = CareRecord.objects.get(client=client_user, practitioner=practitioner)
    assert record.opened_by_booking_id == booking.pk

    # The client finds the record under My care and fills the intake from it.
    page.goto(f"{base}/account/")
    page.get_by_role("link", name="My care").click()
    page.get_by_role("link", name="Nadia Haddad").click()
    page.wait_for_url(f"{base}/account/care/{record.pk}/")
    assert page.get_by_text("Sleep consultation").first.is_visible()
    page.get_by_role("navigation", name="Sections of this care record").get_by_role(
        "link", name="Intake"
    ).click()
    page.get_by_role("link", name="Complete your intake").click()
    intake_url = page.url
    page.get_by_label("Your GP").fill("Dr Rowe")
    page.get_by_label("What brings you here?").fill("Waking at four every night")
    page.get_by_role("group", name="Sleep").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Taking medication?").get_by_label("No").check()
    page.get_by_role("button", name="Submit intake").click()
    assert page.get_by_text("your intake is saved").is_visible()

    # The practitioner: client list → record → intake answers → a signed, shared note →
    # a document shared with the client.
    practice = browser.new_context(viewport=DESKTOP).new_page()
    log_in(practice, base, practitioner_user)
    practice.goto(f"{base}/dashboard/practice/clients/")
    practice.get_by_role("link", name="Jane Doe").click()
    record_url = f"{base}/dashboard/practice/clients/{record.pk}/"
    practice.wait_for_url(record_url)
    tabs = practice.get_by_role("navigation", name="Sections of this care record")
    tabs.get_by_role("link", name="Intake").click()
    practice.get_by_role("link", name="Read answers").click()
    intake_answers_url = practice.url
    assert practice.get_by_text("Waking at four every night").is_visible()
    notes_url = f"{record_url}notes/"
    practice.goto(notes_url)
    practice.get_by_role("link", name="Write a note").click()
    practice.get_by_label("Free-form note").check()
    practice.get_by_role("textbox", name="Note", exact=False).first.fill(
        "Agreed a wind-down routine."
    )
    practice.get_by_role("button", name="Save draft").click()
    practice.get_by_role("button", name="Sign note").click()
    practice.get_by_role("button", name="Share with client").click()
    note = SessionNote.objects.get()
    assert note.is_signed and note.is_shared
    documents_url = f"{record_url}documents/"
    plan = tmp_path / "sleep-plan.pdf"
    plan.write_bytes(samples.pdf_of_size(8_000, marker=b"plan "))
    practice.goto(documents_url)
    practice.get_by_label("File", exact=True).set_input_files(str(plan))
    practice.get_by_label("Title").fill("Sleep plan")
    practice.get_by_label("Me and my client").check()
    practice.get_by_role("button", name="Upload").click()
    practice.wait_for_url(documents_url)
    assert practice.get_by_role("link", name="Sleep plan").is_visible()

    # The client reads the note, finds the document and sees who accessed the record.
    client_record_url = f"{base}/account/care/{record.pk}/"
    page.goto(f"{client_record_url}notes/")
    page.get_by_role("link", name=note.session_label, exact=False).first.click()
    client_note_url = page.url
    assert page.get_by_text("Agreed a wind-down routine.").is_visible()
    page.goto(f"{client_record_url}documents/")
    assert page.get_by_role("link", name="Sleep plan").is_visible()
    page.goto(f"{base}/account/")
    page.get_by_role("link", name="My care").click()
    page.get_by_role("link", name="See who accessed your records").click()
    page.wait_for_url(f"{base}/account/care/access/")
    history = page.get_by_role("table")
    assert history.get_by_text("Nadia Haddad, practitioner").first.is_visible()
    assert AuditEntry.objects.filter(actor_id=practitioner_user.pk, action="read").exists()
    assert csp_violations == []

    # axe at phone and desktop widths on every page of the journey.
    log_in(axe_page, base, client_user)
    check_axe(
        axe_page,
        [
            f"{base}/account/care/",
            client_record_url,
            f"{client_record_url}intake/",
            intake_url,
            f"{client_record_url}notes/",
            client_note_url,
            f"{client_record_url}documents/",
            f"{base}/account/care/access/",
        ],
    )
    log_in(axe_page, base, practitioner_user)
    check_axe(
        axe_page,
        [
            f"{base}/dashboard/practice/clients/",
            record_url,
            f"{record_url}intake/",
            intake_answers_url,
            notes_url,
            f"{notes_url}{note.pk}/",
            documents_url,
        ],
    )
