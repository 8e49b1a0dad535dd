/* Pre-fill gate page: scanner-as-keyboard input (Enter submits, refocuses), phone camera
   (BarcodeDetector, else jsQR), ALLOW/DENY with every reason, then the fill form. */
(function () {
  "use strict";
  var root = document.getElementById("gate");
  if (!root) return;
  var gateUrl = root.dataset.gateUrl;
  var fillUrl = root.dataset.fillUrl;
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var form = document.getElementById("gate-form");
  var input = document.getElementById("gate-code");
  var result = document.getElementById("gate-result");
  var decisionEl = document.getElementById("gate-decision");
  var reasonsEl = document.getElementById("gate-reasons");
  var codeShown = document.getElementById("gate-code-shown");
  var fillForm = document.getElementById("fill-form");
  var fillMsg = document.getElementById("fill-message");
  var busy = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function post(url, body, key, attempt) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).catch(function (err) {
      // Network hiccup: retry with the SAME idempotency key, so the scan is never counted twice.
      if ((attempt || 0) < 2) return post(url, body, key, (attempt || 0) + 1);
      throw err;
    });
  }

  function show(kind, title, code, reasons) {
    result.classList.remove("d-none", "bg-success", "bg-danger", "bg-secondary");
    result.classList.add(kind === "allow" ? "bg-success" : kind === "deny" ? "bg-danger" : "bg-secondary");
    result.dataset.decision = kind;
    decisionEl.textContent = title;
    codeShown.textContent = code || "";
    reasonsEl.textContent = "";
    (reasons || []).forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.message || r;
      li.dataset.reason = r.code || "";
      reasonsEl.appendChild(li);
    });
  }

  function check(code) {
    code = (code || "").trim();
    if (!code || busy) return false;
    busy = true;
    fillForm.classList.add("d-none");
    var key = newKey();
    var body = {
      code: code,
      station: document.getElementById("gate-station").value,
      operator: document.getElementById("gate-operator").value,
      idempotency_key: key,
      scanned_at: new Date().toISOString()
    };
    post(gateUrl, body, key).then(function (res) {
      var d = res.data;
      if (res.status === 200) {
        show(d.decision, d.decision === "allow" ? "允许充装" : "禁止充装", d.code || code, d.reasons);
        if (d.decision === "allow") {
          document.getElementById("fill-attempt").value = d.attempt_id;
          document.getElementById("fill-max").textContent = d.cylinder && d.cylinder.max_fill_kg ? "(≤" + d.cylinder.max_fill_kg + ")" : "";
          fillMsg.textContent = "";
          fillForm.classList.remove("d-none");
        }
      } else {
        var err = (d && d.error) || {};
        show("error", "无法核验", code, [{ code: err.code, message: err.message || "请求失败" }]);
      }
    }).catch(function () {
      show("error", "网络故障", code, [{ message: "无法连接服务器，请重试" }]);
    }).then(function () {
      busy = false;
      input.value = "";
      if (fillForm.classList.contains("d-none")) input.focus();
      else document.getElementById("fill-mass").focus();
    });
    return true;
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); check(input.value); });

  fillForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var pre = {}, postc = {};
    fillForm.querySelectorAll("[data-pre]").forEach(function (el) { pre[el.dataset.pre] = el.checked; });
    fillForm.querySelectorAll("[data-post]").forEach(function (el) { postc[el.dataset.post] = el.checked; });
    var body = {
      attempt_id: document.getElementById("fill-attempt").value,
      net_mass_kg: document.getElementById("fill-mass").value,
      scale_id: document.getElementById("fill-scale").value,
      gas_batch: document.getElementById("gate-batch").value || null,
      pre_check: pre,
      post_check: postc
    };
    post(fillUrl, body).then(function (res) {
      if (res.status === 201) {
        fillMsg.className = "mt-2 text-success";
        fillMsg.textContent = "充装记录已保存";
        fillForm.classList.add("d-none");
        document.getElementById("fill-mass").value = "";
        input.focus();
      } else {
        fillMsg.className = "mt-2 text-danger fw-bold";
        fillMsg.textContent = (res.data.error && res.data.error.message) || "保存失败";
      }
    });
  });

  // Camera scanning.
  var video = document.getElementById("gate-video");
  var canvas = document.getElementById("gate-canvas");
  var stream = null, detector = null, last = "";

  // A cylinder stays in view for many frames: check each code once per camera session. Re-checking
  // it every few seconds recorded extra attempts (and denials, which escalate) and reset the fill form.
  function handle(text) {
    if (text === last) return;
    if (check(text)) last = text;
  }

  function loop() {
    if (!stream) return;
    if (video.readyState >= 2) {
      if (detector) {
        detector.detect(video).then(function (codes) { if (codes.length) handle(codes[0].rawValue); }).catch(function () {});
      } else if (window.jsQR) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        var ctx = canvas.getContext("2d");
        ctx.drawImage(video, 0, 0);
        var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var hit = window.jsQR(img.data, img.width, img.height);
        if (hit) handle(hit.data);
      }
    }
    setTimeout(loop, 250);
  }

  function loadJsQR() {
    return new Promise(function (resolve) {
      if (window.jsQR) return resolve();
      var s = document.createElement("script");
      s.src = root.dataset.jsqr;
      s.onload = resolve;
      document.head.appendChild(s);
    });
  }

  document.getElementById("gate-camera").addEventListener("click", function () {
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.classList.add("d-none");
      input.focus();
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show("error", "无法使用摄像头", "", [{ message: "浏览器不支持摄像头，请使用扫码枪" }]);
      return;
    }
    var ready = ("BarcodeDetector" in window)
      ? Promise.resolve().then(function () { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); })
      : loadJsQR();
    ready.then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    }).then(function (s) {
      stream = s;
      last = "";
      video.srcObject = s;
      video.classList.remove("d-none");
      video.play();
      loop();
    }).catch(function () {
      show("error", "无法使用摄像头", "", [{ message: "未获得摄像头权限" }]);
    });
  });

  input.focus();
})();
