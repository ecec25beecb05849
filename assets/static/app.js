// Palisade's only script besides htmx. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  // Every htmx request carries the CSRF token, as forms do with their hidden field.
  document.addEventListener("htmx:configRequest", function (evt) {
    var t = csrfToken();
    if (t) { evt.detail.headers["X-CSRF-Token"] = t; }
  });
  // A boosted page or form answered 4xx/5xx is a whole page (the form with its errors, an error page): show it, as htmx 2 otherwise drops it.
  document.addEventListener("htmx:beforeSwap", function (evt) { if (evt.detail.boosted && evt.detail.xhr.status >= 400) { evt.detail.shouldSwap = true; evt.detail.isError = false; } });
  // Copy buttons: <button data-copy="text">.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-copy]");
    if (!btn || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(btn.getAttribute("data-copy")).then(function () {
      var old = btn.textContent; btn.textContent = "Copied"; setTimeout(function () { btn.textContent = old; }, 1500);
    });
  });
})();
