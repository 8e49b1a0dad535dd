/* Monitoring centre: live device map (Leaflet) and open-alarm feed, polled every 5 s.
   A new alarm flashes a banner and, once the operator enables sound, beeps via WebAudio. */
(function () {
  "use strict";
  var urls = document.getElementById("mg-urls");
  if (!urls) { return; }
  var config = JSON.parse(document.getElementById("mg-map-config").textContent || "{}");
  var COLORS = { normal: "#198754", alarm: "#dc3545", fault: "#ffc107", offline: "#6c757d", new: "#0dcaf0" };
  var STATE_LABEL = { normal: "正常", alarm: "报警", fault: "故障", offline: "离线", new: "未上线" };
  var map = L.map("mg-map", { preferCanvas: true }).setView([22.55, 114.05], 11);
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { attribution: config.attribution || "", maxZoom: 18 }).addTo(map);
  }
  var layer = L.layerGroup().addTo(map);
  var markers = {};
  var fitted = false;
  var seen = null;
  var audioCtx = null;
  var soundOn = false;

  var toggle = document.getElementById("sound-toggle");
  toggle.addEventListener("click", function () {
    soundOn = !soundOn;
    if (soundOn && !audioCtx) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) { audioCtx = new Ctx(); }
    }
    toggle.innerHTML = soundOn ? '<i class="bi bi-volume-up-fill"></i> 声音提示已开启' : '<i class="bi bi-volume-mute"></i> 开启声音提示';
    toggle.classList.toggle("btn-danger", soundOn);
    if (soundOn) { beep(1); }
  });

  function beep(times) {
    if (!soundOn || !audioCtx) { return; }
    for (var i = 0; i < times; i++) {
      var t = audioCtx.currentTime + i * 0.35;
      var osc = audioCtx.createOscillator();
      var gain = audioCtx.createGain();
      osc.type = "square";
      osc.frequency.setValueAtTime(i % 2 ? 660 : 880, t);
      gain.gain.setValueAtTime(0.15, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + 0.3);
      osc.connect(gain); gain.connect(audioCtx.destination);
      osc.start(t); osc.stop(t + 0.3);
    }
  }

  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function refreshMap() {
    return getJSON(urls.dataset.map).then(function (data) {
      var counts = {};
      var bounds = [];
      data.devices.forEach(function (d) {
        counts[d.state] = (counts[d.state] || 0) + 1;
        var m = markers[d.id];
        var style = { radius: d.state === "alarm" ? 8 : 5, color: COLORS[d.state] || "#333", fillColor: COLORS[d.state] || "#333", fillOpacity: 0.85, weight: 1 };
        if (!m) {
          m = L.circleMarker([d.lat, d.lon], style).addTo(layer);
          m.bindPopup('<a href="' + urls.dataset.device + d.id + '/">' + esc(d.code) + "</a><br>" + esc(d.name));
          markers[d.id] = m;
        } else {
          m.setStyle(style);
        }
        m._mgState = d.state;
        bounds.push([d.lat, d.lon]);
      });
      Object.keys(STATE_LABEL).forEach(function (s) {
        var el = document.querySelector('[data-state="' + s + '"]');
        if (el) { el.textContent = counts[s] || 0; }
      });
      if (!fitted && bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); fitted = true; }
    });
  }

  function refreshAlarms() {
    return getJSON(urls.dataset.alarms).then(function (data) {
      var feed = document.getElementById("alarm-feed");
      var ids = {};
      var fresh = [];
      feed.innerHTML = "";
      data.results.forEach(function (a) {
        ids[a.id] = true;
        if (seen && !seen[a.id]) { fresh.push(a); }
        var li = document.createElement("li");
        li.className = "list-group-item py-1 small" + (seen && !seen[a.id] ? " mg-new-alarm" : "");
        li.setAttribute("data-alarm-id", a.id);
        li.innerHTML = '<a href="' + urls.dataset.alarm + a.id + '/">#' + a.id + "</a> " +
          '<span class="badge ' + (a.status === "raised" ? "text-bg-danger" : "text-bg-warning") + '">' + esc(a.status_display) + "</span> " +
          "<strong>" + esc(a.level_display) + "</strong> " + esc(a.device_code) + "：" + esc(a.message) +
          ' <span class="text-muted">×' + a.count + "</span>";
        feed.appendChild(li);
      });
      document.getElementById("open-count").textContent = data.count;
      if (fresh.length) {
        var banner = document.getElementById("alarm-banner");
        document.getElementById("alarm-banner-text").textContent = fresh.map(function (a) { return a.device_code + " " + a.message; }).join("；");
        banner.classList.remove("d-none");
        banner.classList.remove("mg-flash"); void banner.offsetWidth; banner.classList.add("mg-flash");
        beep(fresh.some(function (a) { return a.level === 1; }) ? 4 : 2);
      }
      seen = ids;
    });
  }

  function tick() {
    Promise.all([refreshMap(), refreshAlarms()]).then(function () {
      document.getElementById("last-refresh").textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN");
    }).catch(function () {
      document.getElementById("last-refresh").textContent = "刷新失败，重试中…";
    });
  }
  tick();
  setInterval(tick, 5000);
})();
