"""Client documents in Chromium: the practitioner uploads a document and shares it, the
client finds it and downloads it (the decrypted bytes), a refused file shows its reason
next to the field; both document pages pass axe at phone and desktop widths, with no CSP
violation."""

import pytest
from playwright.sync_api import Browser

from filestore import private_storage_reset
from marketplace.clients.documents.models import ClientDocument
from tests.accounts.factories import UserFactory, enrol_totp, totp_code
from tests.browser.support import DESKTOP, PHONE, assert_accessible, sign_in
from tests.marketplace.clients.documents import samples
from tests.marketplace.clients.factories import CareRecordFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.browser


def sign_in_with_code(page, base_url: str, email: str, secret: str) -> None:
    sign_in(page, base_url, email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name='code']").fill(totp_code(secret))
    page.locator("input[name='code']").press("Enter")
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def check_axe(axe_page, url: str) -> None:
    for viewport in (PHONE, DESKTOP):
        axe_page.set_viewport_size(viewport)
        axe_page.goto(url)
        assert_accessible(axe_page)


def test_a_shared_document_reaches_the_client_and_both_pages_pass_axe(
    live_server, settings, tmp_path, browser: Browser, page, csp_violations, axe_page
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    private_storage_reset()
    record = CareRecordFactory(
        client=UserFactory(email="ada@example.org", first_name="Ada", roles=["client"]),
        practitioner=PractitionerProfileFactory(
            display_name="Nadia Haddad",
            user=UserFactory(email="nadia@example.org", roles=["practitioner"]),
        ),
    )
    secret = enrol_totp(record.practitioner.user)
    practice_url = f"{live_server.url}/dashboard/practice/clients/{record.pk}/documents/"
    client_url = f"{live_server.url}/account/care/{record.pk}/documents/"
    source = tmp_path / "care-plan.pdf"
    source.write_bytes(samples.pdf_of_size(20_000, marker=b"plan "))
    svg = tmp_path / "diagram.svg"
    svg.write_bytes(samples.SVG)

    # The practitioner: a refused SVG, then the PDF, shared with the client.
    sign_in_with_code(page, live_server.url, "nadia@example.org", secret)
    page.goto(practice_url)
    page.get_by_label("File", exact=True).set_input_files(str(svg))
    page.get_by_role("button", name="Upload").click()
    assert page.get_by_text("SVG, HTML and XML files are not accepted").first.is_visible()
    page.get_by_label("File", exact=True).set_input_files(str(source))
    page.get_by_label("Title").fill("Care plan")
    page.get_by_label("Me and my client").check()
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(practice_url)
    assert page.get_by_role("link", name="Care plan").is_visible()
    assert ClientDocument.objects.get().visibility == "shared_with_client"
    # axe runs in a CSP-bypassing profile with the same session (a second sign-in would
    # reuse the authenticator code, which allauth refuses).
    axe_page.context.add_cookies(page.context.cookies())
    check_axe(axe_page, practice_url)

    # The client: finds it and downloads the original bytes.
    client_context = browser.new_context(viewport=PHONE)
    client_page = client_context.new_page()
    sign_in(client_page, live_server.url, "ada@example.org")
    client_page.goto(client_url)
    with client_page.expect_download() as download_info:
        client_page.get_by_role("link", name="Care plan").click()
    download = download_info.value
    assert download.suggested_filename == "care-plan.pdf"
    assert open(download.path(), "rb").read() == source.read_bytes()
    client_context.close()

    axe_client = browser.new_context(viewport=DESKTOP, bypass_csp=True).new_page()
    sign_in(axe_client, live_server.url, "ada@example.org")
    check_axe(axe_client, client_url)
    assert csp_violations == []
