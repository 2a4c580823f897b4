// Members page: search establishments while typing (the form works without this script).
(function () {
  "use strict";
  var form = document.getElementById("recherche-etablissement");
  if (!form || !window.fetch) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var results = document.getElementById(form.dataset.results);
  var timer = null;
  var latest = 0;

  function search() {
    var query = input.value.trim();
    if (query.length < 2) {
      return;
    }
    var params = new URLSearchParams({ q: query });
    var ticket = ++latest;
    window.history.replaceState(null, "", "?" + params.toString());
    params.set("partiel", "1");
    fetch("?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && ticket === latest) {
          results.innerHTML = html; // server-rendered partial, escaped by Django templates
        }
      })
      .catch(function () {
        // Keep the current results: the search button still works.
      });
  }

  input.setAttribute("autocomplete", "off");
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 300);
  });
})();
