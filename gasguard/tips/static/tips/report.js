// Public report form: pick a point on the map (Leaflet; blank offline base when no tile URL),
// filter streets by district, show contact fields only for real-name reports.
(function () {
  "use strict";
  var district = document.querySelector("[data-street-filter]");
  if (district) {
    var street = document.querySelector(district.getAttribute("data-street-filter"));
    var filterStreets = function () {
      var code = district.value;
      Array.prototype.forEach.call(street.options, function (opt) {
        var d = opt.getAttribute("data-district");
        var show = !d || !code || d === code;
        opt.hidden = !show;
        opt.disabled = !show;
        if (!show && opt.selected) { street.value = ""; }
      });
    };
    district.addEventListener("change", filterStreets);
    filterStreets();
  }

  var contact = document.getElementById("tip-contact");
  var radios = document.querySelectorAll("[data-toggle-contact]");
  var syncContact = function () {
    var checked = document.querySelector("[data-toggle-contact]:checked");
    if (contact) { contact.hidden = !checked || checked.getAttribute("data-toggle-contact") !== "show"; }
  };
  radios.forEach(function (r) { r.addEventListener("change", syncContact); });
  syncContact();

  var el = document.getElementById("tip-map");
  if (!el || typeof L === "undefined") { return; }
  var lonInput = document.querySelector(el.getAttribute("data-lon-input"));
  var latInput = document.querySelector(el.getAttribute("data-lat-input"));
  var label = document.getElementById("tip-point-label");
  var center = [parseFloat(el.getAttribute("data-center-lat")) || 22.54, parseFloat(el.getAttribute("data-center-lon")) || 114.06];
  var map = L.map(el, { zoomControl: true, attributionControl: true }).setView(center, 13);
  var tileUrl = el.getAttribute("data-tile-url");
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.getAttribute("data-tile-attribution") || "" }).addTo(map);
  } else {
    el.style.backgroundImage = "linear-gradient(#dde3e8 1px, transparent 1px), linear-gradient(90deg, #dde3e8 1px, transparent 1px)";
    el.style.backgroundSize = "24px 24px";
    map.attributionControl.addAttribution("离线底图（未配置瓦片）");
  }
  var marker = null;
  var setPoint = function (lat, lon) {
    lat = Math.round(lat * 1e6) / 1e6;
    lon = Math.round(lon * 1e6) / 1e6;
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.circleMarker([lat, lon], { radius: 9, color: "#c0392b", fillOpacity: 0.6 }).addTo(map); }
    lonInput.value = lon;
    latInput.value = lat;
    if (label) { label.textContent = "已选点：" + lon + ", " + lat; }
  };
  if (lonInput.value && latInput.value) {
    setPoint(parseFloat(latInput.value), parseFloat(lonInput.value));
    map.setView([parseFloat(latInput.value), parseFloat(lonInput.value)], 16);
  }
  map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng); });
  var locate = document.getElementById("tip-locate");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { if (label) { label.textContent = "此浏览器不支持定位，请在地图上点选"; } return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPoint(pos.coords.latitude, pos.coords.longitude);
        map.setView([pos.coords.latitude, pos.coords.longitude], 17);
      }, function () { if (label) { label.textContent = "无法获取位置，请在地图上点选或填写地址"; } }, { timeout: 8000 });
    });
  }
  var clear = document.getElementById("tip-clear-point");
  if (clear) {
    clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      lonInput.value = ""; latInput.value = "";
      if (label) { label.textContent = "点击地图选择位置"; }
    });
  }
})();
