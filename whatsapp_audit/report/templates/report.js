(function () {
  "use strict";
  // The report's only script. It hides and shows findings already in the page, says how many are
  // shown and by which filter, and opens every collapsed section for printing. It never builds HTML
  // from chat text (textContent only), so nothing in a chat can become markup or code.
  //
  // Filters are data: each control of form#filters carries data-match (how it compares) and
  // data-field (which data-* attribute of an article.finding it reads). A new filter is one more
  // control in the page plus that attribute on each finding; nothing here changes. Code that changes
  // a finding's attributes fires a "findings-changed" event on the document to re-apply the filters.
  var form = document.getElementById("filters");
  var status = document.getElementById("filter-state");
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var controls = form ? Array.prototype.slice.call(form.querySelectorAll("[data-match]")) : [];
  var texts = null; // lower-cased text of each finding, made on first use of the text filter

  // What the text filter searches: the finding itself (heading, flagged message, explanation), not
  // the neighbouring messages, which would make every finding near a word match it.
  function searchable(item) {
    return Array.prototype.map.call(item.querySelectorAll("header, li.flagged, dl.explain"), function (part) {
      return part.textContent;
    }).join(" ").toLowerCase();
  }

  function noun(n) { return n === 1 ? "finding" : "findings"; }

  function rank(control, level) {
    return control.getAttribute("data-order").split(" ").indexOf(level);
  }

  function matches(el, i, control) {
    var wanted = control.value;
    if (!wanted) { return true; }
    var have = el.getAttribute("data-" + control.getAttribute("data-field")) || "";
    switch (control.getAttribute("data-match")) {
      case "equals": return have === wanted;
      case "level": // "medium" is exactly medium, "medium+" is medium or higher
        if (wanted.slice(-1) === "+") { return rank(control, have) >= rank(control, wanted.slice(0, -1)); }
        return have === wanted;
      case "from": return have >= wanted;
      case "to": return have <= wanted;
      case "text":
        if (!texts) { texts = items.map(searchable); }
        return texts[i].indexOf(wanted.toLowerCase()) >= 0;
      default: return true;
    }
  }

  function describe(control) {
    var shown = control.value;
    if (control.tagName === "SELECT" && control.selectedIndex >= 0) { shown = control.options[control.selectedIndex].text; }
    return control.getAttribute("data-label") + " " + shown;
  }

  function apply(rememberInUrl) {
    var active = controls.filter(function (c) { return c.value; });
    var shown = 0;
    items.forEach(function (el, i) {
      var ok = active.every(function (c) { return matches(el, i, c); });
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (status) {
      status.textContent = active.length
        ? "Showing " + shown + " of " + items.length + " " + noun(items.length) + ". Filter: " +
          active.map(describe).join("; ") + "."
        : "Showing all " + items.length + " " + noun(items.length) + " (no filter).";
    }
    if (rememberInUrl && history.replaceState) {
      var parts = active.map(function (c) { return c.name + "=" + encodeURIComponent(c.value); });
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
    }
  }

  // `report.html#rule=OPS-VRM&from=2024-01-01` sets exactly those filters (the summary's links use
  // this); a fragment without "=" (e.g. #f12, a finding's number) only scrolls, as usual.
  function fromHash() {
    var raw = location.hash.replace(/^#/, "");
    if (raw.indexOf("=") < 0) { return false; }
    var given = {};
    raw.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 1) { return; }
      try { given[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " ")); } catch (e) { /* a broken escape: ignore it */ }
    });
    controls.forEach(function (c) { c.value = Object.prototype.hasOwnProperty.call(given, c.name) ? given[c.name] : ""; });
    return true;
  }

  if (form) {
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("input", function () { apply(true); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
  }
  window.addEventListener("hashchange", function () {
    if (fromHash()) {
      apply(false);
      var findings = document.getElementById("findings");
      if (findings && findings.scrollIntoView) { findings.scrollIntoView(); }
    }
  });
  document.addEventListener("findings-changed", function () { texts = null; apply(false); });

  // Pictures: a click (or Enter) shows one at full width, another click makes it small again.
  Array.prototype.forEach.call(document.querySelectorAll("figure.thumb"), function (figure) {
    function toggle() { figure.classList.toggle("large"); }
    figure.addEventListener("click", toggle);
    figure.addEventListener("keydown", function (event) { if (event.key === "Enter") { toggle(); } });
  });

  // Printing: every collapsed section open on paper, closed again afterwards (the style sheet does
  // the same where the browser supports it).
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () { reopened.forEach(function (d) { d.open = false; }); reopened = []; });

  fromHash();
  apply(false);
  document.documentElement.setAttribute("data-filters-ready", "yes");
}());
