// Scenario comparison: release and demand of two scenarios, from the JSON the page embeds.
// Chart.js draws scenario names on a canvas as plain text. Quantity axes from zero: a flat
// line stays flat (issue #12: the demand axis zoomed to +-2 kt made a constant programme
// look like a spike). Numbers in the page's language (Intl, as core/formatting.py).
(function () {
  var el = document.getElementById("chart-compare"), source = document.getElementById("compare-data");
  if (!el || !source || typeof Chart === "undefined") return;
  var t = JSON.parse(source.textContent), n = el.dataset;
  function col(name) { var i = t.columns.indexOf(name); return i < 0 ? [] : t.rows.map(function (r) { return r[i]; }); }
  var datasets = [];
  [["a", [], "#2b6a4f"], ["b", [6, 4], "#e08a1e"]].forEach(function (p) {
    datasets.push({ label: n[p[0]] + ": " + n.release, data: col(p[0] + "_release_kt"), borderDash: p[1],
                    borderColor: p[2], backgroundColor: p[2], pointRadius: 0, yAxisID: "y" });
    datasets.push({ label: n[p[0]] + ": " + n.demand, data: col(p[0] + "_demand_kt"), borderDash: p[1],
                    borderColor: "#74a9cf", backgroundColor: "#74a9cf", pointRadius: 0, yAxisID: "y2" });
  });
  var canvas = document.createElement("canvas");
  el.appendChild(canvas);
  new Chart(canvas, {
    type: "line",
    data: { labels: col("year"), datasets: datasets },
    options: { locale: document.documentElement.lang || "nl", responsive: true, maintainAspectRatio: false,
               animation: false, interaction: { mode: "index", intersect: false },
               plugins: { legend: { position: "bottom" } },
               scales: { x: { title: { display: true, text: n.year } },
                         y: { beginAtZero: true, title: { display: true, text: n.release + " (kt)" } },
                         y2: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                               title: { display: true, text: n.demand + " (kt)" } } } }
  });
  el.dataset.ready = "1";
})();
