// Full-text search of the site, in the browser: the index (search-index.js) lists each page's sections as text.
// Results are built with DOM methods only (no HTML from the index is ever parsed), so the page's strict CSP holds.
(function () {
  "use strict";
  var MAX = 30;
  // Lower case without accents, one UTF-16 unit for one: offsets found in the folded text hold in the original.
  function norm(s) {
    var out = "";
    for (var i = 0; i < s.length; i++) {
      var c = s[i], f = c.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
      out += f.length === 1 ? f : (c.toLowerCase().length === 1 ? c.toLowerCase() : c);
    }
    return out;
  }
  function terms(q) { return norm(q).split(/[^\p{L}\p{N}]+/u).filter(function (t) { return t.length > 1; }); }
  function score(text, ts) {
    var hay = norm(text), total = 0;
    for (var i = 0; i < ts.length; i++) {
      var n = hay.split(ts[i]).length - 1;
      if (!n) { return 0; }  // every term must occur
      total += n;
    }
    return total;
  }
  function snippet(text, ts) {
    var hay = norm(text), at = hay.indexOf(ts[0]);
    var start = Math.max(0, at - 80), end = Math.min(text.length, at + 160);
    if (start > 0) { start = Math.min(at, text.indexOf(" ", start) + 1); }  // from a word's start
    return (start > 0 ? "\u2026" : "") + text.slice(start, end) + (end < text.length ? "\u2026" : "");
  }
  function marked(parent, text, ts) {
    // Mark every term in TEXT; the rest stays plain text nodes.
    var hay = norm(text), i = 0;
    while (i < text.length) {
      var next = -1, len = 0;
      ts.forEach(function (t) { var j = hay.indexOf(t, i); if (j >= 0 && (next < 0 || j < next)) { next = j; len = t.length; } });
      if (next < 0) { parent.appendChild(document.createTextNode(text.slice(i))); break; }
      parent.appendChild(document.createTextNode(text.slice(i, next)));
      var m = document.createElement("mark"); m.textContent = text.slice(next, next + len); parent.appendChild(m);
      i = next + len;
    }
  }
  function run() {
    var params = new URLSearchParams(window.location.search), q = (params.get("q") || "").trim();
    var input = document.getElementById("q"), status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    if (!input || !status || !list) { return; }
    input.value = q;
    if (!q) { status.textContent = "Type a word or phrase to search every brief."; return; }
    var ts = terms(q), hits = [];
    if (!ts.length) { status.textContent = "Type at least two letters."; return; }
    (window.briefgenSearch || { pages: [] }).pages.forEach(function (page) {
      page.s.forEach(function (sec) {
        var s = score(sec[0] + " " + sec[2], ts) + 3 * score(page.t, ts);
        if (s) { hits.push({ page: page, sec: sec, score: s }); }
      });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    var shown = hits.slice(0, MAX);
    status.textContent = hits.length ? (hits.length + (hits.length === 1 ? " result" : " results") + " for \u201c" + q + "\u201d" +
      (hits.length > MAX ? " (the first " + MAX + " shown)" : "")) : "No results for \u201c" + q + "\u201d.";
    document.title = "Search: " + q + " | " + document.title.split(" | ").pop();
    shown.forEach(function (hit) {
      var li = document.createElement("li"), h = document.createElement("h2"), a = document.createElement("a");
      a.href = hit.page.u + (hit.sec[1] ? "#" + hit.sec[1] : "");
      a.textContent = hit.page.t + (hit.sec[0] && hit.sec[0] !== hit.page.t ? ": " + hit.sec[0] : "");
      h.appendChild(a); li.appendChild(h);
      var p = document.createElement("p"); marked(p, snippet(hit.sec[2] || hit.sec[0], ts), ts); li.appendChild(p);
      list.appendChild(li);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
})();
