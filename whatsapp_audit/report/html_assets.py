"""The HTML report's inline style sheet and script (no remote resources; the page works offline).

The script only hides and shows findings already in the page: it reads the filter state from the
form or from the URL fragment (`report.html#rule=OPS-VRM&author=...&from=2024-01-01`) and never
builds HTML from chat text, so nothing in a chat can become markup or code.
"""

from __future__ import annotations

CSS = """
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d5d9de; --high: #b3261e; --medium: #8a5a00; --low: #1f5f8b; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; margin: .5rem 0 1rem; } th, td { text-align: left; padding: .2rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; } dl.meta dt { color: var(--muted); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.bar { color: #4a6fa5; letter-spacing: -1px; }
form#filters { position: sticky; top: 0; background: #f5f7f9; border: 1px solid var(--line); padding: .6rem; display: flex;
               flex-wrap: wrap; gap: .6rem 1rem; align-items: end; z-index: 1; }
form#filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
article.finding { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 4px; padding: .6rem .9rem; margin: 1rem 0; break-inside: avoid; }
article.sev-high { border-left-color: var(--high); } article.sev-medium { border-left-color: var(--medium); } article.sev-low { border-left-color: var(--low); }
article.finding h3 { font-size: 1rem; margin: 0 0 .2rem; } .who { color: var(--muted); margin: 0 0 .4rem; }
.sev { font-weight: 600; } .sev.high { color: var(--high); } .sev.medium { color: var(--medium); } .sev.low { color: var(--low); }
ol.context { list-style: none; padding: 0; margin: .4rem 0; border-top: 1px dashed var(--line); border-bottom: 1px dashed var(--line); }
ol.context li { padding: .15rem .3rem; white-space: pre-wrap; overflow-wrap: anywhere; color: var(--muted); }
ol.context li.flagged { color: var(--ink); background: #fff8e1; }
ol.context .t { font-family: ui-monospace, Consolas, monospace; font-size: .85em; } ol.context .a { font-weight: 600; }
mark { background: #ffd54f; color: #000; padding: 0 .1em; }
.explain dt { font-weight: 600; } .explain dd { margin: 0 0 .3rem 1rem; }
details { margin-top: .3rem; } .notice { background: #eef3f8; border: 1px solid var(--line); padding: .5rem .8rem; }
[hidden] { display: none !important; }
@media print { form#filters, #shown { display: none; } body { max-width: none; font-size: 11pt; } a { color: inherit; } }
"""

JS = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  // The exhibit filter is only on the page when the report covers several exports.
  var keys = ["source", "category", "rule", "author", "from", "to"].filter(function (k) { return form.elements[k]; });
  function state() {
    var s = {};
    keys.forEach(function (k) { s[k] = form.elements[k].value; });
    return s;
  }
  function apply() {
    var s = state(), shown = 0;
    items.forEach(function (el) {
      var d = el.dataset;
      var ok = (!s.source || d.source === s.source) &&
               (!s.category || d.category === s.category) && (!s.rule || d.rule === s.rule) &&
               (!s.author || d.author === s.author) && (!s.from || d.date >= s.from) && (!s.to || d.date <= s.to);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById("shown-count").textContent = String(shown);
    var parts = [];
    keys.forEach(function (k) { if (s[k]) { parts.push(k + "=" + encodeURIComponent(s[k])); } });
    if (history.replaceState) { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname); }
  }
  function fromHash() {
    var raw = location.hash.replace(/^#/, "");
    raw.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 1) { return; }
      var k = pair.slice(0, at), v = decodeURIComponent(pair.slice(at + 1).replace(/\\+/g, " "));
      if (keys.indexOf(k) >= 0) { form.elements[k].value = v; }
    });
  }
  form.addEventListener("change", apply);
  form.addEventListener("input", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  apply();
  document.documentElement.setAttribute("data-filters-ready", "yes");
}());
"""
