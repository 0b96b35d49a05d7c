// Form pages: a message box with a length limit (data-max-length) shows how many
// characters are left, announced politely to screen readers; the server refuses a longer
// message with an error next to the box, so this is a help, not the check.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-max-length]").forEach(function (box) {
    var limit = parseInt(box.dataset.maxLength, 10);
    var counter = document.createElement("p");
    counter.className = "field__help field__counter";
    counter.id = box.id + "_counter";
    counter.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", counter);
    box.setAttribute(
      "aria-describedby",
      ((box.getAttribute("aria-describedby") || "") + " " + counter.id).trim()
    );
    function update() {
      var left = limit - box.value.length;
      counter.textContent =
        left >= 0
          ? left.toLocaleString("en-GB") + " characters left"
          : (-left).toLocaleString("en-GB") + " characters too many";
      counter.classList.toggle("field__counter--over", left < 0);
    }
    box.addEventListener("input", update);
    update();
  });
})();
