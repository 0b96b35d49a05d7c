// The browser side of the live video adapter (integrations/video/live.py, decision 0041):
// Amazon's amazon-chime-sdk-js joins the Chime SDK meeting the server created, using the
// Meeting and Attendee JSON the server returned in the room's join config.
//
// Bundled by `make assets` (esbuild) into static/dist/rooms-chime.js, an ES module the room
// page (commerce/rooms/static/rooms/room.js) loads with import() only when the provider is
// "chime"; the peer-to-peer page never downloads it.
//
// The page calls `start({config, elements, devices, onStatus, onScreen, onEnded})` and gets
// back a controller with mute/camera/screen-share/audio-only/leave methods.

import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
  MeetingSessionStatusCode,
} from "amazon-chime-sdk-js";

// How long the SDK keeps trying to restore a dropped connection by itself before it gives
// up and reports the session stopped; after that we start it again a few times.
const RECONNECT_TIMEOUT_MS = 60 * 1000;
const RESTART_ATTEMPTS = 3;
const RESTART_DELAY_MS = 2000;

// Stops that mean the meeting is over for this person: restarting would be wrong.
const FINAL_STOPS = new Set([
  MeetingSessionStatusCode.Left,
  MeetingSessionStatusCode.MeetingEnded,
  MeetingSessionStatusCode.AudioCallEnded,
  MeetingSessionStatusCode.AudioJoinedFromAnotherDevice,
  MeetingSessionStatusCode.AudioAuthenticationRejected,
  MeetingSessionStatusCode.AudioCallAtCapacity,
]);

function pick(object, ...names) {
  for (const name of names) {
    if (object && object[name] !== undefined && object[name] !== null) return object[name];
  }
  return undefined;
}

// The server nests the provider's JSON inside its own join config; accept every shape it
// has used (`join_info.meeting` is the meeting's join info, `join_info.attendee` this
// person's), and the bare Chime objects too.
export function meetingSessionInputs(joinInfo) {
  const info = joinInfo || {};
  const attendeeInfo = info.attendee || {};
  const meetingInfo = info.meeting || {};
  const meeting =
    pick(attendeeInfo.meeting, "Meeting") ||
    pick(meetingInfo.meeting, "Meeting") ||
    pick(meetingInfo, "Meeting") ||
    (meetingInfo.MeetingId ? meetingInfo : undefined);
  let attendee = pick(attendeeInfo.attendee, "Attendee") || pick(attendeeInfo, "Attendee");
  if (!attendee && attendeeInfo.attendee_id) {
    attendee = {
      AttendeeId: attendeeInfo.attendee_id,
      ExternalUserId: attendeeInfo.external_user_id,
      JoinToken: attendeeInfo.join_token,
    };
  }
  if (!meeting || !meeting.MediaPlacement || !attendee || !attendee.JoinToken) {
    throw new Error("The join information has no Chime meeting or attendee.");
  }
  return { meeting: { Meeting: meeting }, attendee: { Attendee: attendee } };
}

// The SDK's configuration for this join, with our reconnect budget.
export function sessionConfiguration(joinInfo) {
  const inputs = meetingSessionInputs(joinInfo);
  const configuration = new MeetingSessionConfiguration(inputs.meeting, inputs.attendee);
  configuration.reconnectTimeoutMs = RECONNECT_TIMEOUT_MS;
  return configuration;
}

function baseAttendeeId(attendeeId) {
  // A content share joins as "<attendee id>#content".
  return String(attendeeId || "").split("#")[0];
}

// The page's chosen device id, else the first the browser names, else "the default one"
// as constraints: before permission is granted browsers list devices with empty ids.
async function deviceOrDefault(chosen, list) {
  if (chosen) return chosen;
  try {
    const named = (await list()).find((device) => device.deviceId);
    if (named) return named.deviceId;
  } catch (error) {
    // Listing can fail when permission is refused; the default device may still work.
  }
  return {};
}

export async function start(options) {
  const { config, elements = {}, devices = {} } = options || {};
  const onStatus = options.onStatus || (() => {});
  const onScreen = options.onScreen || (() => {});
  const onEnded = options.onEnded || (() => {});
  const configuration = sessionConfiguration(config && config.join_info);

  const logger = new ConsoleLogger("aeyia-room", LogLevel.WARN);
  const deviceController = new DefaultDeviceController(logger, { enableWebAudio: false });
  const session = new DefaultMeetingSession(configuration, logger, deviceController);
  const av = session.audioVideo;
  const me = configuration.credentials.attendeeId;

  let audioElement = elements.audio;
  if (!audioElement) {
    // The remote side's sound needs an element of its own; hidden, it only plays.
    audioElement = document.createElement("audio");
    audioElement.hidden = true;
    audioElement.autoplay = true;
    document.body.appendChild(audioElement);
  }

  const state = {
    leaving: false,
    restarts: 0,
    audioOnly: false,
    cameraOn: true,
    sharing: false,
    remoteTiles: new Set(),
    screenTile: null,
  };

  const observer = {
    audioVideoDidStartConnecting(reconnecting) {
      onStatus(reconnecting ? "Connection lost. Reconnecting…" : "Connecting…");
    },
    audioVideoDidStart() {
      state.restarts = 0;
      onStatus("Connected.");
    },
    connectionDidBecomePoor() {
      onStatus("Your connection is weak. Turning your camera off may help.");
    },
    audioVideoDidStop(status) {
      const code = status.statusCode();
      if (state.leaving || FINAL_STOPS.has(code)) {
        onEnded(code === MeetingSessionStatusCode.MeetingEnded ? "ended" : "left");
        return;
      }
      if (state.restarts >= RESTART_ATTEMPTS) {
        onStatus("The video connection could not be restored.");
        onEnded("failed");
        return;
      }
      state.restarts += 1;
      onStatus("Connection lost. Reconnecting…");
      setTimeout(() => {
        if (!state.leaving) av.start();
      }, RESTART_DELAY_MS * state.restarts);
    },
    videoTileDidUpdate(tile) {
      if (!tile.boundAttendeeId || !tile.tileId) return;
      if (tile.localTile) {
        // The local tile exists before the meeting connects but has no stream until
        // then; keep the preview in the element until it does.
        if (elements.local && tile.boundVideoStream) {
          stopPreview();
          av.bindVideoElement(tile.tileId, elements.local);
        }
        return;
      }
      if (tile.isContent) {
        // Our own screen share comes back as a content tile: never show it to ourselves.
        if (baseAttendeeId(tile.boundAttendeeId) === me) return;
        state.screenTile = tile.tileId;
        if (elements.remoteScreen) av.bindVideoElement(tile.tileId, elements.remoteScreen);
        onScreen(true);
        return;
      }
      state.remoteTiles.add(tile.tileId);
      if (elements.remote) av.bindVideoElement(tile.tileId, elements.remote);
      if (state.audioOnly) av.pauseVideoTile(tile.tileId);
    },
    videoTileWasRemoved(tileId) {
      if (tileId === state.screenTile) {
        state.screenTile = null;
        onScreen(false);
      }
      state.remoteTiles.delete(tileId);
    },
  };
  av.addObserver(observer);
  av.addContentShareObserver({
    contentShareDidStart() {
      state.sharing = true;
    },
    contentShareDidStop() {
      state.sharing = false;
    },
  });

  // Until the meeting connects there is no local tile: show the camera as a preview in
  // the same element so the person sees themselves while "Connecting…".
  let previewing = false;
  function startPreview() {
    if (elements.local && !previewing) {
      av.startVideoPreviewForVideoInput(elements.local);
      previewing = true;
    }
  }
  function stopPreview() {
    if (elements.local && previewing) {
      av.stopVideoPreviewForVideoInput(elements.local);
      previewing = false;
    }
  }

  const audioDevice = await deviceOrDefault(devices.audio, () => av.listAudioInputDevices());
  let videoDevice = await deviceOrDefault(devices.video, () => av.listVideoInputDevices());
  try {
    await av.startAudioInput(audioDevice);
  } catch (error) {
    onStatus("Your microphone could not start. Check the browser's permission.");
  }
  try {
    await av.startVideoInput(videoDevice);
    startPreview();
  } catch (error) {
    // No camera, or it is refused or busy: join with sound only.
    videoDevice = null;
    onStatus("Your camera could not start; you are joining with sound only.");
  }
  await av.bindAudioElement(audioElement);
  av.start();
  if (videoDevice) av.startLocalVideoTile();

  const controller = {
    session,
    get sharing() {
      return state.sharing;
    },
    setMuted(muted) {
      if (muted) av.realtimeMuteLocalAudio();
      else av.realtimeUnmuteLocalAudio();
      return av.realtimeIsLocalAudioMuted();
    },
    async setCamera(on) {
      state.cameraOn = Boolean(on);
      if (on && !state.audioOnly && videoDevice) {
        await av.startVideoInput(videoDevice);
        av.startLocalVideoTile();
      } else {
        stopPreview();
        av.stopLocalVideoTile();
        await av.stopVideoInput();
      }
      return state.cameraOn;
    },
    async startScreenShare() {
      await av.startContentShareFromScreenCapture();
      state.sharing = true;
    },
    stopScreenShare() {
      av.stopContentShare();
      state.sharing = false;
    },
    // Audio only: stop sending our camera and stop receiving theirs (the bandwidth saving
    // is the point on a poor connection); leaving it restores both.
    async setAudioOnly(audioOnly) {
      state.audioOnly = Boolean(audioOnly);
      for (const tileId of state.remoteTiles) {
        if (state.audioOnly) av.pauseVideoTile(tileId);
        else av.unpauseVideoTile(tileId);
      }
      await controller.setCamera(state.audioOnly ? false : state.cameraOn);
      return state.audioOnly;
    },
    async leave() {
      state.leaving = true;
      stopPreview();
      if (state.sharing) av.stopContentShare();
      av.stopLocalVideoTile();
      av.stop();
      await av.stopVideoInput();
      await av.stopAudioInput();
      av.unbindAudioElement();
      if (!elements.audio) audioElement.remove();
    },
  };
  return controller;
}

export default { start, meetingSessionInputs, sessionConfiguration };
