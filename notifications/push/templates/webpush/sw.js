/* Aeyia's service worker, served from /sw.js so its scope is the whole site.
 *
 * Pages: network first. Page HTML is never stored unless the server marked it as an
 * anonymous marketing page (the X-Page-Cache header its page cache sets): a signed-in
 * page can hold health details and must never sit in a shared cache on a device. When a
 * navigation fails offline, a stored public page or the offline page answers.
 * App shell (offline page, CSS, icons): cached on install, then served from the cache
 * and refreshed in the background.
 * Push: shows the notification the payload describes (generic title and body only), and a
 * click focuses or opens the page it links to.
 */
"use strict";

const VERSION = "{{ version }}";
const SHELL_CACHE = `aeyia-shell-${VERSION}`;
const PAGES_CACHE = "aeyia-public-pages";
const PAGES_KEPT = 25;
const OFFLINE_URL = "{{ offline_url }}";
const SHELL_URLS = {{ shell_urls|safe }};
const ICON_URL = "{{ icon_url }}";
const BADGE_URL = "{{ badge_url }}";
// Paths whose answers are for one person or one program: never touched here.
const PASS_THROUGH = ["/api/", "/ws/", "/cms/", "/django-admin/", "/accounts/", "/_allauth/", "/webhooks/"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) =>
      // credentials "omit": the shell, the offline page included, is what anyone sees.
      cache.addAll(SHELL_URLS.map((url) => new Request(url, { credentials: "omit", cache: "reload" })))
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(
        names
          .filter((name) => name.startsWith("aeyia-shell-") && name !== SHELL_CACHE)
          .map((name) => caches.delete(name))
      )
    ).then(() => self.clients.claim())
  );
});

async function trimPages(cache) {
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - PAGES_KEPT)).map((key) => cache.delete(key)));
}

async function networkFirstPage(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.has("X-Page-Cache") && response.type === "basic") {
      const copy = response.clone();
      event.waitUntil(
        caches.open(PAGES_CACHE).then((cache) => cache.put(request, copy).then(() => trimPages(cache)))
      );
    }
    return response;
  } catch (error) {
    const stored = await caches.match(request, { cacheName: PAGES_CACHE });
    if (stored) {
      return stored;
    }
    const offline = await caches.match(OFFLINE_URL, { cacheName: SHELL_CACHE });
    return offline || Response.error();
  }
}

async function shellAsset(event) {
  const cache = await caches.open(SHELL_CACHE);
  const stored = await cache.match(event.request);
  const refreshed = fetch(event.request).then((response) => {
    if (response.ok) {
      cache.put(event.request, response.clone());
    }
    return response;
  });
  if (stored) {
    event.waitUntil(refreshed.catch(() => undefined));
    return stored;
  }
  return refreshed;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || PASS_THROUGH.some((prefix) => url.pathname.startsWith(prefix))) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(event));
    return;
  }
  if (SHELL_URLS.includes(url.pathname)) {
    event.respondWith(shellAsset(event));
  }
});

function sameOriginPath(value) {
  try {
    const url = new URL(value || "/", self.location.origin);
    return url.origin === self.location.origin ? url.pathname + url.search + url.hash : "/";
  } catch (error) {
    return "/";
  }
}

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  const title = typeof message.title === "string" && message.title ? message.title : "Aeyia";
  const options = {
    body: typeof message.body === "string" ? message.body : "",
    tag: typeof message.tag === "string" && message.tag ? message.tag : undefined,
    icon: ICON_URL,
    badge: BADGE_URL,
    data: { url: sameOriginPath(message.url) },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(sameOriginPath(event.notification.data && event.notification.data.url), self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === target && "focus" in client);
      if (open) {
        return open.focus();
      }
      return self.clients.openWindow(target);
    })
  );
});
