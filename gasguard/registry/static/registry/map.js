// Premises map (用气场所地图). Works offline: with no tile URL the base is blank and the region
// outlines (Region.boundary) give orientation. Points come from the scoped GeoJSON endpoint,
// limited to the current view and capped; past the cap the user is asked to zoom in.
(function () {
  "use strict";
  var el = document.getElementById("premises-map");
  if (!el || typeof L === "undefined") { return; }
  var status = document.getElementById("map-status");
  var data = el.dataset;
  var map = L.map(el, { preferCanvas: true }).setView(
    [parseFloat(data.centerLat) || 22.55, parseFloat(data.centerLon) || 114.05], 12
  );
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { attribution: data.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var regions = [];
  var regionsEl = document.getElementById("map-regions");
  if (regionsEl) {
    try { regions = JSON.parse(regionsEl.textContent) || []; } catch (e) { regions = []; }
  }
  var outlines = L.featureGroup();
  regions.forEach(function (region) {
    if (!region.boundary) { return; }
    try {
      L.geoJSON(region.boundary, { style: { color: "#3b6ea5", weight: 1, fill: false } })
        .bindTooltip(region.name, { sticky: true })
        .addTo(outlines);
    } catch (e) { /* a malformed outline is skipped */ }
  });
  outlines.addTo(map);
  if (outlines.getLayers().length) { map.fitBounds(outlines.getBounds()); }

  var colours = { restaurant: "#d9480f", school: "#1c7ed6", hospital: "#c2255c", civil_service: "#5f3dc4" };
  var points = L.layerGroup().addTo(map);
  var filters = new URLSearchParams(window.location.search);
  filters.delete("page");
  var timer = null;
  var seq = 0;

  function popup(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = data.detailUrl + feature.id + "/";
    link.textContent = feature.properties.name;
    box.appendChild(link);
    return box;
  }

  function load() {
    var b = map.getBounds();
    var params = new URLSearchParams(filters);
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    var mine = ++seq;
    status.textContent = "加载中…";
    fetch(data.geojsonUrl + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (mine !== seq) { return; }
        if (!res.ok) {
          status.textContent = (res.body && res.body.error && res.body.error.message) || "加载失败";
          return;
        }
        points.clearLayers();
        res.body.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          L.circleMarker([c[1], c[0]], {
            radius: 5, weight: 1, color: "#333", fillOpacity: 0.8,
            fillColor: colours[f.properties.kind] || "#2b8a3e"
          }).bindPopup(popup(f)).addTo(points);
        });
        var n = res.body.features.length;
        status.textContent = res.body.truncated
          ? "当前范围内场所超过 " + res.body.limit + " 个，仅显示 " + n + " 个，请放大地图查看全部。"
          : "当前范围内显示 " + n + " 个场所。";
        status.className = res.body.truncated ? "small text-warning-emphasis mb-1" : "small text-muted mb-1";
      })
      .catch(function () { if (mine === seq) { status.textContent = "加载失败，请检查网络后重试。"; } });
  }

  map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
  load();
})();
