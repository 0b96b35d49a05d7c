"""Consent, session notes and sharing in Chromium: the client signs the treatment
agreement with their typed name; the practitioner writes, signs and shares a note; the
client reads it and shares it with another practitioner, who opens it from "Shared with
you". Each page passes axe at phone and desktop widths; the client's pages raise no CSP
violation (the practitioners' contexts let axe in)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from marketplace.clients.consent.models import ConsentKind, ConsentSignature
from marketplace.clients.notes.models import SessionNote
from marketplace.clients.sharing.models import SharingGrant
from tests.accounts.factories import UserFactory, enrol_totp, totp_code
from tests.browser.support import DESKTOP, PHONE, assert_accessible, sign_in
from tests.marketplace.clients.care_setup import publish_consent, record_with_session
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.browser


def sign_in_with_code(page, base_url: str, email: str, secret: str) -> None:
    sign_in(page, base_url, email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name='code']").fill(totp_code(secret))
    page.locator("input[name='code']").press("Enter")
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def check_axe(page, urls: list[str]) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for url in urls:
            page.goto(url)
            assert_accessible(page)


def practitioner(email: str, name: str):
    user = UserFactory(email=email, roles=["practitioner"])
    secret = enrol_totp(user)
    return PractitionerProfileFactory(user=user, display_name=name), secret


def test_consent_a_shared_note_and_a_grant_across_three_people(
    live_server, browser: Browser, page, csp_violations
):
    base = live_server.url
    nadia, nadia_secret = practitioner("nadia@example.org", "Nadia Haddad")
    omar, omar_secret = practitioner("omar@example.org", "Omar Reyes")
    client_user = UserFactory(
        email="jane@example.org", first_name="Jane", last_name="Doe", roles=["client"]
    )
    record, _ = record_with_session(client=client_user, practitioner=nadia)
    publish_consent(ConsentKind.TREATMENT)

    # The client signs the treatment agreement.
    sign_in(page, base, "jane@example.org")
    page.goto(f"{base}/account/care/consents/")
    page.get_by_role("link", name="Read and sign Treatment agreement").click()
    page.get_by_label("I have read this document and I agree to it.").check()
    page.get_by_label("Your full name").fill("jane doe")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(f"{base}/account/care/consents/")
    assert page.get_by_text("Signed as").first.is_visible()
    assert ConsentSignature.objects.get().typed_name == "jane doe"

    # The practitioner writes, signs and shares a note.
    practice = browser.new_context(viewport=DESKTOP, bypass_csp=True).new_page()
    sign_in_with_code(practice, base, "nadia@example.org", nadia_secret)
    notes_url = f"{base}/dashboard/practice/clients/{record.pk}/notes/"
    practice.goto(notes_url)
    practice.get_by_role("link", name="Write a note").click()
    practice.get_by_label("Free-form note").check()
    practice.locator("textarea[name='text']").fill("Breathing exercises helped.")
    practice.get_by_role("button", name="Save draft").click()
    practice.get_by_role("button", name="Sign note").click()
    practice.get_by_role("button", name="Share with client").click()
    assert practice.get_by_text("Your client can read this note").is_visible()
    note = SessionNote.objects.get()
    assert note.is_signed and note.is_shared
    note_url = f"{notes_url}{note.pk}/"

    # The client reads it, then shares it with Omar.
    page.goto(f"{base}/account/care/{record.pk}/notes/")
    page.get_by_role("link", name=note.session_label, exact=False).first.click()
    assert page.get_by_text("Breathing exercises helped.").is_visible()
    page.goto(f"{base}/account/care/sharing/new/{record.pk}/")
    page.get_by_label("Practitioner to share with").fill(omar.slug)
    page.get_by_label(note.session_label, exact=False).first.check()
    until = (timezone.now() + dt.timedelta(days=14)).date().isoformat()
    page.get_by_label("Share until").fill(until)
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(f"{base}/account/care/sharing/")
    assert SharingGrant.objects.get().grantee == omar

    # Omar opens it from "Shared with you".
    grantee = browser.new_context(viewport=PHONE, bypass_csp=True).new_page()
    sign_in_with_code(grantee, base, "omar@example.org", omar_secret)
    grantee.goto(f"{base}/dashboard/practice/shared-with-me/")
    grantee.get_by_role("link", name="Session note", exact=False).first.click()
    assert grantee.get_by_text("Breathing exercises helped.").is_visible()

    assert csp_violations == []
    axe_client = browser.new_context(viewport=DESKTOP, bypass_csp=True).new_page()
    sign_in(axe_client, base, "jane@example.org")
    check_axe(
        axe_client,
        [
            f"{base}/account/care/consents/",
            f"{base}/account/care/consents/treatment/",
            f"{base}/account/care/{record.pk}/notes/{note.pk}/",
            f"{base}/account/care/{record.pk}/consent/",
            f"{base}/account/care/sharing/",
            f"{base}/account/care/sharing/new/{record.pk}/",
        ],
    )
    check_axe(
        practice,
        [
            notes_url,
            f"{notes_url}new/",
            note_url,
            f"{base}/dashboard/practice/clients/{record.pk}/consent/",
        ],
    )
    check_axe(grantee, [f"{base}/dashboard/practice/shared-with-me/", note_url])
