// Matching runs in progress: poll each unfinished run's status, reload when it is done.
(function () {
  document.querySelectorAll("#runs tr[data-run]").forEach(function (tr) {
    if (tr.dataset.status === "done" || tr.dataset.status === "failed") return;
    var timer = setInterval(function () {
      fetch(tr.dataset.statusUrl).then(function (r) { return r.json(); }).then(function (s) {
        tr.querySelector("progress").value = s.progress; tr.querySelector(".msg").textContent = s.message;
        if (s.status === "done" || s.status === "failed") { clearInterval(timer); location.reload(); }
      });
    }, 1000);
  });
})();
