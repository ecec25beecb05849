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
  // htmx 2 drops 4xx/5xx answers. Show them when they are meant to be seen:
  // a boosted page or form (a whole page: the form with its errors, an error
  // page), or a fragment the server aimed at the flash area (HX-Retarget).
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status < 400) { return; }
    if (evt.detail.boosted || xhr.getResponseHeader("HX-Retarget")) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  // Copy buttons: <button data-copy="text">.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-copy]");
    if (!btn || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(btn.getAttribute("data-copy")).then(function () {
      var old = btn.textContent; btn.textContent = "Copied"; setTimeout(function () { btn.textContent = old; }, 1500);
    });
  });
})();
