// Signature pads (signature_pad): the drawing is sent as a PNG data URL in a hidden field.
// The representative may refuse to sign: the pad is hidden and a refusal note is required.
(function () {
  "use strict";
  if (typeof SignaturePad === "undefined") { return; }
  document.querySelectorAll("form[data-signature-form]").forEach(function (form) {
    var canvas = form.querySelector("canvas[data-signature-pad]");
    var output = form.querySelector("[data-signature-output]");
    if (!canvas) { return; }
    var pad = new SignaturePad(canvas, { penColor: "#000", minWidth: 1, maxWidth: 3 });
    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    window.addEventListener("resize", resize);
    resize();
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) { clear.addEventListener("click", function () { pad.clear(); }); }
    var toggle = form.querySelector("[data-refusal-toggle]");
    var area = form.querySelector("[data-signature-area]");
    var refusal = form.querySelector("[data-refusal-area]");
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (area) { area.hidden = toggle.checked; }
        if (refusal) { refusal.hidden = !toggle.checked; }
      });
    }
    form.addEventListener("submit", function (event) {
      if (toggle && toggle.checked) { output.value = ""; return; }
      if (pad.isEmpty()) {
        event.preventDefault();
        window.alert("请先手写签名");
        return;
      }
      output.value = pad.toDataURL("image/png");
    });
  });
})();
