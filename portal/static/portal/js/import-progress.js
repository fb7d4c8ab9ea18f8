// A background import's progress bar: polls the job's status and reloads the
// page (which then shows the result) once the worker has finished.
(function () {
  "use strict";
  function start(section) {
    var url = section.getAttribute("data-status-url");
    var bar = section.querySelector("progress");
    var text = section.querySelector("[role=status]");
    var stalled = section.querySelector("[data-import-stalled]");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (job) {
          if (job.finished) {
            window.location.reload();
            return;
          }
          bar.value = job.percent;
          bar.textContent = job.percent + "%";
          text.textContent =
            job.label + ": " + job.rows_done + " of " + job.rows_total + " rows (" + job.percent + "%)";
          // No progress for a while: the worker may have stopped (said once, not every poll).
          if (stalled && stalled.textContent !== job.stalled_note) {
            stalled.textContent = job.stalled_note;
            stalled.classList.toggle("hidden", !job.stalled_note);
          }
          window.setTimeout(poll, 1000);
        })
        .catch(function () {
          window.setTimeout(poll, 3000);
        });
    }
    window.setTimeout(poll, 500);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-import-progress]").forEach(start);
  });
})();
