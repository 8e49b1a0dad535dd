// 统计看板: ECharts charts from the json_script block and a Leaflet map of open hazards.
// No inline scripts (CSP): everything is read from data- attributes and #dash-charts.
(function () {
  "use strict";
  var dataEl = document.getElementById("dash-charts");
  if (!dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var charts = [];

  function init(el, option) {
    if (!window.echarts || !el) { return; }
    var chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  function bars(rows) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: ["发现", "未销号"], top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 28, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "发现", type: "bar", data: rows.map(function (r) { return r.found; }) },
        { name: "未销号", type: "bar", data: rows.map(function (r) { return r.open; }) }
      ]
    };
  }

  function pie(rows) {
    return {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: rows, label: { formatter: "{b}: {c}" } }]
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    if (kind === "trend") {
      var t = data.trend;
      init(el, {
        tooltip: { trigger: "axis" },
        legend: { data: ["新发现", "销号", "未销号"], top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 28, containLabel: true },
        xAxis: { type: "category", data: t.buckets },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "新发现", type: "bar", data: t.found },
          { name: "销号", type: "bar", data: t.closed },
          { name: "未销号", type: "line", smooth: true, data: t.open }
        ]
      });
    } else if (kind === "category" || kind === "department") {
      init(el, bars(data[kind]));
    } else if (kind === "severity" || kind === "source") {
      init(el, pie(data[kind]));
    }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // The map: tiles only when configured (intranets have no internet); else a blank base.
  var mapEl = document.getElementById("dash-map");
  if (mapEl && window.L) {
    var center = (mapEl.getAttribute("data-center") || "").split(",").map(Number);
    var map = window.L.map(mapEl, { preferCanvas: true });
    if (center.length === 2 && !isNaN(center[0])) { map.setView(center, 11); } else { map.setView([22.55, 114.05], 10); }
    var tiles = mapEl.getAttribute("data-tiles");
    if (tiles) {
      window.L.tileLayer(tiles, { attribution: mapEl.getAttribute("data-attribution") || "", maxZoom: 18 }).addTo(map);
    }
    fetch(mapEl.getAttribute("data-geojson"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        if (!geo.features) { return; }
        var layer = window.L.geoJSON(geo, {
          pointToLayer: function (f, latlng) {
            var major = f.properties.severity === "major";
            return window.L.circleMarker(latlng, {
              radius: major ? 7 : 5, weight: 1, color: "#333",
              fillColor: major ? "#c0392b" : "#e67e22", fillOpacity: 0.85
            });
          },
          onEachFeature: function (f, l) {
            var p = f.properties;
            var a = document.createElement("a");
            a.href = p.url;
            a.textContent = (p.code || p.id) + " " + p.title;
            var div = document.createElement("div");
            div.appendChild(a);
            var t = document.createElement("div");
            t.textContent = p.target + (p.overdue ? "（逾期）" : "");
            div.appendChild(t);
            l.bindPopup(div);
          }
        }).addTo(map);
        map.invalidateSize();
        if (geo.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [20, 20] }); }
      })
      .catch(function () { /* the map is optional; the figures above remain */ });
  }
})();
