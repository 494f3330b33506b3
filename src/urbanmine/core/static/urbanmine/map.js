// Supply map: one marker per place holding lots of the filtered list (its popup links to
// them), over the municipality outlines; no tile server needed (works offline).
// Tooltip and popup contents are DOM text (urbanmine.text / urbanmine.lines), never HTML:
// product group names, lot codes and municipality names are data.
(function () {
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  // zoomSnap: fit the province to the box (whole zoom levels leave it a quarter of the size)
  var map = L.map(el, { zoomControl: true, zoomSnap: 0.25 }).setView([51.95, 4.45], 9);
  var points = JSON.parse(el.dataset.points || "[]");
  fetch(el.dataset.outlines).then(function (r) { return r.json(); }).then(function (gj) {
    var layer = L.geoJSON(gj, { style: { color: "#2b6a4f", weight: 1, fillOpacity: 0.04 },
      onEachFeature: function (f, l) { l.bindTooltip(window.urbanmine.text(f.properties.name)); } }).addTo(map);
    if (!points.length) map.fitBounds(layer.getBounds());
    group.bringToFront(); // outlines drawn later would cover the markers and take their clicks
  });
  var group = L.featureGroup();
  var lotUrl = el.dataset.lotUrl || "";
  // A place (hub, building, project) with the lots there: the popup links to each lot.
  function placePopup(p) {
    var box = document.createElement("div");
    box.appendChild(window.urbanmine.text(p.name + " (" + p.n + ")", "b"));
    var list = document.createElement("ul");
    list.className = "map-lots";
    p.lots.forEach(function (lot) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = lotUrl.replace("CODE", encodeURIComponent(lot[0]));
      a.textContent = lot[0];
      li.appendChild(a);
      li.appendChild(window.urbanmine.text(" " + lot[1]));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (p.n > p.lots.length) {
      box.appendChild(window.urbanmine.text((el.dataset.more || "+%(n)s").replace("%(n)s", p.n - p.lots.length)));
    }
    return box;
  }
  points.forEach(function (p) {
    // bigger for more lots at one place; tooltip and popup are DOM text, never HTML
    var radius = Math.min(18, 5 + 3 * Math.log(p.n + 1));
    L.circleMarker([p.lat, p.lon], { radius: radius, color: "#b5481b", fillOpacity: 0.8 })
      .bindPopup(placePopup(p))
      .bindTooltip(window.urbanmine.text(p.name + ": " + p.n))
      .addTo(group);
  });
  group.addTo(map);
  // maxZoom: without tiles the map has no zoom limit, and one lot alone (a narrow filter)
  // would zoom it to infinity and draw nothing.
  if (points.length) map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 13 });
  el.dataset.ready = "1";
})();
