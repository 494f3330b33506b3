// An inventory import in progress: poll its status every second, reload when it has ended
// (done, failed or cancelled) to show the result.
(function () {
  var box = document.getElementById("import-job");
  if (!box || ["done", "failed", "cancelled"].indexOf(box.dataset.status) >= 0) return;
  var timer = setInterval(function () {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        box.querySelector("progress").value = s.progress;
        box.querySelector(".msg").textContent = s.message;
        box.querySelector(".st").textContent = s.status_display;
        if (s.finished) { clearInterval(timer); location.reload(); }
      });
  }, 1000);
})();
