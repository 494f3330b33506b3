// Supply map: markers and municipality outlines; no tile server needed (works offline).
// Tooltip and popup contents are DOM text (urbanmine.text / urbanmine.lines), never HTML:
// product group names, lot codes and municipality names are data.
(function () {
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el, { zoomControl: true }).setView([51.95, 4.45], 9);
  var points = JSON.parse(el.dataset.points || "[]");
  fetch(el.dataset.outlines).then(function (r) { return r.json(); }).then(function (gj) {
    var layer = L.geoJSON(gj, { style: { color: "#2b6a4f", weight: 1, fillOpacity: 0.04 },
      onEachFeature: function (f, l) { l.bindTooltip(window.urbanmine.text(f.properties.name)); } }).addTo(map);
    if (!points.length) map.fitBounds(layer.getBounds());
    group.bringToFront(); // outlines drawn later would cover the markers and take their clicks
  });
  var group = L.featureGroup();
  points.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 6, color: "#b5481b", fillOpacity: 0.8 })
      .bindPopup(window.urbanmine.lines([p.code, p.group, p.qty + " · " + p.quality], true))
      .addTo(group);
  });
  group.addTo(map);
  // maxZoom: without tiles the map has no zoom limit, and one lot alone (a narrow filter)
  // would zoom it to infinity and draw nothing.
  if (points.length) map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 13 });
  el.dataset.ready = "1";
})();
