// The network's pages: the directory map (Leaflet over the municipality outlines, no tiles)
// and the targets charts (Chart.js, vendored by insight). Names are data: Leaflet gets text
// nodes, Chart.js draws on a canvas. Every chart and map has a table beside it on the page.
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var lang = document.documentElement.lang || "nl";
  var COLOURS = ["#2b6a4f", "#e08a1e", "#74a9cf", "#b5201b", "#6a4fb5"];

  // ------------------------------------------------------------------ map
  var mapEl = document.getElementById("network-map");
  if (mapEl && typeof L !== "undefined") {
    var map = L.map(mapEl, { zoomSnap: 0.25 }).setView([51.95, 4.45], 9);
    var points = data("points-data") || [];
    var group = L.featureGroup();
    fetch(mapEl.dataset.outlines).then(function (r) { return r.json(); }).then(function (gj) {
      var layer = L.geoJSON(gj, { style: { color: "#2b6a4f", weight: 1, fillOpacity: 0.04 } }).addTo(map);
      if (!points.length) map.fitBounds(layer.getBounds());
      group.bringToFront();
    });
    var url = mapEl.dataset.entryUrl || "";
    // organisations at one place (a municipality's centre) share one marker listing them all
    var places = {};
    points.forEach(function (p) {
      var key = p.lat.toFixed(4) + "," + p.lon.toFixed(4);
      (places[key] = places[key] || { lat: p.lat, lon: p.lon, items: [] }).items.push(p);
    });
    Object.keys(places).forEach(function (key) {
      var place = places[key], list = document.createElement("ul");
      list.className = "map-lots";
      place.items.forEach(function (p) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = url.replace("/0/", "/" + p.id + "/");
        a.textContent = p.name;
        li.appendChild(a);
        list.appendChild(li);
      });
      var names = place.items.map(function (p) { return p.name; }).join(", ");
      L.circleMarker([place.lat, place.lon], {
        radius: Math.min(16, 5 + 3 * place.items.length), color: "#b5481b", fillOpacity: 0.8 })
        .bindPopup(list).bindTooltip(window.urbanmine.text(names)).addTo(group);
    });
    group.addTo(map);
    if (points.length) map.fitBounds(group.getBounds().pad(0.3), { maxZoom: 12 });
    mapEl.dataset.ready = "1";
  }

  // ------------------------------------------------------------------ charts
  if (typeof Chart === "undefined") return;
  var labelsEl = document.getElementById("network-labels");
  var L10N = labelsEl ? labelsEl.dataset : {};
  function axis(title) { return { beginAtZero: true, title: { display: true, text: title } }; }
  function draw(el, type, labels, datasets, yTitle, xTitle) {
    var canvas = document.createElement("canvas");
    el.appendChild(canvas);
    datasets.forEach(function (d, i) {
      var c = COLOURS[i % COLOURS.length];
      d.backgroundColor = c; d.borderColor = c;
      if (type === "line") { d.fill = false; d.spanGaps = true; d.pointRadius = 3; }
    });
    new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: { locale: lang, responsive: true, maintainAspectRatio: false, animation: false,
                 interaction: { mode: "index", intersect: false },
                 plugins: { legend: { position: "bottom" } },
                 scales: { x: { title: { display: true, text: xTitle } }, y: axis(yTitle) } }
    });
    el.dataset.ready = "1";
  }
  var series = data("targets-data") || {};
  document.querySelectorAll("[data-target-chart]").forEach(function (el) {
    var s = series[el.dataset.targetChart];
    if (!s) return;
    draw(el, "line", s.years, [
      { label: L10N.target, data: s.target, showLine: false, pointStyle: "rectRot", pointRadius: 7 },
      { label: L10N.realised, data: s.realised },
      { label: L10N.forecast, data: s.forecast, borderDash: [6, 4] }
    ], s.label + " (" + s.unit + ")", L10N.year);
  });
  var planning = data("planning-data");
  var pl = document.getElementById("chart-planning");
  if (planning && pl) {
    draw(pl, "bar", planning.years, [
      { label: L10N.release, data: planning.release },
      { label: L10N.demand, data: planning.demand }
    ], L10N.tonnes, L10N.year);
  }
})();
