"""The Chime bundle in Debian's Chromium with fake camera and microphone: the room page's
`start()` builds the SDK session from the live adapter's join info, starts the devices,
shows the camera in the page's local element while it connects, mutes, switches to audio
only and leaves.
Nothing reaches AWS: every request except the page and the bundle is refused, so the
session keeps trying to connect, which is what it does on a dead network."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route

from tests.browser.support import DESKTOP
from tests.integrations.video.conftest import bundle  # noqa: F401 (the built bundle)
from tests.integrations.video.test_chime_bundle import _adapter_join_info

ORIGIN = "https://rooms.aeyia.test"
PAGE = """<!doctype html><html lang="en"><title>room</title>
<video id="local" autoplay muted playsinline></video>
<video id="remote" autoplay playsinline></video>
<video id="screen" autoplay playsinline></video>"""


@pytest.mark.browser
def test_the_bundle_starts_a_session_with_the_page_elements(
    bundle,  # noqa: F811
    media_browser: Browser,
    settings,
):
    settings.CHIME_MEDIA_REGION = "eu-west-2"
    # The adapter's join info with Chime's hosts made unresolvable (.invalid), so the SDK's
    # signalling WebSocket, which no route intercepts, cannot reach AWS either.
    join_info = json.loads(json.dumps(_adapter_join_info()).replace(".chime.aws", ".chime.invalid"))
    assert ".chime.invalid" in json.dumps(join_info)
    script = (Path(bundle) / "rooms-chime.js").read_text()
    requests: list[str] = []

    def serve(route: Route) -> None:
        url = route.request.url
        requests.append(url)
        if url == f"{ORIGIN}/":
            route.fulfill(status=200, content_type="text/html", body=PAGE)
        elif url == f"{ORIGIN}/rooms-chime.js":
            route.fulfill(status=200, content_type="text/javascript", body=script)
        else:
            route.abort()

    context = media_browser.new_context(viewport=DESKTOP)
    try:
        context.route("**/*", serve)
        page = context.new_page()
        page.goto(f"{ORIGIN}/")
        page.evaluate(
            """async (joinInfo) => {
              const module = await import("/rooms-chime.js");
              const api = module.default || module;  // as room.js loads it
              const statuses = [];
              const controller = await api.start({
                config: { join_info: joinInfo },
                elements: {
                  local: document.getElementById("local"),
                  remote: document.getElementById("remote"),
                  remoteScreen: document.getElementById("screen"),
                },
                devices: {},
                onStatus: (text) => statuses.push(text),
              });
              window.room = { controller, statuses };
            }""",
            join_info,
        )
        page.wait_for_function(
            """() => {
              const stream = document.getElementById("local").srcObject;
              return stream && stream.getVideoTracks().some((t) => t.readyState === "live");
            }"""
        )
        assert page.evaluate("window.room.controller.setMuted(true)") is True
        assert page.evaluate("window.room.controller.setMuted(false)") is False
        assert page.evaluate("window.room.controller.setAudioOnly(true)") is True
        page.wait_for_function(
            """() => {
              const stream = document.getElementById("local").srcObject;
              return !stream || stream.getVideoTracks().every((t) => t.readyState !== "live");
            }"""
        )
        statuses = page.evaluate("window.room.statuses")
        assert "Connecting…" in statuses, statuses
        page.evaluate("window.room.controller.leave()")
        # The session was pointed at Chime's media placement and went nowhere else.
        assert not [url for url in requests if not url.startswith(ORIGIN)
                    and "chime" not in url], json.dumps(requests)  # fmt: skip
    finally:
        context.close()
