// Live progress of a solve or scenario job: poll it every second, reload when it ends;
// a failed poll (the server busy or restarting) is tried again.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-progress");
  if (!url) { return; }
  function show(id, value) {
    var node = document.getElementById(id);
    if (node && value !== undefined && value !== null) { node.textContent = String(value); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) {
        if (answer.ok) { return answer.json(); }
        // Signed out or gone: stop. Anything else (a 503 while the database
        // restarts, a 429): keep trying, more slowly.
        if (answer.status !== 401 && answer.status !== 404) { window.setTimeout(poll, 3000); }
        return null;
      })
      .then(function (job) {
        if (!job) { return; }
        var p = job.progress || {};
        if (p.variants_total !== undefined) {
          show("job-parts", (p.variants_done || 0) + " / " + p.variants_total);
        } else {
          show("job-parts", (p.parts_done || 0) + " / " + (p.parts_total || "?"));
        }
        show("job-level", p.level || "—");
        show("job-value", p.value);
        show("job-bound", p.bound);
        if (job.status === "succeeded" || job.status === "failed" || job.status === "cancelled") {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 500);
})();
