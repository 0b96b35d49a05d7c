"""`make assets` builds the room's Chime module with esbuild, and the bundle is what the
room page imports: an ES module exporting `start` (also on its default export, which
room.js tries first) that turns the server's join info into the Chime SDK's session
configuration. The join info comes from the live adapter itself (Stubber-backed), so a
change of shape on either side fails here."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from botocore.stub import Stubber
from django.conf import settings

from integrations.video.live import ChimeVideoProvider
from tests.integrations.video.test_live import (
    ATTENDEE_ID,
    CHIME_MEETING,
    JOIN_TOKEN,
    MEETING_ID,
    PLACEMENT,
    installed_session,
    vendor_session,
)

REPO_ROOT = Path(settings.BASE_DIR)
PAGE_NEEDS = {"start", "meetingSessionInputs", "sessionConfiguration", "default"}

RUNNER = """
import { pathToFileURL } from "node:url";
const module = await import(pathToFileURL(process.argv[2]).href);
const joinInfo = JSON.parse(process.argv[3]);
const configuration = module.default.sessionConfiguration(joinInfo);
let refused = "";
try {
  module.meetingSessionInputs({ meeting: {}, attendee: {} });
} catch (error) {
  refused = error.message;
}
console.log(JSON.stringify({
  exports: Object.keys(module).sort(),
  defaultStart: typeof module.default.start,
  start: typeof module.start,
  meetingId: configuration.meetingId,
  externalMeetingId: configuration.externalMeetingId,
  signalingURL: configuration.urls.signalingURL,
  audioHostURL: configuration.urls.audioHostURL,
  turnControlURL: configuration.urls.turnControlURL,
  attendeeId: configuration.credentials.attendeeId,
  externalUserId: configuration.credentials.externalUserId,
  joinToken: configuration.credentials.joinToken,
  reconnectTimeoutMs: configuration.reconnectTimeoutMs,
  refused,
}));
"""


def test_the_bundle_is_minified_with_a_source_map(bundle):
    script = bundle / "rooms-chime.js"
    text = script.read_text()
    assert len(text) > 100_000  # the SDK is inside, not left as a bare import
    assert 'from"amazon-chime-sdk-js"' not in text and "from 'amazon-chime-sdk-js'" not in text
    # Minified: our comments are gone and local names are shortened.
    assert "The server nests" not in text
    assert "RESTART_ATTEMPTS" not in text and "baseAttendeeId" not in text
    assert text.rstrip().endswith("//# sourceMappingURL=rooms-chime.js.map")
    source_map = json.loads((bundle / "rooms-chime.js.map").read_text())
    assert any(path.endswith("static/src/rooms/chime.js") for path in source_map["sources"])


def test_the_bundle_exports_what_the_room_page_calls(bundle):
    meta = json.loads((bundle / "rooms-chime.json").read_text())
    [output] = [value for key, value in meta["outputs"].items() if key.endswith("rooms-chime.js")]
    assert set(output["exports"]) == PAGE_NEEDS
    # Node-only modules would fail in the browser at import time.
    assert not [path for path in meta["inputs"] if "credential-provider-node" in path]


def test_the_room_page_loads_the_bundle_from_static_dist():
    # The page names it through the view (tests/commerce/rooms/test_views.py renders it):
    # "" when rooms are peer to peer or the bundle was never built.
    page = (REPO_ROOT / "commerce/rooms/templates/rooms/room.html").read_text()
    views = (REPO_ROOT / "commerce/rooms/views.py").read_text()
    assert 'data-chime-src="{{ chime_src }}"' in page
    assert 'static("dist/rooms-chime.js")' in views


def _adapter_join_info() -> dict:
    meetings = vendor_session().create_client("chime-sdk-meetings", region_name="us-east-1")
    pipelines = installed_session().create_client(
        "chime-sdk-media-pipelines", region_name="us-east-1"
    )
    provider = ChimeVideoProvider(meetings_client=meetings, pipelines_client=pipelines)
    with Stubber(meetings) as stubber:
        stubber.add_response("create_meeting", {"Meeting": CHIME_MEETING})
        attendee = {"ExternalUserId": "user-7", "AttendeeId": ATTENDEE_ID, "JoinToken": JOIN_TOKEN}
        stubber.add_response("create_attendee", {"Attendee": attendee})
        meeting = provider.meeting_create(external_id="booking-42", idempotency_key="room-42")
        join = provider.attendee_create(meeting=meeting, external_user_id="user-7")
    # The room page receives the meeting's and this person's join info side by side
    # (commerce.rooms.services.room_join_config).
    return {
        "meeting": dict(meeting.join_info),
        "attendee": {
            "attendee_id": join.attendee_id,
            "external_user_id": join.external_user_id,
            "join_token": join.join_token,
            **dict(join.join_info),
        },
    }


@pytest.mark.parametrize("shape", ["room_join_config", "attendee_only"])
def test_the_sdk_reads_the_join_info_the_live_adapter_returns(bundle, tmp_path, settings, shape):
    node = shutil.which("node")
    assert node, "Node.js is needed to build and check the browser bundle"
    settings.CHIME_MEDIA_REGION = "eu-west-2"
    join_info = _adapter_join_info()
    if shape == "attendee_only":
        join_info = {"attendee": join_info["attendee"]}
    module = tmp_path / "rooms-chime.mjs"
    shutil.copy(bundle / "rooms-chime.js", module)
    runner = tmp_path / "runner.mjs"
    runner.write_text(RUNNER)
    result = subprocess.run(  # noqa: S603
        [node, str(runner), str(module), json.dumps(join_info)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert set(seen["exports"]) == PAGE_NEEDS
    assert seen["start"] == seen["defaultStart"] == "function"
    assert seen["meetingId"] == MEETING_ID
    assert seen["externalMeetingId"] == "booking-42"
    assert seen["signalingURL"] == PLACEMENT["SignalingUrl"]
    assert seen["audioHostURL"] == PLACEMENT["AudioHostUrl"]
    assert seen["turnControlURL"] == PLACEMENT["TurnControlUrl"]
    assert (seen["attendeeId"], seen["externalUserId"]) == (ATTENDEE_ID, "user-7")
    assert seen["joinToken"] == JOIN_TOKEN
    assert seen["reconnectTimeoutMs"] == 60_000
    assert "no Chime meeting" in seen["refused"]
