(function () {
  "use strict";
  // The reviewer: a verdict and a note on each finding, by mouse or keyboard, saved as a review file
  // (docs/review.md) that the browser downloads from a blob: URL made here. Nothing is sent anywhere
  // (the page's CSP forbids every connection) and nothing is kept in the browser: the file is the
  // record. Like the report's own script it never builds HTML from text: verdicts and notes go in
  // attributes, form values and textContent only.
  var bar = document.getElementById("review-bar");
  if (!bar) { return; }  // no findings, or a redacted copy: verdicts are shown, not given
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding[data-id]"));
  var WORDS = {confirmed: "confirmed", not_a_concern: "not a concern", unsure: "unsure"};
  var KEYS = {c: "confirmed", n: "not_a_concern", u: "unsure", x: ""};
  var reviewer = document.getElementById("review-reviewer");
  var counts = document.getElementById("review-counts");
  var saved = document.getElementById("review-saved");
  var filters = document.getElementById("filters");
  var given = [];  // the entries of the review file given to scan --review, in file order
  var unsaved = false;
  var current = -1;

  try { given = JSON.parse(document.getElementById("review-carried").textContent).reviews || []; } catch (e) { given = []; }
  var original = {};
  given.forEach(function (r) { original[r.id] = r; });

  function part(el, selector) { return el.querySelector(".review " + selector); }
  function verdictOf(el) { var v = el.getAttribute("data-verdict"); return v === "unreviewed" ? "" : v; }
  function count(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function findings(n) { return count(n) + (n === 1 ? " finding" : " findings"); }

  function show(el) {
    var verdict = verdictOf(el);
    Array.prototype.forEach.call(el.querySelectorAll(".review button[data-set]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-set") === verdict ? "true" : "false");
    });
    var who = [el.getAttribute("data-reviewer"), el.getAttribute("data-at")].filter(Boolean).join(", ");
    if (el.getAttribute("data-via") === "portable_id") { who += (who ? "; " : "") + "given on another export of this chat"; }
    part(el, ".review-state").textContent = verdict ? WORDS[verdict] + (who ? " (" + who + ")" : "") : "not reviewed";
    part(el, ".review-note-print").textContent = part(el, "textarea").value;
  }

  function tally() {
    var n = {confirmed: 0, not_a_concern: 0, unsure: 0, "": 0};
    items.forEach(function (el) { n[verdictOf(el)] += 1; });
    counts.textContent = "Reviewed " + count(items.length - n[""]) + " of " + findings(items.length) + ": confirmed " +
      count(n.confirmed) + ", not a concern " + count(n.not_a_concern) + ", unsure " + count(n.unsure) +
      "; not reviewed " + count(n[""]) + "." + (unsaved ? " Changes not saved yet." : "");
    if (n[""] < items.length) { document.documentElement.setAttribute("data-reviewed", "yes"); } else { document.documentElement.removeAttribute("data-reviewed"); }
  }

  function stamp() { return new Date().toISOString().replace(/\.\d{3}Z$/, "Z"); }

  function touched(el) {
    el.setAttribute("data-reviewer", reviewer.value.trim());
    el.setAttribute("data-at", stamp());
    el.setAttribute("data-touched", "yes");
    el.removeAttribute("data-via");
    unsaved = true;
  }

  function mark(el, verdict) {
    if (verdictOf(el) === verdict) { return; }
    el.setAttribute("data-verdict", verdict || "unreviewed");
    touched(el);
    show(el);
    tally();
    document.dispatchEvent(new Event("findings-changed"));  // the report's script re-applies the filters
  }

  function focusOn(index) {
    if (items[current]) { items[current].classList.remove("current"); }
    current = index;
    var el = items[current];
    el.classList.add("current");
    el.setAttribute("tabindex", "-1");
    el.focus({preventScroll: true});
    if (el.scrollIntoView) {
      el.scrollIntoView({block: "start"});
      if (filters) { window.scrollBy(0, -(filters.getBoundingClientRect().height + 8)); }  // below the sticky filters
    }
  }

  // The next (step 1) or previous (-1) finding the filters show, counted from the current one even
  // when a verdict just hid it (the "not reviewed" filter), so j after c goes on down the list; from
  // a hidden one past the end it starts again at the other end (the findings skipped on the way).
  function go(step) {
    var lost = current >= 0 && items[current].hidden;
    var start = current < 0 ? (step > 0 ? 0 : items.length - 1) : current + step;
    for (var i = start; i >= 0 && i < items.length; i += step) {
      if (!items[i].hidden) { focusOn(i); return; }
    }
    if (lost) {
      for (i = step > 0 ? 0 : items.length - 1; i >= 0 && i < items.length; i += step) {
        if (!items[i].hidden) { focusOn(i); return; }
      }
    }
  }

  function here() {
    if (current < 0 || items[current].hidden) { go(1); }
    return current >= 0 && !items[current].hidden ? items[current] : null;
  }

  // What the page writes for one finding: the given entry as it was when nothing changed here, else
  // that entry (fields the page does not know included) with this page's verdict, note, who and when.
  function entry(el) {
    var before = original[el.getAttribute("data-review-id")];
    var note = part(el, "textarea");
    if (before && el.getAttribute("data-touched") !== "yes" && note.value === note.defaultValue) { return before; }
    var out = {};
    if (before) { Object.keys(before).forEach(function (k) { out[k] = before[k]; }); }
    out.id = el.getAttribute("data-id");
    out.verdict = verdictOf(el);
    out.note = note.value === note.defaultValue && before ? before.note : note.value;
    out.reviewer = el.getAttribute("data-reviewer") || "";
    out.at = el.getAttribute("data-at") || null;
    out.portable_id = el.getAttribute("data-portable-id");
    out.rule = el.getAttribute("data-rule");
    out.category = el.getAttribute("data-category");
    return out;
  }

  function save() {
    var seen = {};      // ids written
    var replaced = {};  // given entries a finding on this page answers for (kept, changed or cleared)
    var reviews = [];
    var notesLeft = 0;
    items.forEach(function (el) {
      replaced[el.getAttribute("data-review-id")] = true;
      if (!verdictOf(el)) {
        if (part(el, "textarea").value.trim()) { notesLeft += 1; }
        return;
      }
      var r = entry(el);
      if (seen[r.id]) { return; }  // the same message in two exports of a case: one entry
      seen[r.id] = true;
      reviews.push(r);
    });
    given.forEach(function (r) {  // findings not on this page: hidden, set aside, or another export's
      if (!replaced[r.id] && !seen[r.id]) { seen[r.id] = true; reviews.push(r); }
    });
    var file = {review_version: "1", written_by: bar.getAttribute("data-written-by"), reviews: reviews};
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2) + "\n"], {type: "application/json"}));
    link.download = bar.getAttribute("data-file-name");
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
    unsaved = false;
    saved.textContent = "Saved " + count(reviews.length) + " verdict" + (reviews.length === 1 ? "" : "s") + " as " +
      link.download + " in your browser's downloads." +
      (notesLeft ? " " + count(notesLeft) + (notesLeft === 1 ? " note was" : " notes were") +
        " not saved: a note is kept only with a verdict." : "") +
      (reviewer.value.trim() ? "" : " No reviewer name was given.");
    tally();
  }

  // Open a review file saved earlier (or a colleague's) to go on with it in this page: the same
  // checks as `scan --review` (docs/review.md), each finding matched by id, else by portable_id.
  // Its entries for findings not on this page are kept, and written back by the next save.
  function problem(entry, at) {
    if (!entry || typeof entry !== "object") { return "reviews[" + at + "] is not an object"; }
    if (typeof entry.id !== "string" || !/^[0-9a-f]{32}$/.test(entry.id)) { return "reviews[" + at + "]: id must be a finding id (32 hex digits)"; }
    if (!Object.prototype.hasOwnProperty.call(WORDS, entry.verdict)) { return "reviews[" + at + "]: verdict must be confirmed, not_a_concern or unsure"; }
    if (["note", "reviewer", "at"].some(function (k) { return entry[k] != null && typeof entry[k] !== "string"; })) {
      return "reviews[" + at + "]: note, reviewer and at must be text";
    }
    return "";
  }

  function openFile(name, content) {
    var data;
    try { data = JSON.parse(content); } catch (e) { return name + ": not valid JSON"; }
    if (!data || typeof data !== "object" || !Array.isArray(data.reviews)) { return name + ': not a review file: expected {"reviews": [...]}'; }
    if (data.review_version != null && data.review_version !== "1") { return name + ": review_version " + data.review_version + " is not one this page reads"; }
    var byId = {};
    var byPortable = {};
    for (var at = 0; at < data.reviews.length; at += 1) {
      var entry = data.reviews[at];
      var wrong = problem(entry, at);
      if (!wrong && byId[entry.id]) { wrong = "reviews[" + at + "]: id " + entry.id + " appears twice (review merge combines files)"; }
      if (wrong) { return name + ": " + wrong; }
      byId[entry.id] = entry;
      if (typeof entry.portable_id === "string" && !byPortable[entry.portable_id]) { byPortable[entry.portable_id] = entry; }
    }
    var used = {};
    var matched = 0;
    var viaPortable = 0;
    items.forEach(function (el) {
      var entry = byId[el.getAttribute("data-id")];
      var via = "id";
      if (!entry) { entry = byPortable[el.getAttribute("data-portable-id")]; via = "portable_id"; }
      if (!entry) { return; }
      used[entry.id] = true;
      matched += 1;
      if (via === "portable_id") { viaPortable += 1; el.setAttribute("data-via", via); } else { el.removeAttribute("data-via"); }
      el.setAttribute("data-verdict", entry.verdict);
      el.setAttribute("data-review-id", entry.id);
      el.setAttribute("data-reviewer", entry.reviewer || "");
      el.setAttribute("data-at", entry.at || "");
      el.removeAttribute("data-touched");
      var note = part(el, "textarea");
      note.value = note.defaultValue = entry.note || "";
      show(el);
    });
    var kept = given.filter(function (r) { return !byId[r.id]; });
    given = data.reviews.concat(kept);
    original = {};
    given.forEach(function (r) { original[r.id] = r; });
    tally();
    document.dispatchEvent(new Event("findings-changed"));
    var others = data.reviews.length - Object.keys(used).length;
    return "Opened " + name + ": " + count(matched) + " verdict" + (matched === 1 ? "" : "s") + " on findings of this page" +
      (viaPortable ? " (" + count(viaPortable) + " given on another export of this chat)" : "") + "; " + count(others) +
      (others === 1 ? " entry" : " entries") + " for findings not on it, kept when you save.";
  }

  var opener = document.getElementById("review-open");
  if (opener && window.FileReader) {
    opener.addEventListener("change", function () {
      var file = opener.files && opener.files[0];
      if (!file) { return; }
      var reader = new FileReader();
      reader.onload = function () { saved.textContent = openFile(file.name, String(reader.result).replace(/^\uFEFF/, "")); opener.value = ""; };
      reader.onerror = function () { saved.textContent = file.name + ": could not be read"; opener.value = ""; };
      reader.readAsText(file);
    });
  }

  items.forEach(function (el, i) {
    el.querySelector(".review").addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button[data-set]") : null;
      if (!button) { return; }
      focusOn(i);
      mark(el, button.getAttribute("data-set"));
    });
    var note = part(el, "textarea");
    note.addEventListener("input", function () {
      part(el, ".review-note-print").textContent = note.value;
      unsaved = true;
      tally();
    });
    note.addEventListener("change", function () { if (verdictOf(el)) { touched(el); show(el); tally(); } });
    note.addEventListener("focus", function () { if (current !== i) { focusOn(i); note.focus(); } });
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && /^(TEXTAREA|INPUT|SELECT)$/.test(target.tagName)) {
      if (event.key === "Escape") {
        target.blur();
        if (items[current]) { focusOn(current); }
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    var el;
    if (key === "j") { go(1); } else if (key === "k") { go(-1); } else if (Object.prototype.hasOwnProperty.call(KEYS, key)) {
      el = here();
      if (el) { mark(el, KEYS[key]); }
    } else if (key === "e") {
      el = here();
      if (el) { part(el, "textarea").focus(); }
    } else if (key === "s") { save(); } else { return; }
    event.preventDefault();
  });

  document.getElementById("review-save").addEventListener("click", save);
  window.addEventListener("beforeunload", function (event) {
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });
  tally();
  document.documentElement.setAttribute("data-review-ready", "yes");
}());
