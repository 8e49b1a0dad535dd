// Tip detail: picking a suggested premises fills the target id; poster print button.
(function () {
  "use strict";
  document.querySelectorAll("[data-fill-target]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var input = document.querySelector(radio.getAttribute("data-fill-target"));
      if (input && radio.checked) { input.value = radio.value; }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });
})();
