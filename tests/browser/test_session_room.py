"""The session room between two real browsers: Chromium with fake camera and microphone
(`--use-fake-device-for-media-stream --use-fake-ui-for-media-stream`), the client and the
practitioner in two browser profiles on `asgi_live_server` (uvicorn serving config.asgi,
so the signalling WebSocket is the real consumer on the Redis channel layer).

Media flows peer to peer: each side's RTCPeerConnection (exposed by room.js as
`window.aeyiaRoom.pc`) must report inbound video frames decoded. Then: the client shares
their screen and the practitioner receives a second video track; a chat line and a file
arrive; the client's network is cut and restored and the call recovers; audio-only keeps
the voices going. Pre-join, waiting room and room pass axe at 390 and 1280 px, and the
pages run under the site's Content Security Policy without a violation."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.roles import Role
from accounts.services import role_grant
from commerce.bookings.models import Booking
from commerce.rooms.models import Recording, Room, RoomEvent
from filestore import private_storage_reset
from marketplace.clients.documents.models import ClientDocument
from tests.accounts.factories import UserFactory, enrol_totp
from tests.browser.support import (
    AXE_SCRIPT,
    DESKTOP,
    PHONE,
    WCAG_TAGS,
    format_violations,
)
from tests.marketplace.clients.documents import samples
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

pytestmark = pytest.mark.browser


# Frames decoded per inbound video stream of the page's current peer connection.
FRAMES_DECODED = """async () => {
    const pc = window.aeyiaRoom && window.aeyiaRoom.pc;
    if (!pc) return [];
    const stats = await pc.getStats();
    const frames = [];
    stats.forEach((report) => {
        if (report.type === "inbound-rtp" && report.kind === "video") {
            frames.push(report.framesDecoded || 0);
        }
    });
    return frames;
}"""

AUDIO_PACKETS = """async () => {
    const pc = window.aeyiaRoom && window.aeyiaRoom.pc;
    if (!pc) return 0;
    const stats = await pc.getStats();
    let packets = 0;
    stats.forEach((report) => {
        if (report.type === "inbound-rtp" && report.kind === "audio") {
            packets += report.packetsReceived || 0;
        }
    });
    return packets;
}"""


@pytest.fixture
def asgi_application():
    """config.asgi with static files served from the apps' folders (the test run has no
    collectstatic; pytest-django's live_server does the same for WSGI)."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    return ASGIStaticFilesHandler(application)


def room_booking() -> Booking:
    practitioner = PractitionerProfileFactory(
        time_zone="Europe/London", display_name="Nadia Haddad"
    )
    role_grant(user=practitioner.user, role=Role.PRACTITIONER)
    enrol_totp(practitioner.user)
    service = ServiceFactory(
        practitioner=practitioner, name="Talking therapy", duration_minutes=50, is_online=True
    )
    client = UserFactory(first_name="Jane", last_name="Doe", roles=["client"])
    starts_at = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    ends_at = starts_at + dt.timedelta(minutes=50)
    return Booking.objects.create(
        client=client,
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_start=starts_at,
        blocked_end=ends_at,
        status=Booking.Status.CONFIRMED,
        pay_with=Booking.PayWith.CARD,
        price_amount=service.price,
        price_currency=service.currency,
        confirmed_at=starts_at - dt.timedelta(days=1),
    )


def signed_in_context(media_browser: Browser, base_url: str, user) -> BrowserContext:
    context = media_browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )
    return context


def watch_csp(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def axe_clean_at_both_widths(page: Page, state: str) -> None:
    """axe on the page as it stands (no reload: the state lives in the page). axe goes in
    through DevTools' evaluate, which the page's CSP does not govern, so the profile keeps
    enforcing the policy."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text())
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        violations = page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return results.violations.map((violation) => ({
                    id: violation.id, impact: violation.impact, help: violation.help,
                    nodes: violation.nodes.map((node) => ({
                        target: node.target.join(' '), summary: node.failureSummary,
                    })),
                }));
            }""",
            WCAG_TAGS,
        )
        assert not violations, (
            f"axe, {state} at {viewport['width']} px:\n{format_violations(violations)}"
        )
        # Nothing wider than the viewport: the room fits a phone.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"], (
            f"{state} scrolls sideways at {viewport['width']} px"
        )
    page.set_viewport_size(DESKTOP)


def wait_for_frames(page: Page, *, streams: int = 1, above: list[int] | None = None) -> list[int]:
    """Polls getStats until `streams` inbound video streams have decoded frames (more than
    `above`, stream by stream, when given) and returns the counts. Polled from here:
    wait_for_function does not await an async predicate."""
    baseline = above or []
    frames: list[int] = []
    for _ in range(60):
        frames = page.evaluate(FRAMES_DECODED)
        live = [count for index, count in enumerate(frames) if count > (baseline[index:] or [0])[0]]
        if len(live) >= streams:
            return frames
        page.wait_for_timeout(500)
    raise AssertionError(
        f"{page.url}: inbound video frames {frames}, wanted {streams} above {baseline}"
    )


def wait_for_audio_packets(page: Page, *, above: int) -> int:
    packets = 0
    for _ in range(40):
        packets = page.evaluate(AUDIO_PACKETS)
        if packets > above:
            return packets
        page.wait_for_timeout(500)
    raise AssertionError(f"audio packets stayed at {packets}")


def test_client_and_practitioner_meet_share_a_screen_chat_send_a_file_and_recover(
    asgi_live_server, media_browser: Browser, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    private_storage_reset()
    booking = room_booking()
    base = asgi_live_server.url
    room_path = f"{base}/account/bookings/{booking.pk}/room/"

    practitioner_context = signed_in_context(media_browser, base, booking.practitioner.user)
    client_context = signed_in_context(media_browser, base, booking.client)
    practitioner = practitioner_context.new_page()
    client = client_context.new_page()
    practitioner_csp = watch_csp(practitioner)
    client_csp = watch_csp(client)
    try:
        # Pre-join: devices listed, preview running, then accessible at both widths.
        practitioner.goto(room_path)
        practitioner.wait_for_function(
            "() => document.getElementById('room-preview').srcObject !== null"
        )
        assert practitioner.get_by_label("Camera").locator("option").count() >= 1
        assert practitioner.get_by_label("Microphone", exact=True).locator("option").count() >= 1
        axe_clean_at_both_widths(practitioner, "pre-join")
        practitioner.get_by_role("button", name="Join the session").click()
        practitioner.wait_for_function(
            "() => document.getElementById('room').dataset.phase === 'call'"
        )

        # The client waits until let in.
        client.goto(room_path)
        client.wait_for_function("() => document.getElementById('room-preview').srcObject !== null")
        client.get_by_role("button", name="Join the session").click()
        client.get_by_text("Waiting for Nadia Haddad to let you in.").first.wait_for()
        # One phase at a time: what is behind or ahead of the person is not on screen.
        expect(client.locator("#room-prejoin")).to_be_hidden()
        expect(client.locator("#room-call")).to_be_hidden()
        expect(client.locator("#room-left")).to_be_hidden()
        expect(client.locator("#room-ended-live")).to_be_hidden()
        axe_clean_at_both_widths(client, "waiting room")

        practitioner.get_by_text("Jane Doe is waiting", exact=True).wait_for()
        practitioner.get_by_role("button", name="Admit Jane Doe").click()
        client.wait_for_function("() => document.getElementById('room').dataset.phase === 'call'")
        for phase in ("#room-prejoin", "#room-waiting", "#room-left", "#room-ended-live"):
            expect(client.locator(phase)).to_be_hidden()
        expect(client.locator("#room-call")).to_be_visible()

        # Media flows both ways, peer to peer.
        wait_for_frames(client)
        wait_for_frames(practitioner)
        axe_clean_at_both_widths(client, "room")
        axe_clean_at_both_widths(practitioner, "room")

        # Screen share: a second video track reaches the practitioner.
        client.get_by_role("button", name="Share screen").click()
        practitioner.wait_for_function("() => window.aeyiaRoom.screenTracks >= 1")
        practitioner.locator("#room-remote-screen-figure").wait_for(state="visible")
        frames = wait_for_frames(practitioner, streams=2)
        assert len(frames) >= 2, practitioner.evaluate("() => window.aeyiaRoom.connections")
        client.get_by_role("button", name="Stop sharing").click()

        # Chat, both ways.
        client.get_by_role("textbox", name="Message").fill("Hello from Jane")
        client.get_by_role("button", name="Send", exact=True).click()
        practitioner.locator("#room-chat-log").get_by_text("Hello from Jane").wait_for()
        practitioner.get_by_role("textbox", name="Message").fill("Welcome, Jane")
        practitioner.get_by_role("button", name="Send", exact=True).click()
        client.locator("#room-chat-log").get_by_text("Welcome, Jane").wait_for()

        # A file with consent lands in the care record; the client gets a link to it.
        practitioner.get_by_label("File (PDF, image or document)").set_input_files(
            files=[{"name": "breathing.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}]
        )
        practitioner.get_by_role("button", name="Send file").click()
        practitioner.get_by_text("Tick the box to save the file").wait_for()
        practitioner.get_by_label("Save it to the client's care record").check()
        practitioner.get_by_role("button", name="Send file").click()
        link = client.locator("#room-chat-log").get_by_role("link", name="breathing.pdf")
        link.wait_for()
        assert "/account/care/" in link.get_attribute("href")
        document = ClientDocument.objects.get()
        assert document.record.client == booking.client

        # Recording: only once both agree; both see it running; either can stop it; the
        # practitioner's browser uploads what it recorded, stored for the consented recording.
        assert practitioner.get_by_role("button", name="Start recording").is_disabled()
        client.get_by_label("I agree to this session being recorded").check()
        practitioner.get_by_label("I agree to this session being recorded").check()
        start = practitioner.get_by_role("button", name="Start recording")
        practitioner.wait_for_function(
            "() => !document.getElementById('room-recording-start').disabled"
        )
        start.click()
        client.locator("#room-recording-indicator").wait_for(state="visible")
        practitioner.locator("#room-recording-indicator").wait_for(state="visible")
        practitioner.wait_for_function("() => window.aeyiaRoom.recorder !== null")
        practitioner.wait_for_timeout(2500)
        client.get_by_role("button", name="Stop recording").click()
        client.locator("#room-recording-indicator").wait_for(state="hidden")
        practitioner.wait_for_function("() => window.aeyiaRoom.recordingUpload === 201")
        recording = Recording.objects.get(room__booking=booking)
        assert recording.storage_name and recording.size > 0
        assert recording.content_type == "video/webm"

        # The client's network drops and comes back: the call recovers by itself. Chromium's
        # offline mode stops new requests but leaves an open socket and loopback media
        # alone, so the socket is also dropped as a real outage would drop it: the page
        # must back off (its token requests fail while offline) and reconnect.
        before = wait_for_frames(practitioner)
        client_context.set_offline(True)
        client.evaluate("() => window.aeyiaRoom.socket().close(4000 + 999)")
        client.wait_for_function(
            "() => document.getElementById('room').dataset.connection === 'reconnecting'"
        )
        client.get_by_text("Reconnecting…").first.wait_for()
        client.wait_for_timeout(3000)
        assert client.evaluate("() => window.aeyiaRoom.reconnects") >= 2
        client_context.set_offline(False)
        client.wait_for_function(
            "() => document.getElementById('room').dataset.connection === 'connected'",
            timeout=30_000,
        )
        after = wait_for_frames(practitioner)
        wait_for_frames(client)
        # Frames keep coming after the outage (on the same or a rebuilt connection).
        later = wait_for_frames(practitioner, above=after)
        assert before and later
        # Chat works again over the new socket.
        client.get_by_role("textbox", name="Message").fill("Back again")
        client.get_by_role("button", name="Send", exact=True).click()
        practitioner.locator("#room-chat-log").get_by_text("Back again").wait_for()

        # Audio only: neither side sends video, the voices keep flowing.
        client.get_by_role("button", name="Audio only").click()
        client.wait_for_function(
            """() => {
                const pc = window.aeyiaRoom.pc;
                return pc.getTransceivers().some(
                    (t) => t.receiver.track.kind === 'video' && t.currentDirection === 'inactive'
                );
            }"""
        )
        packets = practitioner.evaluate(AUDIO_PACKETS)
        wait_for_audio_packets(practitioner, above=packets)
        assert (
            client.get_by_role("button", name="Turn video back on").get_attribute("aria-pressed")
            == "true"
        )

        client.get_by_role("button", name="Leave").click()
        client.get_by_role("heading", name="You left the session").wait_for()
        practitioner.get_by_text("Jane Doe has left or lost their connection.").first.wait_for()
        # Leaving is recorded for the practice dashboard's attendance.
        assert RoomEvent.objects.filter(
            booking=booking, user=booking.client, kind=RoomEvent.Kind.LEFT
        ).exists()
        assert not practitioner_csp, practitioner_csp
        assert not client_csp, client_csp
    finally:
        client_context.close()
        practitioner_context.close()


def test_both_rejoining_at_once_after_admission_still_connect(
    asgi_live_server, media_browser: Browser
):
    """A client admitted earlier comes straight into the call, so both sides build their
    connection at once and their first offers can cross. On `make run` that left the call
    at "new" for good in 3 of 5 tries (the client rolled its offer back and answered, and
    Chromium did not send its candidates again); the page now lets the practitioner make
    the first offer. The crossing depends on timing and this server did not reproduce it
    reliably, so this checks the rejoin path three times rather than the race itself."""
    booking = room_booking()
    Room.objects.create(
        booking=booking, provider="local", admitted_at=timezone.now(), state=Room.State.OPEN
    )
    base = asgi_live_server.url
    room_path = f"{base}/account/bookings/{booking.pk}/room/"
    practitioner_context = signed_in_context(media_browser, base, booking.practitioner.user)
    client_context = signed_in_context(media_browser, base, booking.client)
    try:
        for _attempt in range(3):
            practitioner = practitioner_context.new_page()
            client = client_context.new_page()
            for page in (practitioner, client):
                page.goto(room_path)
                page.wait_for_function(
                    "() => document.getElementById('room-preview').srcObject !== null"
                )
            practitioner.get_by_role("button", name="Join the session").click()
            client.get_by_role("button", name="Join the session").click()
            for page in (practitioner, client):
                page.wait_for_function(
                    "() => document.getElementById('room').dataset.phase === 'call'"
                )
            wait_for_frames(client)
            wait_for_frames(practitioner)
            practitioner.close()
            client.close()
    finally:
        practitioner_context.close()
        client_context.close()


def test_without_the_chime_bundle_the_room_offers_the_phone_instead_of_breaking(
    asgi_live_server, media_browser: Browser
):
    """The live adapter's page loads /static/dist/rooms-chime.js; a checkout without
    `make assets` has none. The page must then show the phone fallback (and "Mark
    delivered by phone" to the practitioner), not a dead screen."""
    booking = room_booking()
    base = asgi_live_server.url
    context = signed_in_context(media_browser, base, booking.practitioner.user)
    page = context.new_page()

    def as_chime(route):
        response = route.fetch()
        body = response.json()
        body["config"]["provider"] = "chime"
        body["config"]["fallback_phone"] = "+44 20 7946 0000"
        route.fulfill(response=response, json=body)

    try:
        page.route("**/room/token/", as_chime)
        page.route("**/static/dist/rooms-chime.js", lambda route: route.fulfill(status=404))
        page.goto(f"{base}/account/bookings/{booking.pk}/room/")
        page.get_by_role("button", name="Join the session").click()
        page.get_by_text("The video service could not be loaded.").first.wait_for()
        assert page.get_by_role("link", name="+44 20 7946 0000").get_attribute("href") == (
            "tel:+442079460000"
        )
        page.get_by_role("button", name="Mark delivered by phone").wait_for()
        assert page.evaluate("() => window.aeyiaRoom.pc") is None
    finally:
        context.close()
