// The asset form's place picker: click the map (municipality outlines, no tiles: offline)
// to fill latitude and longitude; with the address service switched on, search an address
// or postcode first. Results are shown as text (urbanmine.text), never as HTML.
(function () {
  var el = document.getElementById("pick-map");
  if (!el || typeof L === "undefined") return;
  var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
  var rdx = document.getElementById("id_rd_x"), rdy = document.getElementById("id_rd_y");
  var address = document.getElementById("id_address");
  var map = L.map(el, { zoomControl: true, zoomSnap: 0.25 }).setView([51.95, 4.45], 9);
  var marker = null;
  function place(la, lo, zoom) {
    if (marker) marker.setLatLng([la, lo]); else marker = L.marker([la, lo]).addTo(map);
    if (zoom) map.setView([la, lo], Math.max(map.getZoom(), 13));
  }
  function fill(la, lo) {
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    if (rdx) rdx.value = ""; if (rdy) rdy.value = "";
    place(la, lo, false);
    el.dataset.picked = "1";
  }
  fetch(el.dataset.outlines).then(function (r) { return r.json(); }).then(function (gj) {
    var layer = L.geoJSON(gj, { style: { color: "#2b6a4f", weight: 1, fillOpacity: 0.04 },
      onEachFeature: function (f, l) { l.bindTooltip(window.urbanmine.text(f.properties.name)); } }).addTo(map);
    // clicks on an outline pick the place too
    layer.on("click", function (e) { fill(e.latlng.lat, e.latlng.lng); });
    if (!(lat.value && lon.value)) map.fitBounds(layer.getBounds());
    el.dataset.ready = "1";
  });
  map.on("click", function (e) { fill(e.latlng.lat, e.latlng.lng); });
  // a value shown back by the server has the language's decimal comma (core/forms.py)
  function number(input) { return parseFloat(input.value.replace(",", ".")); }
  if (lat.value && lon.value) place(number(lat), number(lon), true);

  var search = document.getElementById("place-search");
  if (!search || !el.dataset.lookup) return;
  var results = document.getElementById("place-results"), message = document.getElementById("place-message");
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = search.value.trim();
      fetch(el.dataset.lookup + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          results.textContent = "";
          message.textContent = data.message || "";
          (data.results || []).forEach(function (p) {
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button"; b.className = "link"; b.textContent = p.label;
            b.addEventListener("click", function () {
              fill(p.lat, p.lon); place(p.lat, p.lon, true);
              if (address && !address.value) address.value = p.label;
              results.textContent = "";
            });
            li.appendChild(b); results.appendChild(li);
          });
        });
    }, 300);
  });
})();
