// Province dashboard: Plotly charts and a Leaflet choropleth from the JSON the page embeds.
// Offline: Plotly and Leaflet come from the installed packages, no tiles, no CDN.
// Names (materials, municipalities) are data: escaped for Plotly, text nodes for Leaflet.
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var labelsEl = document.getElementById("labels-data");
  var tables = data("tables-data") || {}, L10N = labelsEl ? labelsEl.dataset : {};
  var esc = window.urbanmine.escape;
  // The page's number format (core/formatting.py) in the browser: grouped, fixed decimals.
  function fmt(v, digits) {
    var sep = L10N.separators || ".,", parts = Math.abs(v).toFixed(digits).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, sep.charAt(1));
    return (v < 0 ? "-" : "") + parts.join(sep.charAt(0));
  }
  function col(t, name) { var i = t.columns.indexOf(name); return t.rows.map(function (r) { return r[i]; }); }
  function escAll(values) { return values.map(function (v) { return typeof v === "string" ? esc(v) : v; }); }
  // Numbers as the page writes them (core/formatting.py): the language's decimal and
  // thousands separators, handed over by the page. Quantity axes start at zero.
  var layout = { margin: { l: 60, r: 10, t: 10, b: 40 }, legend: { orientation: "h" },
                 separators: L10N.separators || ".,", yaxis: { title: { text: "kt" }, rangemode: "tozero" } };
  // No "Share chart" button: it would upload the data to Plotly Cloud (the app is offline).
  var config = { responsive: true, displaylogo: false, showSendToCloud: false };

  function draw(id, traces, extra) {
    var el = document.getElementById(id);
    if (!el || typeof Plotly === "undefined") return;
    traces.forEach(function (t) { t.name = esc(t.name); });
    Plotly.newPlot(el, traces, Object.assign({}, layout, extra || {}), config);
    el.dataset.ready = "1";
  }

  var rd = tables["release-demand"];
  if (rd) {
    var years = col(rd, "year");
    draw("chart-release-demand", [
      { x: years, y: col(rd, "demolition_kt"), type: "bar", name: L10N.demolition },
      { x: years, y: col(rd, "renovation_kt"), type: "bar", name: L10N.renovation },
      { x: years, y: col(rd, "reusable_kt"), type: "scatter", mode: "lines", name: L10N.reusable },
      { x: years, y: col(rd, "demand_kt"), type: "scatter", mode: "lines", name: L10N.demand, yaxis: "y2" }
    ], { barmode: "stack", yaxis: { title: { text: esc(L10N.release + " (kt)") }, rangemode: "tozero" },
         yaxis2: { title: { text: esc(L10N.demand + " (kt)") }, overlaying: "y", side: "right", rangemode: "tozero" },
         margin: { l: 60, r: 60, t: 10, b: 40 } });
  }
  var mt = tables.materials;
  if (mt) {
    var labels = escAll(col(mt, "label"));
    draw("chart-materials", [
      { x: labels, y: col(mt, "release_kt"), type: "bar", name: L10N.release },
      { x: labels, y: col(mt, "reusable_kt"), type: "bar", name: L10N.reusable },
      { x: labels, y: col(mt, "demand_kt"), type: "bar", name: L10N.demand }
    ], { barmode: "group", yaxis: { title: { text: "kt" }, rangemode: "tozero" } });
  }
  var ch = tables.chain;
  if (ch) {
    var stages = ch.rows.map(function (r) { return r[0]; });
    var names = { demand: L10N.demand, released: L10N.release, reusable: L10N.reusable };
    var x = escAll(stages.map(function (s) { return names[s] || s; }));
    draw("chart-chain", [
      { x: x, y: col(ch, "forecast_share_of_demand"), type: "bar", name: L10N.forecast },
      { x: x, y: col(ch, "reference_share_of_demand"), type: "bar", name: L10N.reference }
    ], { barmode: "group", yaxis: { title: { text: esc(L10N.share) }, tickformat: ".1%", rangemode: "tozero" } });
  }

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
