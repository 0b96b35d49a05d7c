// The session room: pre-join (devices, preview, device test) -> waiting room -> call.
//
// The local video adapter is peer-to-peer WebRTC: media goes browser to browser, encrypted
// with DTLS-SRTP, and the server only relays signalling over the room's WebSocket (it never
// sees the media). Negotiation follows the "perfect negotiation" pattern so either side can
// renegotiate at any time (screen share, audio-only, ICE restart): the client is the polite
// peer and yields on an offer collision, the practitioner is the impolite one.
//
// Each page load has its own instance id, carried in every signal as `from`: a peer that
// reloads (a new RTCPeerConnection with new DTLS keys) is told apart from one whose socket
// merely reconnected (same connection; an ICE restart is enough).
(function () {
  "use strict";

  var root = document.getElementById("room");
  if (!root) {
    return;
  }
  var data = root.dataset;
  var state = data.state;

  // ---------- before and after the window ----------

  if (state === "early") {
    // Reload when the room opens (and at least every five minutes, so a changed booking
    // shows); the page then renders the pre-join screen.
    var opensAt = Date.parse(data.opensAt);
    var wait = Math.max(1000, Math.min(opensAt - Date.now() + 1000, 5 * 60 * 1000));
    window.setTimeout(function () {
      window.location.reload();
    }, wait);
    return;
  }
  if (state !== "open") {
    return;
  }

  var role = data.role;
  var otherName = data.otherName;
  var polite = role === "client";
  var instance = Math.random().toString(36).slice(2) + Date.now().toString(36);

  function byId(id) {
    return document.getElementById(id);
  }

  var el = {
    status: byId("room-status"),
    prejoin: byId("room-prejoin"),
    preview: byId("room-preview"),
    camera: byId("room-camera"),
    microphone: byId("room-microphone"),
    speaker: byId("room-speaker"),
    speakerField: byId("room-speaker-field"),
    micLevel: byId("room-mic-level"),
    testSound: byId("room-test-sound"),
    permissionHelp: byId("room-permission-help"),
    retryDevices: byId("room-retry-devices"),
    join: byId("room-join"),
    prejoinError: byId("room-prejoin-error"),
    waiting: byId("room-waiting"),
    waitingText: byId("room-waiting-text"),
    admitBox: byId("room-admit-box"),
    admit: byId("room-admit"),
    call: byId("room-call"),
    remote: byId("room-remote"),
    remoteScreen: byId("room-remote-screen"),
    remoteScreenFigure: byId("room-remote-screen-figure"),
    remoteEmpty: byId("room-remote-empty"),
    local: byId("room-local"),
    remaining: byId("room-remaining"),
    recordingIndicator: byId("room-recording-indicator"),
    mute: byId("room-mute"),
    cameraToggle: byId("room-camera-toggle"),
    screen: byId("room-screen"),
    audioOnly: byId("room-audio-only"),
    leave: byId("room-leave"),
    recordingConsent: byId("room-recording-consent"),
    recordingState: byId("room-recording-state"),
    recordingStart: byId("room-recording-start"),
    recordingStop: byId("room-recording-stop"),
    chatLog: byId("room-chat-log"),
    chatForm: byId("room-chat-form"),
    chatText: byId("room-chat-text"),
    fileForm: byId("room-file-form"),
    fileInput: byId("room-file"),
    fileConsent: byId("room-file-consent"),
    fileStatus: byId("room-file-status"),
    fallback: byId("room-fallback"),
    fallbackPhone: byId("room-fallback-phone"),
    fallbackReason: byId("room-fallback-reason"),
    left: byId("room-left"),
    ended: byId("room-ended-live"),
  };

  function csrfToken() {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(text) {
    el.status.textContent = text;
  }

  function show(section) {
    [el.prejoin, el.waiting, el.call, el.left, el.ended].forEach(function (node) {
      if (node) {
        node.hidden = node !== section;
      }
    });
  }

  // Test hook: the browser tests read the peer connection's stats through it.
  var hook = {
    state: "prejoin",
    pc: null,
    screenTracks: 0,
    recorder: null,
  };
  hook.socket = function () {
    return socket;
  };
  window.aeyiaRoom = hook;

  function setPhase(phase) {
    hook.state = phase;
    root.dataset.phase = phase;
  }

  // ---------- pre-join: devices, preview and the device test ----------

  var localStream = null;
  var meterContext = null;
  var meterFrame = 0;

  function browserFamily() {
    var agent = navigator.userAgent;
    if (/Edg\//.test(agent)) return "edge";
    if (/Firefox\//.test(agent)) return "firefox";
    if (/Chrome\//.test(agent) || /Chromium\//.test(agent)) return "chrome";
    if (/Safari\//.test(agent)) return "safari";
    return "other";
  }

  function showPermissionHelp(error) {
    var family = browserFamily();
    el.permissionHelp.hidden = false;
    el.permissionHelp.querySelectorAll("[data-browser]").forEach(function (node) {
      node.hidden = node.dataset.browser !== family;
    });
    var reason = el.permissionHelp.querySelector("[data-reason]");
    if (reason) {
      if (error && error.name === "NotFoundError") {
        reason.textContent = "We could not find a camera or microphone on this device.";
      } else if (error && error.name === "NotReadableError") {
        reason.textContent =
          "Your camera or microphone is being used by another app. Close it and try again.";
      } else {
        reason.textContent = "Your browser did not let this page use your camera and microphone.";
      }
    }
  }

  function fillSelect(select, devices, kind, label, selectedId) {
    if (!select) return;
    var previous = selectedId || select.value;
    select.textContent = "";
    var count = 0;
    devices.forEach(function (device) {
      if (device.kind !== kind) return;
      count += 1;
      var option = document.createElement("option");
      option.value = device.deviceId;
      option.textContent = device.label || label + " " + count;
      if (device.deviceId === previous) option.selected = true;
      select.appendChild(option);
    });
    select.disabled = count === 0;
  }

  async function listDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
    var devices = await navigator.mediaDevices.enumerateDevices();
    var videoTrack = localStream && localStream.getVideoTracks()[0];
    var audioTrack = localStream && localStream.getAudioTracks()[0];
    fillSelect(
      el.camera,
      devices,
      "videoinput",
      "Camera",
      videoTrack && videoTrack.getSettings().deviceId,
    );
    fillSelect(
      el.microphone,
      devices,
      "audioinput",
      "Microphone",
      audioTrack && audioTrack.getSettings().deviceId,
    );
    if (el.speaker && typeof HTMLMediaElement.prototype.setSinkId === "function") {
      fillSelect(el.speaker, devices, "audiooutput", "Speaker");
      el.speakerField.hidden = el.speaker.options.length === 0;
    }
  }

  function stopStream(stream) {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
  }

  function startMeter(stream) {
    if (meterFrame) cancelAnimationFrame(meterFrame);
    var track = stream.getAudioTracks()[0];
    if (!track || !window.AudioContext) return;
    meterContext = meterContext || new AudioContext();
    var source = meterContext.createMediaStreamSource(new MediaStream([track]));
    var analyser = meterContext.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    var samples = new Uint8Array(analyser.fftSize);
    function tick() {
      analyser.getByteTimeDomainData(samples);
      var peak = 0;
      for (var i = 0; i < samples.length; i += 1) {
        peak = Math.max(peak, Math.abs(samples[i] - 128));
      }
      el.micLevel.value = Math.min(100, Math.round((peak / 128) * 100));
      meterFrame = requestAnimationFrame(tick);
    }
    tick();
  }

  async function openDevices() {
    el.prejoinError.textContent = "";
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showPermissionHelp(null);
      return null;
    }
    var constraints = {
      audio: el.microphone.value ? { deviceId: { exact: el.microphone.value } } : true,
      video: el.camera.value
        ? { deviceId: { exact: el.camera.value }, width: { ideal: 1280 }, height: { ideal: 720 } }
        : { width: { ideal: 1280 }, height: { ideal: 720 } },
    };
    try {
      var stream = await navigator.mediaDevices.getUserMedia(constraints);
      stopStream(localStream);
      localStream = stream;
      el.preview.srcObject = stream;
      el.permissionHelp.hidden = true;
      startMeter(stream);
      await listDevices();
      if (pc) replaceLocalTracks();
      return stream;
    } catch (error) {
      showPermissionHelp(error);
      return null;
    }
  }

  function playTestSound() {
    if (!window.AudioContext) return;
    meterContext = meterContext || new AudioContext();
    meterContext.resume();
    var oscillator = meterContext.createOscillator();
    var gain = meterContext.createGain();
    oscillator.frequency.value = 440;
    gain.gain.value = 0.2;
    oscillator.connect(gain);
    gain.connect(meterContext.destination);
    oscillator.start();
    oscillator.stop(meterContext.currentTime + 1);
    announce("Playing a test sound for one second. If you did not hear it, check your speaker.");
  }

  el.camera.addEventListener("change", openDevices);
  el.microphone.addEventListener("change", openDevices);
  if (el.speaker) {
    el.speaker.addEventListener("change", function () {
      [el.remote, el.remoteScreen].forEach(function (video) {
        if (video.setSinkId) video.setSinkId(el.speaker.value).catch(function () {});
      });
    });
  }
  el.testSound.addEventListener("click", playTestSound);
  el.retryDevices.addEventListener("click", openDevices);
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener("devicechange", listDevices);
  }

  // ---------- the join token and the signalling socket ----------

  var config = null;
  var socket = null;
  var leaving = false;
  var reconnectDelay = 1000;
  var reconnectTimer = 0;
  var admitted = false;
  var hasConnectedOnce = false;

  async function fetchToken() {
    var response = await fetch(data.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    var body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      var failure = new Error((body && body.detail) || "The room could not be opened.");
      failure.status = response.status;
      failure.code = body && body.code;
      throw failure;
    }
    return body;
  }

  function socketUrl(wsUrl, token) {
    var url = new URL(wsUrl, window.location.href);
    if (url.protocol === "http:") url.protocol = "ws:";
    if (url.protocol === "https:") url.protocol = "wss:";
    url.searchParams.set("token", token);
    return url.toString();
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  async function connect() {
    var issued;
    try {
      issued = await fetchToken();
    } catch (error) {
      if (error.status === 409 || error.status === 410) {
        roomClosed(error.message);
        return;
      }
      if (error.status === 404) {
        announce(error.message);
        return;
      }
      scheduleReconnect();
      return;
    }
    config = issued.config;
    hook.config = config;
    // The socket carries the waiting room, chat and recording for every provider; only
    // the media differ (peer to peer here, or Amazon Chime's SDK).
    openSocket(issued.token);
  }

  function openSocket(token) {
    socket = new WebSocket(socketUrl(config.ws_url, token));
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handleMessage(message);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (leaving) return;
      if (event.code === 4409) {
        roomClosed("The session has ended and the room is closed.");
        return;
      }
      if (event.code === 4404) {
        announce("You are not a participant in this session.");
        return;
      }
      if (event.code === 4000) {
        // A newer window or tab of this person took over the room: reconnecting here
        // would take it back and the two would fight.
        leaving = true;
        closePeer();
        stopStream(localStream);
        el.ended.querySelector("[data-detail]").textContent =
          "You joined this session from another window or tab, so this one has stopped.";
        show(el.ended);
        setPhase("replaced");
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (leaving) return;
    setPhase(hook.state === "prejoin" ? "prejoin" : hook.state);
    announce("Reconnecting…");
    root.dataset.connection = "reconnecting";
    hook.reconnects = (hook.reconnects || 0) + 1;
    window.clearTimeout(reconnectTimer);
    // Back off, with jitter so both sides do not retry in lockstep after an outage.
    var delay = reconnectDelay + Math.floor(Math.random() * 500);
    reconnectDelay = Math.min(reconnectDelay * 2, 15000);
    reconnectTimer = window.setTimeout(connect, delay);
  }

  window.addEventListener("online", function () {
    if (!socket && !leaving && config) {
      reconnectDelay = 1000;
      window.clearTimeout(reconnectTimer);
      connect();
    }
  });

  function roomClosed(text) {
    leaving = true;
    stopRecorder();
    closePeer();
    stopStream(localStream);
    stopStream(screenStream);
    el.ended.querySelector("[data-detail]").textContent = text;
    show(el.ended);
    setPhase("ended");
    announce(text);
  }

  // ---------- messages from the server ----------

  function handleMessage(message) {
    switch (message.type) {
      case "welcome":
        onWelcome(message);
        break;
      case "peer":
        onPeer(message.event);
        break;
      case "admitted":
        admitted = true;
        enterCall();
        sayHello();
        break;
      case "signal":
        onSignal(message.data || {});
        break;
      case "chat":
        addChat(message);
        break;
      case "file":
        addFile(message);
        break;
      case "recording":
        onRecording(message);
        break;
      case "media":
        announce(
          message.audio_only
            ? otherName + " switched to audio only."
            : otherName + " turned video back on.",
        );
        break;
      case "error":
        announce(message.detail || "Something went wrong in the room.");
        break;
      default:
        break;
    }
  }

  function onWelcome(message) {
    reconnectDelay = 1000;
    root.dataset.connection = "connected";
    var wasConnected = hasConnectedOnce;
    hasConnectedOnce = true;
    admitted = Boolean(message.admitted);
    if (message.ends_at) endsAt = Date.parse(message.ends_at);
    startCountdown();
    if (!wasConnected) {
      el.chatLog.textContent = "";
      (message.chat || []).forEach(addChat);
    }
    if (message.recording) onRecording(message.recording);
    if (!admitted) {
      show(el.waiting);
      setPhase("waiting");
      el.waitingText.textContent = "Waiting for " + otherName + " to let you in.";
      announce(el.waitingText.textContent);
      return;
    }
    enterCall();
    if (message.peer_present) {
      sayHello();
      if (pc && wasConnected) repairPeer();
    } else {
      el.remoteEmpty.textContent = "Waiting for " + otherName + " to join.";
    }
    announce(wasConnected ? "Reconnected." : "You are in the session room.");
  }

  function onPeer(event) {
    if (event === "waiting") {
      // Only the practitioner is told that someone waits.
      el.admitBox.hidden = false;
      announce(otherName + " is waiting to be let in.");
      return;
    }
    if (event === "joined") {
      el.admitBox.hidden = true;
      el.remoteEmpty.textContent = otherName + " has joined. Connecting…";
      announce(otherName + " has joined.");
      if (admitted) sayHello();
      return;
    }
    if (event === "fallback") {
      announce(otherName + " cannot start video. You can continue by phone.");
      return;
    }
    if (event === "left") {
      el.admitBox.hidden = true;
      el.remoteEmpty.hidden = false;
      el.remoteEmpty.textContent = otherName + " has left or lost their connection.";
      announce(el.remoteEmpty.textContent);
    }
  }

  function isChime() {
    return Boolean(config && config.provider === "chime");
  }

  function enterCall() {
    if (hook.state === "call") return;
    show(el.call);
    setPhase("call");
    if (isChime()) {
      startChime();
      return;
    }
    el.local.srcObject = localStream;
    if (!localStream || !window.RTCPeerConnection) {
      showFallback(
        localStream
          ? "This browser cannot make video calls."
          : "Your camera and microphone could not start.",
      );
    }
  }

  // ---------- the peer connection ----------

  var pc = null;
  var peerInstance = null;
  var makingOffer = false;
  var ignoreOffer = false;
  // Candidates that arrive before the description they belong to (the other side's
  // offer was still in flight, or ours collided with theirs) wait here: adding them
  // early fails, and the browser never sends the same candidates twice.
  var pendingCandidates = [];

  async function flushCandidates() {
    var waiting = pendingCandidates;
    pendingCandidates = [];
    for (var i = 0; i < waiting.length; i += 1) {
      try {
        await pc.addIceCandidate(waiting[i]);
      } catch (error) {
        // A candidate of an offer that was rolled back: nothing to use it for.
      }
    }
  }
  var cameraTransceiver = null;
  var audioSender = null;
  var screenSender = null;
  var screenStream = null;
  var cameraStreamId = null;
  var failedRestarts = 0;
  var disconnectTimer = 0;

  function sayHello() {
    if (isChime()) return;
    send({ type: "signal", data: { hello: instance, knows: peerInstance, from: instance } });
  }

  function closePeer() {
    if (pc) {
      pc.onicecandidate = null;
      pc.ontrack = null;
      pc.onnegotiationneeded = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    pc = null;
    pendingCandidates = [];
    hook.pc = null;
    cameraTransceiver = null;
    audioSender = null;
    screenSender = null;
    el.remote.srcObject = null;
    el.remoteScreen.srcObject = null;
    el.remoteScreenFigure.hidden = true;
  }

  function buildPeer(remoteInstance) {
    closePeer();
    peerInstance = remoteInstance;
    failedRestarts = 0;
    pc = new RTCPeerConnection({ iceServers: (config && config.ice_servers) || [] });
    hook.pc = pc;
    hook.connections = (hook.connections || 0) + 1;
    pc.onicecandidate = function (event) {
      if (event.candidate) {
        send({ type: "signal", data: { candidate: event.candidate.toJSON(), from: instance } });
      }
    };
    pc.onnegotiationneeded = async function () {
      // The first offer is always the practitioner's. When both first offers crossed, the
      // client rolled its own back and answered, but Chrome did not signal its candidates
      // again, so the call never connected. Later renegotiation (screen share, audio only,
      // ICE restart) may start on either side.
      if (polite && !pc.remoteDescription) return;
      try {
        makingOffer = true;
        await pc.setLocalDescription();
        send({
          type: "signal",
          data: { sdp: pc.localDescription.toJSON(), from: instance },
        });
      } catch (error) {
        announce("The call could not be set up: " + error.message);
      } finally {
        makingOffer = false;
      }
    };
    pc.ontrack = onTrack;
    pc.onconnectionstatechange = onConnectionState;
    addLocalTracks();
    if (screenStream) {
      screenSender = pc.addTrack(screenStream.getVideoTracks()[0], screenStream);
    }
  }

  function addLocalTracks() {
    if (!localStream) {
      // Receive even without a camera (the other side may still show theirs).
      cameraTransceiver = pc.addTransceiver("video", { direction: "recvonly" });
      pc.addTransceiver("audio", { direction: "recvonly" });
      return;
    }
    cameraStreamId = localStream.id;
    var audioTrack = localStream.getAudioTracks()[0];
    var videoTrack = localStream.getVideoTracks()[0];
    if (audioTrack) audioSender = pc.addTrack(audioTrack, localStream);
    if (videoTrack) {
      var sender = pc.addTrack(videoTrack, localStream);
      cameraTransceiver = pc.getTransceivers().find(function (transceiver) {
        return transceiver.sender === sender;
      });
      if (audioOnly) cameraTransceiver.direction = "inactive";
    }
  }

  function replaceLocalTracks() {
    var audioTrack = localStream.getAudioTracks()[0];
    var videoTrack = localStream.getVideoTracks()[0];
    if (audioSender && audioTrack) audioSender.replaceTrack(audioTrack);
    if (cameraTransceiver && videoTrack && !audioOnly) {
      cameraTransceiver.sender.replaceTrack(videoTrack);
    }
    el.local.srcObject = localStream;
  }

  function onTrack(event) {
    var stream = event.streams[0];
    if (!stream) return;
    if (event.track.kind === "video" && stream.getAudioTracks().length === 0) {
      // A video-only stream is the other side's shared screen.
      hook.screenTracks += 1;
      el.remoteScreen.srcObject = stream;
      el.remoteScreenFigure.hidden = false;
      announce(otherName + " is sharing their screen.");
      event.track.addEventListener("ended", hideRemoteScreen);
      stream.addEventListener("removetrack", hideRemoteScreen);
      return;
    }
    if (el.remote.srcObject !== stream) {
      el.remote.srcObject = stream;
    }
    el.remoteEmpty.hidden = true;
  }

  function hideRemoteScreen() {
    el.remoteScreen.srcObject = null;
    el.remoteScreenFigure.hidden = true;
  }

  function onConnectionState() {
    if (!pc) return;
    var connection = pc.connectionState;
    root.dataset.peer = connection;
    if (connection === "connected") {
      failedRestarts = 0;
      window.clearTimeout(disconnectTimer);
      el.remoteEmpty.hidden = true;
      el.fallback.hidden = fallbackForced ? false : true;
      if (root.dataset.connection === "reconnecting") return;
      announce("Connected to " + otherName + ".");
      return;
    }
    if (connection === "disconnected") {
      announce("Reconnecting…");
      window.clearTimeout(disconnectTimer);
      // A brief loss often heals by itself; restart ICE only if it lasts.
      disconnectTimer = window.setTimeout(repairPeer, 3000);
      return;
    }
    if (connection === "failed") {
      repairPeer();
    }
  }

  function repairPeer() {
    if (!pc || pc.connectionState === "connected") return;
    failedRestarts += 1;
    if (failedRestarts > 3) {
      showFallback("The video connection could not be made.");
      return;
    }
    announce("Reconnecting…");
    pc.restartIce();
  }

  async function onSignal(signal) {
    if (!admitted) return;
    var from = signal.from;
    if (signal.hello) {
      if (!pc || peerInstance !== signal.hello) {
        buildPeer(signal.hello);
      } else if (pc.connectionState === "failed" || pc.connectionState === "disconnected") {
        repairPeer();
      }
      if (signal.knows !== instance) sayHello();
      return;
    }
    if (signal.sdp) {
      if (!pc || peerInstance !== from) {
        if (signal.sdp.type !== "offer") return;
        buildPeer(from);
      }
      var description = signal.sdp;
      var collision =
        description.type === "offer" && (makingOffer || pc.signalingState !== "stable");
      ignoreOffer = !polite && collision;
      if (ignoreOffer) return;
      try {
        await pc.setRemoteDescription(description);
        await flushCandidates();
        if (description.type === "offer") {
          await pc.setLocalDescription();
          send({ type: "signal", data: { sdp: pc.localDescription.toJSON(), from: instance } });
        }
      } catch (error) {
        announce("The call could not be set up: " + error.message);
      }
      return;
    }
    if (signal.candidate && pc && peerInstance === from) {
      if (!pc.remoteDescription) {
        pendingCandidates.push(signal.candidate);
        return;
      }
      try {
        await pc.addIceCandidate(signal.candidate);
      } catch (error) {
        if (!ignoreOffer) announce("A network path was refused: " + error.message);
      }
    }
  }

  // ---------- controls ----------

  function setPressed(button, pressed, label) {
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    if (label) button.querySelector("[data-label]").textContent = label;
  }

  el.mute.addEventListener("click", async function () {
    if (hook.chime) {
      var muted = await hook.chime.setMuted(el.mute.getAttribute("aria-pressed") !== "true");
      setPressed(el.mute, muted, muted ? "Unmute" : "Mute");
      announce(muted ? "Your microphone is muted." : "Your microphone is on.");
      return;
    }
    if (!localStream) return;
    var track = localStream.getAudioTracks()[0];
    if (!track) return;
    track.enabled = !track.enabled;
    setPressed(el.mute, !track.enabled, track.enabled ? "Mute" : "Unmute");
    announce(track.enabled ? "Your microphone is on." : "Your microphone is muted.");
  });

  el.cameraToggle.addEventListener("click", async function () {
    if (hook.chime) {
      var on = await hook.chime.setCamera(el.cameraToggle.getAttribute("aria-pressed") === "true");
      setPressed(el.cameraToggle, !on, on ? "Turn camera off" : "Turn camera on");
      announce(on ? "Your camera is on." : "Your camera is off.");
      return;
    }
    if (!localStream) return;
    var track = localStream.getVideoTracks()[0];
    if (!track) return;
    track.enabled = !track.enabled;
    setPressed(
      el.cameraToggle,
      !track.enabled,
      track.enabled ? "Turn camera off" : "Turn camera on",
    );
    announce(track.enabled ? "Your camera is on." : "Your camera is off.");
  });

  el.screen.addEventListener("click", async function () {
    if (hook.chime) {
      try {
        if (hook.chime.sharing) hook.chime.stopScreenShare();
        else await hook.chime.startScreenShare();
      } catch (error) {
        announce("Screen sharing did not start.");
      }
      var sharing = hook.chime.sharing;
      setPressed(el.screen, sharing, sharing ? "Stop sharing" : "Share screen");
      announce(sharing ? "You are sharing your screen." : "You stopped sharing your screen.");
      return;
    }
    if (screenStream) {
      stopScreenShare();
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) {
      announce("This browser cannot share its screen.");
      return;
    }
    try {
      screenStream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (error) {
      announce("Screen sharing did not start.");
      return;
    }
    var track = screenStream.getVideoTracks()[0];
    track.addEventListener("ended", stopScreenShare);
    // A second video track on its own stream: the other side tells it from the camera by
    // that, and negotiationneeded renegotiates the new transceiver.
    if (pc) screenSender = pc.addTrack(track, screenStream);
    setPressed(el.screen, true, "Stop sharing");
    announce("You are sharing your screen.");
  });

  function stopScreenShare() {
    if (!screenStream) return;
    stopStream(screenStream);
    screenStream = null;
    if (pc && screenSender) {
      try {
        pc.removeTrack(screenSender);
      } catch (error) {
        // The connection closed already.
      }
    }
    screenSender = null;
    setPressed(el.screen, false, "Share screen");
    announce("You stopped sharing your screen.");
  }

  var audioOnly = false;

  el.audioOnly.addEventListener("click", function () {
    audioOnly = !audioOnly;
    if (hook.chime) hook.chime.setAudioOnly(audioOnly);
    if (cameraTransceiver) {
      // "inactive" renegotiates, so neither side sends video: the point on a weak line.
      cameraTransceiver.direction = audioOnly ? "inactive" : localStream ? "sendrecv" : "recvonly";
    }
    if (localStream) {
      localStream.getVideoTracks().forEach(function (track) {
        track.enabled = !audioOnly;
      });
    }
    root.dataset.audioOnly = audioOnly ? "true" : "false";
    el.cameraToggle.disabled = audioOnly;
    setPressed(el.audioOnly, audioOnly, audioOnly ? "Turn video back on" : "Audio only");
    send({ type: "media", audio_only: audioOnly });
    announce(audioOnly ? "Audio only: video is off for both of you." : "Video is back on.");
  });

  el.leave.addEventListener("click", function () {
    leaving = true;
    stopRecorder();
    // The server closes the socket on "leave" once it has recorded it; closing from here
    // at once could drop the frame unread. The timer covers a server that never answers.
    if (hook.chime) hook.chime.leave();
    var leavingSocket = socket;
    if (!send({ type: "leave" }) && leavingSocket) leavingSocket.close(1000);
    window.setTimeout(function () {
      if (leavingSocket && leavingSocket.readyState < WebSocket.CLOSING) leavingSocket.close(1000);
    }, 3000);
    closePeer();
    stopStream(localStream);
    stopScreenShare();
    show(el.left);
    setPhase("left");
    announce("You left the session.");
    el.left.querySelector("h2").focus();
  });

  if (el.admit) {
    el.admit.addEventListener("click", function () {
      send({ type: "admit" });
      el.admitBox.hidden = true;
      announce("You let " + otherName + " in.");
    });
  }

  // ---------- remaining time ----------

  var endsAt = Date.parse(data.endsAt);
  var countdownTimer = 0;
  var warnedFiveMinutes = false;

  function renderRemaining() {
    var minutes = Math.ceil((endsAt - Date.now()) / 60000);
    if (minutes <= 0) {
      el.remaining.textContent = "The session time is over.";
    } else {
      el.remaining.textContent =
        minutes === 1 ? "1 minute left" : minutes + " minutes left";
    }
    if (minutes === 5 && !warnedFiveMinutes) {
      warnedFiveMinutes = true;
      announce("Five minutes left in this session.");
    }
  }

  function startCountdown() {
    renderRemaining();
    window.clearInterval(countdownTimer);
    countdownTimer = window.setInterval(renderRemaining, 15000);
  }

  // ---------- chat and files ----------

  function whoLabel(from) {
    return from === role ? "You" : otherName;
  }

  function addChatLine(who, content, at) {
    var item = document.createElement("li");
    item.className = "room-chat__item";
    var name = document.createElement("strong");
    name.textContent = who + ": ";
    item.appendChild(name);
    item.appendChild(content);
    if (at) {
      var time = document.createElement("time");
      time.dateTime = at;
      time.className = "room-chat__time";
      time.textContent = new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      item.appendChild(document.createTextNode(" "));
      item.appendChild(time);
    }
    el.chatLog.appendChild(item);
    el.chatLog.scrollTop = el.chatLog.scrollHeight;
  }

  function addChat(message) {
    addChatLine(whoLabel(message.from), document.createTextNode(message.text), message.at);
  }

  function addFile(message) {
    var link = document.createElement("a");
    link.href = message.url;
    link.textContent = message.name;
    var content = document.createElement("span");
    content.appendChild(document.createTextNode("sent a file: "));
    content.appendChild(link);
    addChatLine(message.from ? whoLabel(message.from) : otherName, content, message.at);
  }

  el.chatForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = el.chatText.value.trim();
    if (!text) return;
    if (send({ type: "chat", text: text })) {
      el.chatText.value = "";
    } else {
      announce("Your message was not sent: reconnecting…");
    }
  });

  el.fileForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!el.fileInput.files.length) {
      el.fileStatus.textContent = "Choose a file to send.";
      el.fileInput.focus();
      return;
    }
    if (!el.fileConsent.checked) {
      el.fileStatus.textContent = "Tick the box to save the file to the care record.";
      el.fileConsent.focus();
      return;
    }
    el.fileStatus.textContent = "Sending…";
    var body = new FormData(el.fileForm);
    try {
      var response = await fetch(data.filesUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: body,
      });
      var result = await response.json();
      if (!response.ok) {
        el.fileStatus.textContent = result.detail || "The file was not sent.";
        return;
      }
      el.fileStatus.textContent = "Sent " + result.name + ". It is saved in the care record.";
      el.fileForm.reset();
    } catch (error) {
      el.fileStatus.textContent = "The file was not sent: check your connection and try again.";
    }
  });

  // ---------- recording ----------

  var recordingState = "stopped";
  var recorder = null;
  var recordedChunks = [];
  var recordingMix = null;

  function onRecording(message) {
    var consented = message.consented || {};
    var both = Boolean(consented.client && consented.practitioner);
    el.recordingConsent.checked = Boolean(consented[role]);
    recordingState = message.state;
    var recording = message.state === "recording";
    el.recordingIndicator.hidden = !recording;
    root.dataset.recording = recording ? "true" : "false";
    if (recording) {
      el.recordingState.textContent = "This session is being recorded. Either of you can stop it.";
    } else if (both) {
      el.recordingState.textContent = "You have both agreed. The practitioner can start recording.";
    } else {
      var waitingFor = consented[role] ? otherName + " has not agreed yet." : "";
      el.recordingState.textContent = ("Recording needs both of you to agree. " + waitingFor).trim();
    }
    if (el.recordingStart) {
      el.recordingStart.hidden = recording;
      el.recordingStart.disabled = !both;
    }
    el.recordingStop.hidden = !recording;
    announce(recording ? "Recording has started." : el.recordingState.textContent);
    if (role === "practitioner" && config && config.provider !== "chime") {
      if (recording) startRecorder();
      else stopRecorder();
    }
  }

  el.recordingConsent.addEventListener("change", function () {
    send({ type: "recording", action: el.recordingConsent.checked ? "consent" : "revoke" });
  });
  if (el.recordingStart) {
    el.recordingStart.addEventListener("click", function () {
      send({ type: "recording", action: "start" });
    });
  }
  el.recordingStop.addEventListener("click", function () {
    send({ type: "recording", action: "stop" });
  });

  function startRecorder() {
    if (recorder || !window.MediaRecorder) return;
    // One recording of both sides: the other person's video with both voices mixed.
    var context = new AudioContext();
    var destination = context.createMediaStreamDestination();
    [localStream, el.remote.srcObject].forEach(function (stream) {
      if (stream && stream.getAudioTracks().length) {
        context.createMediaStreamSource(stream).connect(destination);
      }
    });
    var tracks = destination.stream.getAudioTracks().slice();
    var remoteVideo = el.remote.srcObject && el.remote.srcObject.getVideoTracks()[0];
    if (remoteVideo) tracks.push(remoteVideo);
    recordingMix = context;
    recordedChunks = [];
    var mime = ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"].find(function (type) {
      return MediaRecorder.isTypeSupported(type);
    });
    recorder = new MediaRecorder(new MediaStream(tracks), mime ? { mimeType: mime } : {});
    hook.recorder = recorder;
    recorder.ondataavailable = function (event) {
      if (event.data && event.data.size) recordedChunks.push(event.data);
    };
    recorder.onstop = uploadRecording;
    recorder.start(5000);
  }

  function stopRecorder() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  async function uploadRecording() {
    var type = (recorder && recorder.mimeType) || "video/webm";
    var blob = new Blob(recordedChunks, { type: type.split(";")[0] });
    recorder = null;
    hook.recorder = null;
    if (recordingMix) recordingMix.close();
    recordingMix = null;
    if (!blob.size) return;
    var body = new FormData();
    var extension = type.indexOf("mp4") !== -1 ? "mp4" : "webm";
    body.append("file", blob, "session-recording." + extension);
    try {
      var response = await fetch(data.recordingUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: body,
      });
      var result = await response.json();
      hook.recordingUpload = response.status;
      announce(
        response.ok
          ? "The recording is saved to the care record."
          : result.detail || "The recording could not be saved.",
      );
    } catch (error) {
      announce("The recording could not be uploaded: check your connection.");
    }
  }

  // ---------- fallback ----------

  var fallbackForced = false;

  function showFallback(reason) {
    fallbackForced = true;
    el.fallback.hidden = false;
    root.dataset.fallback = "true";
    el.fallbackReason.textContent = reason;
    var phone = config && config.fallback_phone;
    if (phone) {
      el.fallbackPhone.textContent = "";
      var link = document.createElement("a");
      link.href = "tel:" + phone.replace(/[^+0-9]/g, "");
      link.textContent = phone;
      el.fallbackPhone.appendChild(document.createTextNode(
        role === "client" ? "Call " + otherName + " on " : "Call " + otherName + " or ask them to call you. Your session number: ",
      ));
      el.fallbackPhone.appendChild(link);
    }
    send({ type: "fallback", reason: reason });
    announce(reason + " You can continue by phone.");
  }

  // ---------- the live adapter (Amazon Chime) ----------

  var chimeStarted = false;

  async function startChime() {
    if (chimeStarted) return;
    chimeStarted = true;
    // The SDK opens the chosen devices itself; the preview's hold on them is released.
    var chosen = { audio: el.microphone.value || null, video: el.camera.value || null };
    if (meterFrame) cancelAnimationFrame(meterFrame);
    stopStream(localStream);
    el.remoteEmpty.hidden = true;
    var chime;
    try {
      chime = await import(data.chimeSrc);
    } catch (error) {
      showFallback("The video service could not be loaded.");
      return;
    }
    var api = chime.default || chime;
    if (!api || typeof api.start !== "function") {
      showFallback("The video service could not be loaded.");
      return;
    }
    try {
      hook.chime = await api.start({
        config: config,
        elements: {
          local: el.local,
          remote: el.remote,
          remoteScreen: el.remoteScreen,
        },
        devices: chosen,
        onStatus: announce,
        onScreen: function (active) {
          el.remoteScreenFigure.hidden = !active;
        },
        onEnded: function (reason) {
          if (reason === "failed") showFallback("The video connection could not be restored.");
        },
      });
    } catch (error) {
      showFallback("The video service could not start.");
    }
  }

  // ---------- start ----------

  el.join.addEventListener("click", async function () {
    el.join.disabled = true;
    if (meterContext) meterContext.resume();
    announce("Joining…");
    await connect();
    el.join.disabled = false;
  });

  window.addEventListener("pagehide", function () {
    if (!leaving) send({ type: "leave" });
  });

  setPhase("prejoin");
  openDevices();
})();
