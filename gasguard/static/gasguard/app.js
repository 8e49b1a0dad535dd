// GasGuard shared behaviour. No inline scripts (CSP script-src 'self'): pages opt in through
// data- attributes.
(function () {
  "use strict";
  // htmx sends the CSRF token from the cookie-less meta pattern: read it from any form.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { event.detail.headers["X-CSRFToken"] = input.value; }
  });
  // <select data-autosubmit> submits its form on change (filters on phones).
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form && el.form.submit(); });
  });
  // <button data-confirm="…"> asks before submitting.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();
