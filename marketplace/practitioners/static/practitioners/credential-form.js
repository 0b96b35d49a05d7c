// The credential form: a field that is required only for some types ("required for a
// licence or registration") says "required" or "optional" for the type chosen, and
// tells assistive technology too. Without this script the label names the types.
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  if (!kind) {
    return;
  }
  var fields = document.querySelectorAll("[data-required-for]");

  function update() {
    fields.forEach(function (field) {
      var required = field.dataset.requiredFor.split(" ").indexOf(kind.value) !== -1;
      var label = document.querySelector("label[for='" + field.id + "']");
      var note = label && label.querySelector("[data-required-note]");
      if (note) {
        note.textContent = required ? "(required)" : "(optional)";
      }
      field.setAttribute("aria-required", required ? "true" : "false");
    });
  }

  kind.addEventListener("change", update);
  update();
})();
