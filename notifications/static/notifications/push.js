/* The "Push notifications on this device" toggle on the notification settings page.
 *
 * Permission is asked only when the person presses "Turn on" (browsers penalise sites that
 * ask on load, and people deserve the explanation first). The subscription comes from the
 * site's service worker registration with our VAPID public key and is stored on the
 * server, which answers whether this browser's subscription is the signed-in person's:
 * on a shared device it may belong to whoever turned push on before. */
(() => {
  const root = document.querySelector("[data-push-toggle]");
  if (!root) {
    return;
  }
  const status = root.querySelector("[data-push-status]");
  const onButton = root.querySelector("[data-push-on]");
  const offButton = root.querySelector("[data-push-off]");
  const denied = root.querySelector("[data-push-denied]");
  const unsupported = root.querySelector("[data-push-unsupported]");
  const endpointUrl = root.dataset.subscriptionsUrl;
  const SUBSCRIBE_TIMEOUT_MS = 30000;

  const supported =
    window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    unsupported.hidden = false;
    return;
  }

  function applicationServerKey() {
    const base64 = root.dataset.publicKey.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
  }

  function send(method, body) {
    return fetch(endpointUrl, {
      method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": root.dataset.csrfToken,
      },
      body: JSON.stringify(body),
    });
  }

  async function registration() {
    const existing = await navigator.serviceWorker.getRegistration("/");
    if (existing) {
      return existing;
    }
    return navigator.serviceWorker.ready;
  }

  async function storedForThisPerson(subscription) {
    const response = await fetch(`${endpointUrl}?endpoint=${encodeURIComponent(subscription.endpoint)}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      return false;
    }
    const answer = await response.json();
    return answer.subscribed === true;
  }

  function show(state, message) {
    onButton.hidden = state !== "off";
    offButton.hidden = state !== "on";
    denied.hidden = state !== "denied";
    status.textContent = message;
  }

  function busy(isBusy) {
    onButton.disabled = isBusy;
    offButton.disabled = isBusy;
    root.setAttribute("aria-busy", isBusy ? "true" : "false");
  }

  async function render() {
    if (Notification.permission === "denied") {
      show("denied", "Push notifications are blocked for Aeyia in this browser.");
      return;
    }
    const reg = await registration();
    const subscription = await reg.pushManager.getSubscription();
    if (subscription && (await storedForThisPerson(subscription))) {
      show("on", "Push notifications are on for this device.");
    } else {
      show("off", "Push notifications are off for this device.");
    }
  }

  // A browser whose push service cannot be reached may never answer; say so instead of
  // waiting forever.
  function withinTime(promise) {
    let timer;
    const timeout = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("the push service did not answer")), SUBSCRIBE_TIMEOUT_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  async function subscribe(reg) {
    const options = { userVisibleOnly: true, applicationServerKey: applicationServerKey() };
    try {
      return await reg.pushManager.subscribe(options);
    } catch (error) {
      // A subscription made with an earlier server key must be replaced, not reused.
      const previous = await reg.pushManager.getSubscription();
      if (!previous) {
        throw error;
      }
      await previous.unsubscribe();
      return reg.pushManager.subscribe(options);
    }
  }

  async function turnOn() {
    busy(true);
    status.textContent = "Asking your browser for permission…";
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        await render();
        if (permission === "default") {
          status.textContent = "Push notifications are still off: your browser’s question was closed without an answer.";
        }
        return;
      }
      status.textContent = "Turning on push notifications…";
      const reg = await registration();
      const subscription = await withinTime(subscribe(reg));
      const response = await send("POST", subscription.toJSON());
      if (!response.ok) {
        throw new Error(`subscription refused (${response.status})`);
      }
      await render();
    } catch (error) {
      show("off", "We couldn’t turn on push notifications in this browser. Please try again later.");
    } finally {
      busy(false);
    }
    // The pressed button may now be hidden: keep keyboard focus on the toggle.
    (offButton.hidden ? onButton : offButton).focus();
  }

  async function turnOff() {
    busy(true);
    try {
      const reg = await registration();
      const subscription = await reg.pushManager.getSubscription();
      if (subscription) {
        const response = await send("DELETE", { endpoint: subscription.endpoint });
        if (!response.ok && response.status !== 404) {
          throw new Error(`could not remove the subscription (${response.status})`);
        }
        await subscription.unsubscribe();
      }
      await render();
    } catch (error) {
      status.textContent = "We couldn’t turn off push notifications. Please try again.";
    } finally {
      busy(false);
    }
    (onButton.hidden ? offButton : onButton).focus();
  }

  onButton.addEventListener("click", turnOn);
  offButton.addEventListener("click", turnOff);
  render().catch(() => show("off", "Push notifications are off for this device."));
})();
