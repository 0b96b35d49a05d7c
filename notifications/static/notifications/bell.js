// The header bell's live unread count. A WebSocket (ws/notifications/) pushes the count
// whenever it changes; while there is no socket (never opened, dropped, refused) the page
// polls the JSON count once a minute, and not at all while the tab is hidden. Reconnects
// back off from 2 s to 5 min. Changes are said once in the polite live region; the link's
// own name always carries the current count.
(function () {
  "use strict";
  var bell = document.querySelector("[data-notification-bell]");
  if (!bell) {
    return;
  }
  var label = bell.querySelector("[data-bell-label]");
  var badge = bell.querySelector("[data-bell-badge]");
  var live = document.querySelector("[data-bell-live]");
  var unreadUrl = bell.getAttribute("data-unread-url");
  var socketPath = bell.getAttribute("data-socket-path");

  var POLL_MS = 60 * 1000;
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 5 * 60 * 1000;
  var NOT_SIGNED_IN = 4401;

  var current = parseInt(badge && !badge.hidden ? badge.textContent : "0", 10) || 0;
  var socket = null;
  var socketOpen = false;
  var retryMs = RETRY_FIRST_MS;
  var retryTimer = null;
  var pollTimer = null;
  var stopped = false;

  function describe(count) {
    return count === 0 ? "none unread" : count + " unread";
  }

  function show(count) {
    if (typeof count !== "number" || count < 0 || !isFinite(count)) {
      return;
    }
    count = Math.floor(count);
    if (label) {
      label.textContent = "Notifications, " + describe(count);
    }
    if (badge) {
      badge.textContent = count > 99 ? "99+" : String(count);
      badge.hidden = count === 0;
    }
    if (count !== current && live) {
      live.textContent =
        count > current
          ? "New notification. " + count + " unread."
          : count === 0
            ? "All notifications read."
            : count + " unread notifications.";
    }
    current = count;
    document.dispatchEvent(new CustomEvent("notifications:unread", { detail: { count: count } }));
  }

  // ---------- Polling (when there is no socket) ----------

  function poll() {
    if (stopped || document.hidden || !unreadUrl || !window.fetch) {
      return;
    }
    window
      .fetch(unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          // Signed out (or the session expired): nothing more to count on this page.
          stop();
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && typeof data.unread === "number") {
          show(data.unread);
        }
      })
      .catch(function () {
        // Offline for a moment: the next poll tries again.
      });
  }

  // Which way the count arrives now ("socket" or "poll"): for the browser tests and for
  // anyone looking at the page in developer tools.
  function mode(name) {
    bell.setAttribute("data-bell-mode", name);
  }

  function startPolling() {
    mode("poll");
    if (pollTimer === null && !stopped) {
      pollTimer = window.setInterval(poll, POLL_MS);
    }
  }

  function stopPolling() {
    if (pollTimer !== null) {
      window.clearInterval(pollTimer);
      pollTimer = null;
    }
  }

  function stop() {
    stopped = true;
    mode("stopped");
    stopPolling();
    if (retryTimer !== null) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (socket) {
      socket.close();
    }
  }

  // ---------- The socket ----------

  function connect() {
    retryTimer = null;
    if (stopped || !socketPath || !("WebSocket" in window)) {
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new window.WebSocket(scheme + window.location.host + socketPath);
    } catch (error) {
      socket = null;
      scheduleReconnect();
      return;
    }
    socket.addEventListener("open", function () {
      socketOpen = true;
      mode("socket");
      retryMs = RETRY_FIRST_MS;
      stopPolling();
    });
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (data && data.type === "notifications.unread") {
        show(data.count);
      }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      socketOpen = false;
      if (stopped) {
        return;
      }
      if (event.code === NOT_SIGNED_IN) {
        // The session ended; the poll confirms it (401) and stops.
        poll();
        stop();
        return;
      }
      startPolling();
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (stopped || retryTimer !== null) {
      return;
    }
    startPolling();
    // Jitter, so a server restart is not met by every open tab at the same instant.
    var wait = retryMs / 2 + Math.random() * (retryMs / 2);
    retryTimer = window.setTimeout(connect, wait);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden || stopped) {
      return;
    }
    // Back on the tab: catch up at once rather than on the next tick.
    if (socketOpen && socket) {
      socket.send(JSON.stringify({ type: "refresh" }));
    } else {
      poll();
    }
  });

  if (socketPath && "WebSocket" in window) {
    connect();
  } else {
    startPolling();
  }
})();
