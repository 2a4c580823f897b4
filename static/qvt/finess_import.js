/* Import FINESS page: poll the job's JSON status, show its progress, reload once it is over
   (the finished page is rendered by the server). Without JavaScript the page offers a link. */
(function () {
  "use strict";
  var box = document.querySelector("[data-finess-import-status]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-finess-import-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-status-text]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        bar.value = state.progress;
        bar.textContent = state.progress + " %";
        text.textContent = state.status_label + " — " + state.progress + " %";
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 500);
})();
