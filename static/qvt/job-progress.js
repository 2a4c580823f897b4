// Report job progress: polls the job's JSON status and moves the progress bar; reloads the
// page once the job is finished (download link or error). Without JS, the page reloads itself.
(function () {
  "use strict";
  var box = document.querySelector(".qvt-report-job");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-job-progress-text]");
  var badge = box.querySelector("[data-job-status]");
  var delay = 1000;

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (job) {
        if (bar) { bar.value = job.progress; bar.textContent = job.progress + " %"; }
        if (text) { text.textContent = job.progress + " % — " + job.status_label.toLowerCase() + "."; }
        if (badge) { badge.textContent = job.status_label; }
        if (job.finished) { window.location.reload(); return; }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);  // server busy or offline: back off
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
