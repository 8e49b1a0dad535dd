/* Device page: ECharts of the last 24 h of raw readings and 7 days of hourly min/avg/max. */
(function () {
  "use strict";
  var el = document.getElementById("mg-device");
  if (!el || !window.echarts) { return; }
  var select = document.getElementById("metric-select");
  var raw = echarts.init(document.getElementById("chart-raw"));
  var hourly = echarts.init(document.getElementById("chart-hourly"));
  window.addEventListener("resize", function () { raw.resize(); hourly.resize(); });

  function load() {
    var metric = select ? select.value : "";
    var unit = select && select.selectedOptions[0] ? select.selectedOptions[0].dataset.unit : "";
    var base = el.dataset.readings + "?device=" + el.dataset.device + "&metric=" + encodeURIComponent(metric);
    fetch(base + "&resolution=raw", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      raw.setOption({
        tooltip: { trigger: "axis" }, grid: { left: 50, right: 16, top: 20, bottom: 40 },
        xAxis: { type: "time" }, yAxis: { type: "value", name: unit, scale: true },
        dataZoom: [{ type: "inside" }],
        series: [{ type: "line", showSymbol: false, name: metric, data: d.results.map(function (p) { return [p.ts, p.value]; }) }]
      }, true);
    });
    fetch(base + "&resolution=hour", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      hourly.setOption({
        tooltip: { trigger: "axis" }, legend: { data: ["最小", "平均", "最大"] }, grid: { left: 50, right: 16, top: 30, bottom: 40 },
        xAxis: { type: "time" }, yAxis: { type: "value", name: unit, scale: true },
        series: [
          { type: "line", name: "最小", showSymbol: false, data: d.results.map(function (p) { return [p.hour, p.min]; }) },
          { type: "line", name: "平均", showSymbol: false, data: d.results.map(function (p) { return [p.hour, p.avg]; }) },
          { type: "line", name: "最大", showSymbol: false, data: d.results.map(function (p) { return [p.hour, p.max]; }) }
        ]
      }, true);
    });
  }
  if (select) { select.addEventListener("change", load); }
  load();
})();
