// Warn before the session ends for inactivity, and offer to stay signed in.
// Loaded on every page of a signed-in user (templates/base.html); the endpoint is
// accounts:session-keep-alive: GET says how long is left (not counted as activity), POST is
// activity. The warning is a DSFR alert inside an aria-live region, so screen readers announce it
// without the focus being taken from what the person is typing.
(function () {
  "use strict";
  var script = document.currentScript;
  var main = document.getElementById("contenu");
  if (!script || !main || !window.fetch) { return; }
  var url = script.dataset.keepAliveUrl;
  var loginUrl = script.dataset.loginUrl;
  var warnBefore = parseInt(script.dataset.warnBefore, 10) || 120;
  var csrfToken = script.dataset.csrfToken;
  var timer = null;

  var region = document.createElement("div");
  region.className = "qvt-session-warning";
  region.setAttribute("aria-live", "assertive");
  region.setAttribute("aria-atomic", "true");
  region.id = "avertissement-session";
  main.insertBefore(region, main.firstChild);

  function later(seconds, callback) {
    window.clearTimeout(timer);
    timer = window.setTimeout(callback, Math.max(1, seconds) * 1000);
  }

  function ask(method) {
    var options = { method: method, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json" } };
    if (method === "POST") { options.headers["X-CSRFToken"] = csrfToken; }
    return window.fetch(url, options).then(function (response) {
      // Signed out: the server answers with a redirect to the login page.
      if (response.type === "opaqueredirect" || !response.ok) { return null; }
      return response.json();
    });
  }

  function clock(seconds) {
    var end = new Date(Date.now() + seconds * 1000);
    var minutes = String(end.getMinutes()).padStart(2, "0");
    return end.getHours() + " h " + minutes;
  }

  function alertBox(kind, title, text) {
    var box = document.createElement("div");
    box.className = "fr-alert fr-alert--" + kind + " fr-mb-3w";
    var heading = document.createElement("h2");
    heading.className = "fr-alert__title";
    heading.textContent = title;
    var paragraph = document.createElement("p");
    paragraph.textContent = text;
    box.appendChild(heading);
    box.appendChild(paragraph);
    return box;
  }

  function showWarning(status) {
    var box = alertBox("warning", "Votre session va bientôt expirer",
      status.renewable
        ? "Sans activité de votre part, vous serez déconnecté(e) à " + clock(status.remaining) +
          ". Ce que vous saisissez dans un formulaire long est conservé dans ce navigateur."
        : "Votre session se termine à " + clock(status.remaining) +
          " (durée maximale de connexion) : enregistrez votre travail.");
    if (status.renewable) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "fr-btn fr-btn--sm fr-mt-2w";
      button.textContent = "Rester connecté";
      button.addEventListener("click", stayConnected);
      box.appendChild(button);
    }
    region.replaceChildren(box);
    later(status.remaining + 1, check);
  }

  function showExpired() {
    var box = alertBox("error", "Votre session a expiré",
      "Le texte saisi dans ce formulaire n'a pas été envoyé ; s'il s'agit d'un formulaire long, " +
      "il est conservé dans ce navigateur et vous sera proposé après reconnexion.");
    var link = document.createElement("a");
    link.className = "fr-link";
    link.href = loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
    link.textContent = "Se reconnecter";
    var paragraph = document.createElement("p");
    paragraph.appendChild(link);
    box.appendChild(paragraph);
    region.replaceChildren(box);
  }

  function schedule(status) {
    if (status === null || status.remaining <= 0) { showExpired(); return; }
    if (status.remaining > warnBefore) {
      region.replaceChildren();
      later(status.remaining - warnBefore, check);
    } else {
      showWarning(status);
    }
  }

  function check() {
    ask("GET").then(schedule).catch(function () { later(30, check); });
  }

  function stayConnected() {
    ask("POST").then(function (status) {
      schedule(status);
      if (status !== null) {
        region.replaceChildren(alertBox("success", "Session prolongée",
          "Vous restez connecté(e)."));
        window.setTimeout(function () {
          if (region.querySelector(".fr-alert--success")) { region.replaceChildren(); }
        }, 5000);
      }
    }).catch(function () { later(30, check); });
  }

  check();
})();
