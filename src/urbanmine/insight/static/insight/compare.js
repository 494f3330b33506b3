// Scenario comparison: release and demand of two scenarios, from the JSON the page embeds.
// Scenario names are data: escaped for Plotly, which reads a subset of HTML in labels.
(function () {
  var el = document.getElementById("chart-compare"), source = document.getElementById("compare-data");
  if (!el || !source || typeof Plotly === "undefined") return;
  var t = JSON.parse(source.textContent), n = el.dataset, esc = window.urbanmine.escape;
  function col(name) { var i = t.columns.indexOf(name); return i < 0 ? [] : t.rows.map(function (r) { return r[i]; }); }
  var x = col("year"), traces = [];
  [["a", "solid"], ["b", "dash"]].forEach(function (p) {
    traces.push({ x: x, y: col(p[0] + "_release_kt"), name: esc(n[p[0]] + ": " + n.release), mode: "lines", line: { dash: p[1] } });
    traces.push({ x: x, y: col(p[0] + "_demand_kt"), name: esc(n[p[0]] + ": " + n.demand), mode: "lines", line: { dash: p[1] }, yaxis: "y2" });
  });
  // Quantity axes from zero: a flat line stays flat (issue #12: the demand axis zoomed to
  // +-2 kt made a constant programme look like a spike). Separators as the page's numbers.
  Plotly.newPlot(el, traces, { margin: { l: 60, r: 60, t: 10, b: 40 }, legend: { orientation: "h" },
    separators: n.separators || ".,",
    yaxis: { title: { text: esc(n.release + " (kt)") }, rangemode: "tozero" },
    yaxis2: { title: { text: esc(n.demand + " (kt)") }, overlaying: "y", side: "right", rangemode: "tozero" } },
    { responsive: true, displaylogo: false, showSendToCloud: false }); // no upload to Plotly Cloud
  el.dataset.ready = "1";
})();
