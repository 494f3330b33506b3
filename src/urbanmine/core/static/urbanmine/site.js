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

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function frame() {
    // The menu button (phones): shows and hides the menu; the menu is open without JavaScript.
    var button = document.querySelector(".menu-button");
    var nav = document.getElementById("site-menu");
    if (button && nav) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // The menu marks the page the user is on (or the section it belongs to).
    var here = window.location.pathname;
    var best = null;
    document.querySelectorAll(".site-nav a").forEach(function (a) {
      var path = new URL(a.href, window.location.href).pathname;
      if (path !== "/" && here.indexOf(path) === 0 && (!best || path.length > best.path.length)) {
        best = { a: a, path: path };
      }
    });
    if (best) best.a.setAttribute("aria-current", best.path === here ? "page" : "true");
    // A wide table scrolls inside its own box on a narrow screen, reachable by keyboard.
    document.querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    });
    errorSummary();
  }

  // A form with errors: a summary at the top of the page, linking to each field in error
  // (GOV.UK / NL Design System pattern); the field's own error stays next to it, tied to it by
  // aria-describedby (Django 5.2 renders both ids).
  function errorSummary() {
    var main = document.getElementById("main");
    if (!main || main.querySelector(".error-summary")) return;
    var lists = main.querySelectorAll("ul.errorlist");
    if (!lists.length) return;
    var box = document.createElement("div");
    box.className = "error-summary";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    var title = document.createElement("h2");
    title.textContent = main.getAttribute("data-error-title") || "";
    box.appendChild(title);
    var list = document.createElement("ul");
    lists.forEach(function (ul) {
      var fieldId = ul.id && ul.id.slice(-6) === "_error" ? ul.id.slice(0, -6) : null;
      var field = fieldId ? document.getElementById(fieldId) : null;
      ul.querySelectorAll("li").forEach(function (li) {
        var item = document.createElement("li");
        var label = field && field.labels && field.labels.length ? field.labels[0].textContent.trim() : "";
        var message = (label ? label.replace(/[:*]\s*$/, "") + ": " : "") + li.textContent.trim();
        if (field) {
          var a = document.createElement("a");
          a.href = "#" + fieldId;
          a.textContent = message;
          item.appendChild(a);
        } else {
          item.textContent = message;
        }
        list.appendChild(item);
      });
    });
    box.appendChild(list);
    var heading = main.querySelector("h1");
    if (heading && heading.parentNode) heading.parentNode.insertBefore(box, heading.nextSibling);
    else main.insertBefore(box, main.firstChild);
    box.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", frame);
  else frame();

  // <select data-autosubmit> submits its form on change (language switcher, dashboard view).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
    }
  });
})();
