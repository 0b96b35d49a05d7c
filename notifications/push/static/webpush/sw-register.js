/* Registers the site's service worker (/sw.js, scope "/") on every page: it makes the site
 * installable, answers with the offline page when there is no connection, and shows push
 * notifications. updateViaCache "none": the browser always asks the server for a newer
 * worker instead of trusting an HTTP cache. */
(() => {
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script || !script.dataset.serviceWorker) {
    return;
  }
  const url = script.dataset.serviceWorker;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(url, { scope: "/", updateViaCache: "none" }).catch(() => {
      // Private windows and some embedded browsers refuse workers; the site works without.
    });
  });
})();
