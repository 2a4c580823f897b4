// Keep a draft of long forms (form[data-draft]: cluster, session, phase, experiment, monograph)
// in this browser, so that nothing typed is lost when the session expires before it is sent.
//
// - The draft is kept in localStorage under "qvt-draft:<user id>:<form page path>", saved as the
//   person types, and marked "sent" when the form is submitted (with a hidden qvt_draft_kept
//   field, so that the server can say on the login page that the text was kept).
// - On the next page: if it is the login page, the post did not go through (the session had
//   expired): the draft stays. On a page of the same user, the post was received: the draft goes.
// - On the form's page, a draft that differs from the form is offered for restoring (DSFR alert
//   with "Restaurer" and "Supprimer le brouillon").
// - Drafts older than MAX_AGE and the drafts of a person who signs out are deleted: this browser
//   may be shared.
// Loaded on every page (templates/base.html); pages work the same without JavaScript.
(function () {
  "use strict";
  var PREFIX = "qvt-draft:";
  var MAX_AGE = 24 * 3600 * 1000;
  var script = document.currentScript;
  var store;
  try { store = window.localStorage; } catch (error) { return; }
  if (!script || !store) { return; }
  var user = script.dataset.user || "";
  var loginUrl = script.dataset.loginUrl;
  var logoutUrl = script.dataset.logoutUrl;
  var onLoginPage = window.location.pathname === loginUrl;

  function read(key) {
    try { return JSON.parse(store.getItem(key)); } catch (error) { return null; }
  }

  function draftKeys() {
    var keys = [];
    for (var i = 0; i < store.length; i += 1) {
      if (store.key(i).indexOf(PREFIX) === 0) { keys.push(store.key(i)); }
    }
    return keys;
  }

  // Housekeeping on every page.
  draftKeys().forEach(function (key) {
    var draft = read(key);
    if (!draft || Date.now() - draft.savedAt > MAX_AGE) { store.removeItem(key); return; }
    if (draft.sent && !onLoginPage && user && key.indexOf(PREFIX + user + ":") === 0) {
      store.removeItem(key);  // the server received the post: the form holds it now
    } else if (draft.sent && onLoginPage) {
      draft.sent = false;  // the post was refused (session expired): keep it for restoring
      draft.interrupted = true;
      store.setItem(key, JSON.stringify(draft));
    }
  });

  if (logoutUrl && user) {
    document.querySelectorAll("form[action='" + logoutUrl + "']").forEach(function (form) {
      form.addEventListener("submit", function () {
        draftKeys().forEach(function (key) {
          if (key.indexOf(PREFIX + user + ":") === 0) { store.removeItem(key); }
        });
      });
    });
  }

  if (!user) { return; }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") { return false; }
      if (field.name === "qvt_draft_kept") { return false; }
      return ["hidden", "password", "file", "submit", "button", "reset"].indexOf(field.type) < 0;
    });
  }

  function snapshot(form) {
    var values = {};
    fields(form).forEach(function (field) {
      var value;
      if (field.type === "checkbox" || field.type === "radio") {
        values[field.name] = values[field.name] || [];
        if (field.checked) { values[field.name].push(field.value); }
        return;
      }
      if (field.tagName === "SELECT" && field.multiple) {
        value = Array.prototype.filter.call(field.options, function (option) {
          return option.selected;
        }).map(function (option) { return option.value; });
      } else {
        value = field.value;
      }
      values[field.name] = value;
    });
    return values;
  }

  function fill(form, values) {
    fields(form).forEach(function (field) {
      if (!(field.name in values)) { return; }
      var value = values[field.name];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) >= 0;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = Array.isArray(value) && value.indexOf(option.value) >= 0;
        });
      } else {
        field.value = value;
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function when(savedAt) {
    var date = new Date(savedAt);
    return date.toLocaleDateString("fr-FR") + " à " + date.getHours() + " h " +
      String(date.getMinutes()).padStart(2, "0");
  }

  function offer(form, key, draft) {
    var box = document.createElement("div");
    box.className = "fr-alert fr-alert--info fr-mb-3w qvt-draft-offer";
    box.setAttribute("role", "status");
    var title = document.createElement("h2");
    title.className = "fr-alert__title";
    title.textContent = draft.interrupted
      ? "Votre saisie n'a pas été envoyée"
      : "Un brouillon de ce formulaire est conservé dans ce navigateur";
    var text = document.createElement("p");
    text.textContent = "Texte saisi le " + when(draft.savedAt) +
      (draft.interrupted ? ", avant l'expiration de votre session." : ".") +
      " Voulez-vous le restaurer dans le formulaire ?";
    var buttons = document.createElement("ul");
    buttons.className = "fr-btns-group fr-btns-group--inline-sm fr-mt-2w";
    function button(label, secondary, action) {
      var item = document.createElement("li");
      var element = document.createElement("button");
      element.type = "button";
      element.className = "fr-btn fr-btn--sm" + (secondary ? " fr-btn--secondary" : "");
      element.textContent = label;
      element.addEventListener("click", action);
      item.appendChild(element);
      buttons.appendChild(item);
      return element;
    }
    button("Restaurer le brouillon", false, function () {
      fill(form, draft.values);
      box.remove();
      var first = fields(form)[0];
      if (first) { first.focus(); }
    });
    button("Supprimer le brouillon", true, function () {
      store.removeItem(key);
      box.remove();
    });
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(buttons);
    form.parentNode.insertBefore(box, form);
  }

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = PREFIX + user + ":" + window.location.pathname;
    var draft = read(key);
    if (draft && !same(draft.values, snapshot(form))) { offer(form, key, draft); }
    var pending = null;
    function save(sent) {
      window.clearTimeout(pending);
      var entry = { savedAt: Date.now(), values: snapshot(form), sent: sent };
      try { store.setItem(key, JSON.stringify(entry)); } catch (error) { /* storage full */ }
    }
    function changed() {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { save(false); }, 500);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      save(true);
      var marker = form.querySelector("input[name='qvt_draft_kept']");
      if (!marker) {
        marker = document.createElement("input");
        marker.type = "hidden";
        marker.name = "qvt_draft_kept";
        form.appendChild(marker);
      }
      marker.value = "1";
    });
  });
})();
