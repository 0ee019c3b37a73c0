// commsledger console: follows long work (a verification, a disposition run). A block
// with data-poll="URL" asks URL for the job's progress every second and reloads the page
// when the job has ended. Nothing else needs JavaScript: every page works without it.
"use strict";
(function () {
  function follow(block) {
    var url = block.getAttribute("data-poll");
    var bar = block.querySelector("progress");
    var set = function (name, text) {
      var node = block.querySelector("[data-" + name + "]");
      if (node) { node.textContent = text; }
    };
    var tick = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          var done = job.progress.done, total = Math.max(job.progress.total, done, 1);
          if (bar) { bar.max = total; bar.value = done; }
          set("done", done.toLocaleString("en-GB"));
          set("total", total.toLocaleString("en-GB"));
          set("state", job.state);
          if (job.state === "running") { window.setTimeout(tick, 1000); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    };
    window.setTimeout(tick, 500);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(follow);
  });
})();
