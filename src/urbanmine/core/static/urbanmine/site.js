// Loaded by every page (base.html) before the page's own scripts. The Content-Security-Policy
// allows no inline script and no inline event handler: behaviour lives here.
//
// Data shown by maps and charts is text, never HTML. Leaflet inserts a string given to
// bindTooltip / bindPopup as HTML, so Leaflet gets DOM elements built with textContent
// (urbanmine.text, urbanmine.lines). Chart.js draws labels on a canvas (plain text).
// urbanmine.escape remains for any library that reads HTML in labels.
(function () {
  // Numeric entities for the quotes: Plotly decodes &amp; &lt; &gt; and numeric ones only.
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };

  function escape(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return ENTITIES[c];
    });
  }

  // An element holding `value` as text; `tag` defaults to a span.
  function text(value, tag) {
    var el = document.createElement(tag || "span");
    el.textContent = value === null || value === undefined ? "" : String(value);
    return el;
  }

  // A block of text lines (a tooltip or popup): the first line bold when `title` is set.
  function lines(values, title) {
    var box = document.createElement("div");
    values.forEach(function (value, i) {
      if (i) box.appendChild(document.createElement("br"));
      box.appendChild(text(value, title && i === 0 ? "b" : "span"));
    });
    return box;
  }

  window.urbanmine = { escape: escape, text: text, lines: lines };

  // <select data-autosubmit> submits its form on change (language switcher, dashboard view).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
    }
  });
})();
