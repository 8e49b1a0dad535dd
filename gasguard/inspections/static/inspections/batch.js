// Batch page: a header checkbox selects every task on the page for assignment.
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var name = box.getAttribute("data-check-all");
      document.querySelectorAll("input[name='" + name + "']").forEach(function (el) { el.checked = box.checked; });
    });
  });
})();
