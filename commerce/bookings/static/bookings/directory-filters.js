// The directory's filters are a <details> disclosure: closed on phones so the results
// come first, always open on wide screens (where the summary is hidden by directory.css).
(function () {
  "use strict";
  var filters = document.querySelector("details[data-open-wide]");
  if (!filters || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 56rem)");
  function follow() {
    if (wide.matches) {
      filters.open = true;
    }
  }
  follow();
  wide.addEventListener("change", follow);
})();
