// The checklist form: live verdict per item (合格/隐患), 不适用 disables the inputs, 立行立改 only
// for hazards, and "其余未答项均合格" fills unanswered yes/no and choice items with the safe answer.
// The server re-validates everything; this only helps on site.
(function () {
  "use strict";
  var form = document.querySelector("form[data-checklist]");
  if (!form) { return; }
  var cards = Array.prototype.slice.call(form.querySelectorAll("[data-rule]"));

  function hazardChoices(card) {
    var el = document.getElementById(card.getAttribute("data-rule"));
    try { return el ? JSON.parse(el.textContent) : []; } catch (e) { return []; }
  }
  function value(card) {
    var type = card.getAttribute("data-type");
    var id = card.getAttribute("data-rule");
    if (type === "bool") {
      var checked = card.querySelector("input[name='v_" + id + "']:checked");
      return checked ? checked.value : "";
    }
    var input = card.querySelector("[name='v_" + id + "']");
    return input ? input.value : "";
  }
  function isHazard(card) {
    var type = card.getAttribute("data-type"), v = value(card);
    if (v === "") { return null; }
    if (type === "bool") { return v === card.getAttribute("data-hazard-when"); }
    if (type === "number") {
      var n = parseFloat(v), t = parseFloat(card.getAttribute("data-threshold"));
      if (isNaN(n) || isNaN(t)) { return null; }
      switch (card.getAttribute("data-operator")) {
        case ">": return n > t;
        case ">=": return n >= t;
        case "<": return n < t;
        case "<=": return n <= t;
      }
      return null;
    }
    if (type === "choice") { return hazardChoices(card).indexOf(v) >= 0; }
    return null;
  }
  function refresh(card) {
    var id = card.getAttribute("data-rule");
    var na = card.querySelector("input[name='na_" + id + "']");
    var fix = card.querySelector("input[name='fix_" + id + "']");
    var verdict = card.querySelector("[data-verdict]");
    var off = na && na.checked;
    card.querySelectorAll(".answer-input input, .answer-input select, .answer-input textarea").forEach(function (el) {
      el.disabled = off;
    });
    var hazard = off ? null : isHazard(card);
    if (fix) {
      fix.disabled = hazard !== true;
      if (hazard !== true) { fix.checked = false; }
    }
    if (verdict) {
      verdict.className = "ms-auto fw-semibold " + (hazard === true ? "text-danger" : hazard === false ? "text-success" : "text-muted");
      verdict.textContent = off ? "不适用" : hazard === true ? "隐患" : hazard === false ? "合格" : "";
    }
    card.classList.toggle("border-danger", hazard === true);
  }
  function count() {
    var el = document.querySelector("[data-answered]");
    if (!el) { return; }
    var n = cards.filter(function (card) {
      var na = card.querySelector("input[name='na_" + card.getAttribute("data-rule") + "']");
      return (na && na.checked) || value(card) !== "" || card.querySelector("img");
    }).length;
    el.textContent = n;
  }
  cards.forEach(function (card) {
    card.addEventListener("change", function () { refresh(card); count(); });
    card.addEventListener("input", function () { refresh(card); });
    refresh(card);
  });
  var fill = form.querySelector("[data-fill-compliant]");
  if (fill) {
    fill.addEventListener("click", function () {
      cards.forEach(function (card) {
        var id = card.getAttribute("data-rule"), type = card.getAttribute("data-type");
        var na = card.querySelector("input[name='na_" + id + "']");
        if ((na && na.checked) || value(card) !== "") { return; }
        if (type === "bool") {
          var safe = card.getAttribute("data-hazard-when") === "true" ? "false" : "true";
          var radio = card.querySelector("input[name='v_" + id + "'][value='" + safe + "']");
          if (radio) { radio.checked = true; }
        } else if (type === "choice") {
          var bad = hazardChoices(card);
          var select = card.querySelector("select[name='v_" + id + "']");
          if (select) {
            for (var i = 0; i < select.options.length; i++) {
              var opt = select.options[i];
              if (opt.value && bad.indexOf(opt.value) < 0) { select.value = opt.value; break; }
            }
          }
        }
        refresh(card);
      });
      count();
      var firstEmpty = cards.filter(function (c) { return value(c) === "" && c.getAttribute("data-type") === "number"; })[0];
      if (firstEmpty) { firstEmpty.scrollIntoView({ behavior: "smooth", block: "center" }); }
    });
  }
  // Show all items, only unanswered ones, or only hazards (long checklists on a phone).
  var showButtons = form.querySelectorAll("[data-show]");
  showButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var mode = button.getAttribute("data-show");
      showButtons.forEach(function (b) { b.classList.toggle("active", b === button); });
      cards.forEach(function (card) {
        var na = card.querySelector("input[name='na_" + card.getAttribute("data-rule") + "']");
        var answered = (na && na.checked) || value(card) !== "" || card.querySelector("img");
        var show = mode === "all" || (mode === "open" && !answered) || (mode === "hazard" && isHazard(card) === true);
        card.hidden = !show;
      });
    });
  });
  count();
})();
