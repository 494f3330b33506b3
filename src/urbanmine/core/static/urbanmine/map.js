// Supply map: markers and municipality outlines; no tile server needed (works offline).
(function () {
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el, { zoomControl: true }).setView([51.95, 4.45], 9);
  var points = JSON.parse(el.dataset.points || "[]");
  fetch(el.dataset.outlines).then(function (r) { return r.json(); }).then(function (gj) {
    var layer = L.geoJSON(gj, { style: { color: "#2b6a4f", weight: 1, fillOpacity: 0.04 },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); } }).addTo(map);
    if (!points.length) map.fitBounds(layer.getBounds());
  });
  var group = L.featureGroup();
  points.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 6, color: "#b5481b", fillOpacity: 0.8 })
      .bindPopup("<b>" + p.code + "</b><br>" + p.group + "<br>" + p.qty + " · " + p.quality)
      .addTo(group);
  });
  group.addTo(map);
  if (points.length) map.fitBounds(group.getBounds().pad(0.2));
  el.dataset.ready = "1";
})();
