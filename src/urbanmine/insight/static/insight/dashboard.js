// Province dashboard: Chart.js charts and a Leaflet choropleth from the JSON the page embeds.
// Offline: Chart.js (vendored, insight/vendor/) and Leaflet come with the installed packages,
// no tiles, no CDN. Names (materials, municipalities) are data: Chart.js draws them on a
// canvas as plain text; Leaflet gets text nodes.
// Numbers: the page's language (Intl, as core/formatting.py on the server: nl 28.624,7);
// quantity axes start at zero.
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var labelsEl = document.getElementById("labels-data");
  var tables = data("tables-data") || {}, L10N = labelsEl ? labelsEl.dataset : {};
  var lang = document.documentElement.lang || "nl";
  function fmt(v, digits) {
    return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  }
  function col(t, name) { var i = t.columns.indexOf(name); return t.rows.map(function (r) { return r[i]; }); }
  var COLOURS = ["#2b6a4f", "#e08a1e", "#74a9cf", "#b5201b", "#6a4fb5"];

  function axis(title, extra) {
    return Object.assign({ beginAtZero: true, title: { display: true, text: title } }, extra || {});
  }
  // The text alternative of a chart (WCAG 1.1.1): its values as a table right below it,
  // folded away; the canvas itself is an image named by the chart's heading.
  function valuesTable(el, labels, datasets, digits) {
    var details = document.createElement("details");
    details.className = "chart-values";
    var summary = document.createElement("summary");
    summary.textContent = L10N.table || "";
    details.appendChild(summary);
    var box = document.createElement("div");
    box.className = "table-scroll";
    box.tabIndex = 0;
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    head.appendChild(document.createElement("th"));
    datasets.forEach(function (d) {
      var th = document.createElement("th"); th.scope = "col"; th.className = "num"; th.textContent = d.label + " (kt)"; head.appendChild(th);
    });
    var body = table.createTBody();
    labels.forEach(function (label, i) {
      var row = body.insertRow();
      var th = document.createElement("th"); th.scope = "row"; th.textContent = label; row.appendChild(th);
      datasets.forEach(function (d) {
        var td = row.insertCell(); td.className = "num";
        var v = d.data[i];
        td.textContent = v === null || v === undefined ? "" : fmt(v, digits);
      });
    });
    box.appendChild(table);
    details.appendChild(box);
    el.parentNode.insertBefore(details, el.nextSibling);
  }
  function draw(id, type, labels, datasets, scales, digits) {
    var el = document.getElementById(id);
    if (!el || typeof Chart === "undefined") return;
    var canvas = document.createElement("canvas");
    var section = el.closest("section") || el.parentNode;
    var heading = section.querySelector("h2");
    canvas.setAttribute("role", "img");
    if (heading) canvas.setAttribute("aria-label", heading.textContent.replace("DEMO", "").trim());
    el.appendChild(canvas);
    if (digits !== undefined) valuesTable(el, labels, datasets, digits);
    datasets.forEach(function (d, i) {
      var c = d.colour || COLOURS[i % COLOURS.length];
      d.backgroundColor = c; d.borderColor = c;
      if (d.type === "line") { d.fill = false; d.pointRadius = 0; d.borderWidth = 2; }
    });
    new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: { locale: lang, responsive: true, maintainAspectRatio: false, animation: false,
                 interaction: { mode: "index", intersect: false },
                 plugins: { legend: { position: "bottom" } }, scales: scales }
    });
    el.dataset.ready = "1";
  }

  var rd = tables["release-demand"];
  if (rd) {
    draw("chart-release-demand", "bar", col(rd, "year"), [
      { label: L10N.demolition, data: col(rd, "demolition_kt"), stack: "release", order: 2 },
      { label: L10N.renovation, data: col(rd, "renovation_kt"), stack: "release", order: 2 },
      { label: L10N.reusable, data: col(rd, "reusable_kt"), type: "line", order: 1 },
      { label: L10N.demand, data: col(rd, "demand_kt"), type: "line", yAxisID: "y2", order: 0 }
    ], { x: { stacked: true, title: { display: true, text: L10N.year } },
         y: axis(L10N.release + " (kt)", { stacked: true }),
         y2: axis(L10N.demand + " (kt)", { position: "right", grid: { drawOnChartArea: false } }) }, 1);
  }
  var mt = tables.materials;
  if (mt) {
    draw("chart-materials", "bar", col(mt, "label"), [
      { label: L10N.release, data: col(mt, "release_kt") },
      { label: L10N.reusable, data: col(mt, "reusable_kt") },
      { label: L10N.demand, data: col(mt, "demand_kt") }
    ], { x: { title: { display: true, text: L10N.material } },
         y: axis(L10N.mass + " (kt)") }, 1);
  }
  var ch = tables.chain;
  if (ch) {
    var names = { demand: L10N.demand, released: L10N.release, reusable: L10N.reusable,
                  matched: L10N.matched, applied: L10N.applied };
    var pct = function (v) { return fmt(v * 100, 1) + "%"; };
    draw("chart-chain", "bar", ch.rows.map(function (r) { return names[r[0]] || r[0]; }), [
      { label: L10N.forecast, data: col(ch, "forecast_share_of_demand") },
      { label: L10N.reference, data: col(ch, "reference_share_of_demand") }
    ], { x: { title: { display: true, text: L10N.stage } },
         y: axis(L10N.share, { ticks: { callback: pct } }) });
  }

  // "PNG": the chart as drawn (a data: URL of its canvas; no upload, no blob:).
  document.querySelectorAll("a.png[data-chart]").forEach(function (a) {
    a.addEventListener("click", function (event) {
      var canvas = document.querySelector("#chart-" + a.dataset.chart + " canvas");
      if (!canvas) { event.preventDefault(); return; }
      a.href = canvas.toDataURL("image/png");
    });
  });

  // Choropleth: colour by released kt over the horizon; outlines from the regions app.
  var mapEl = document.getElementById("map");
  var values = mapEl ? JSON.parse(mapEl.dataset.values || "{}") : {};
  if (mapEl && typeof L !== "undefined") {
    var map = L.map(mapEl, { zoomControl: true }).setView([51.95, 4.45], 9);
    var vals = Object.keys(values).map(function (k) { return values[k]; }).filter(function (v) { return v > 0; }).sort(function (a, b) { return a - b; });
    var colours = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"];
    var breaks = [0, 1, 2, 3].map(function (i) { return vals.length ? vals[Math.floor(vals.length * (i + 1) / 5)] || vals[vals.length - 1] : 0; });
    function colour(v) {
      if (!v) return "#ffffff";
      for (var i = 0; i < breaks.length; i++) if (v <= breaks[i]) return colours[i];
      return colours[4];
    }
    var selected = mapEl.dataset.selected;
    fetch(mapEl.dataset.outlines).then(function (r) { return r.json(); }).then(function (gj) {
      var layer = L.geoJSON(gj, {
        style: function (f) {
          var sel = f.properties.code === selected;
          return { color: sel ? "#b5201b" : "#2b6a4f", weight: sel ? 3 : 1, fillOpacity: 0.8, fillColor: colour(values[f.properties.code]) };
        },
        onEachFeature: function (f, l) {
          var v = values[f.properties.code];
          l.bindTooltip(window.urbanmine.text(f.properties.name + ": " + (v === undefined ? "–" : fmt(v, 1) + " kt")));
          l.on("click", function () {
            var u = new URL(window.location.href); u.searchParams.set("municipality", f.properties.code);
            u.searchParams.delete("format"); window.location.href = u.toString();
          });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      mapEl.dataset.ready = "1";
    });
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      // Built as DOM: a style="" attribute in markup is inline style the CSP refuses.
      var div = L.DomUtil.create("div", "legend"), lo = 0;
      div.appendChild(window.urbanmine.text(L10N.legend, "b"));
      div.appendChild(document.createElement("br"));
      breaks.concat([Infinity]).forEach(function (b, i) {
        var swatch = document.createElement("i");
        swatch.style.background = colours[i];
        div.appendChild(swatch);
        div.appendChild(document.createTextNode((i === 4) ? "> " + fmt(lo, 0) : fmt(lo, 0) + " – " + fmt(b, 0)));
        div.appendChild(document.createElement("br")); lo = b;
      });
      return div;
    };
    legend.addTo(map);
  }
})();
