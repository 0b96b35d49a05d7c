// The site header on small screens: the navigation folds behind a "Menu" button
// (aria-expanded, Escape closes it and returns focus). Without this script the button
// stays hidden and the navigation shows in full, as on wide screens.
(function () {
  "use strict";
  var header = document.querySelector("[data-site-header]");
  var button = header && header.querySelector("[data-menu-button]");
  var nav = header && document.getElementById(button ? button.getAttribute("aria-controls") : "");
  if (!header || !button || !nav) {
    return;
  }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("is-menu-open", open);
  }

  header.classList.add("has-menu");
  button.hidden = false;
  setOpen(false);

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
