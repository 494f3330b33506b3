// Matching runs in progress: poll each unfinished run's status, reload when it has ended
// (done, failed, or cancelled).
(function () {
  var ended = ["done", "failed", "cancelled"];
  document.querySelectorAll("#runs tr[data-run]").forEach(function (tr) {
    if (ended.indexOf(tr.dataset.status) >= 0) return;
    var timer = setInterval(function () {
      fetch(tr.dataset.statusUrl).then(function (r) { return r.json(); }).then(function (s) {
        tr.querySelector("progress").value = s.progress; tr.querySelector(".msg").textContent = s.message;
        tr.querySelector(".st").textContent = s.status_display;
        if (s.finished) { clearInterval(timer); location.reload(); }
      });
    }, 1000);
  });
})();
