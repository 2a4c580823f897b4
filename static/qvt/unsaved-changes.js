// Warn before leaving a form with unsaved changes (forms marked data-unsaved-warning).
// An optional enhancement: pages work the same without JavaScript.
(function () {
  "use strict";
  var dirty = false;
  var forms = document.querySelectorAll("form[data-unsaved-warning]");
  forms.forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to show their own message
  });
})();
