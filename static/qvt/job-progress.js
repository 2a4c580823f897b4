// Every job page (reports, FINESS imports, ...): polls the job's JSON status (core.views
// job_status_view), moves the progress bar and the status line, and reloads the page once the
// job is finished (the server renders the result). Without JavaScript, the page refreshes itself.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-job-text]");
  var badge = document.querySelector("[data-job-status]");
  var delay = 1000;

  function show(job) {
    if (bar) { bar.value = job.progress; bar.textContent = job.progress + " %"; }
    // Written only when it changes: screen readers announce every change of a role=status line.
    if (text && text.textContent !== job.text) { text.textContent = job.text; }
    if (badge) { badge.textContent = job.status_label; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.finished) { window.location.reload(); return; }
        delay = job.waiting_for_broker ? 5000 : 1000;  // the broker is down: no hurry
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);  // server busy or offline: back off
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, 500);
})();
