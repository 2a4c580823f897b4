// The error summary of a form sent back with errors takes the focus, so screen readers announce
// it; its links move the focus to the field (a plain anchor would only scroll).
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    var label = document.querySelector("label[for='" + field.id + "']");
    (field.closest("fieldset") || label || field).scrollIntoView();
  });
})();
