// Live progress of the imports on the data page: polls each run (same-site API, session auth)
// and reloads the page once one has finished, so its outcome and rows show.
(function () {
  "use strict";
  var DONE = ["succeeded", "failed"];

  function poll() {
    var items = document.querySelectorAll("[data-import-run]");
    if (!items.length) return;
    var pending = Array.prototype.map.call(items, function (item) {
      return fetch(item.dataset.runUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (run) {
          if (!run) return false;
          item.querySelector("[data-rows-read]").textContent = run.rows_read.toLocaleString();
          item.querySelector("[data-run-status]").dataset.status = run.status;
          return DONE.indexOf(run.status) !== -1;
        })
        .catch(function () { return false; });
    });
    Promise.all(pending).then(function (finished) {
      if (finished.indexOf(true) !== -1) window.location.reload();
      else window.setTimeout(poll, 1500);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { window.setTimeout(poll, 1000); });
})();
