// Captures the inspector's position (navigator.geolocation) into hidden lon/lat/accuracy fields
// of every form marked data-geo-form. Never blocks submission: without a fix the fields stay empty.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-geo-form]");
  var status = document.querySelector("[data-geo-status]");
  if (!forms.length) { return; }
  if (!("geolocation" in navigator)) {
    if (status) { status.textContent = "设备不支持定位"; }
    return;
  }
  navigator.geolocation.getCurrentPosition(function (pos) {
    var lon = pos.coords.longitude.toFixed(6), lat = pos.coords.latitude.toFixed(6);
    var acc = Math.round(pos.coords.accuracy || 0);
    forms.forEach(function (form) {
      var set = function (name, value) {
        var input = form.querySelector("input[name=" + name + "]");
        if (input) { input.value = value; }
      };
      set("lon", lon); set("lat", lat); set("accuracy", acc);
    });
    if (status) { status.textContent = lon + ", " + lat + "（±" + acc + " 米）"; }
  }, function (err) {
    if (status && !status.textContent.match(/\d/)) { status.textContent = "未获取定位（" + (err.message || "已拒绝") + "）"; }
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
})();
