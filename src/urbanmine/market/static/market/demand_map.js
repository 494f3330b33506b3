// A demand's map: the project, and a route from each proposed lot (through its hub).
// Tooltips are DOM text, never HTML: the project's name is data (an asset its owner named).
(function () {
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el).setView([51.95, 4.45], 9), group = L.featureGroup().addTo(map);
  fetch(el.dataset.outlines).then(function (r) { return r.json(); }).then(function (gj) {
    L.geoJSON(gj, { style: { color: "#2b6a4f", weight: 1, fillOpacity: 0.04 } }).addTo(map);
    group.bringToFront(); // outlines drawn later would cover the routes and their tooltips
  });
  JSON.parse(el.dataset.routes || "[]").forEach(function (r) {
    L.polyline(r.path, { color: r.status === "accepted" ? "#2b6a4f" : "#b5481b", weight: 3 })
      .bindTooltip(window.urbanmine.text(r.label)).addTo(group);
    L.circleMarker(r.path[0], { radius: 5 }).addTo(group);
  });
  L.marker([parseFloat(el.dataset.projectLat), parseFloat(el.dataset.projectLon)])
    .bindTooltip(window.urbanmine.text(el.dataset.projectName)).addTo(group);
  map.fitBounds(group.getBounds().pad(0.3));
  el.dataset.ready = "1";
})();
