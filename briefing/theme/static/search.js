/* The search page, on Pagefind's JavaScript API (the pages' own language index).

   A big site is indexed in several bundles: parts.json, in the first one, lists the others
   (merged into the search) and the results of the parts that are stale because their page
   changed since the part was indexed: the page's current text is in the last bundle, the
   delta, so a stale result is dropped. ?q= runs a search on load. The element's data-state
   is "done" once a search's results are listed. */
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el) { return; }
  var PAGE = 10;
  var input = el.querySelector(".search-input");
  var submit = el.querySelector(".search-submit");
  var form = el.querySelector(".search-form");
  var status = el.querySelector(".search-status");
  var list = el.querySelector(".search-results");
  var more = el.querySelector(".search-more");
  var bundle = new URL(el.getAttribute("data-bundle"), window.location.href);
  var root = new URL(el.getAttribute("data-root"), window.location.href).pathname;
  var text = function (name, values) {
    return (el.getAttribute("data-" + name) || "").replace(/\{(\w+)\}/g, function (m, k) { return values[k]; });
  };

  /* The index keeps each Traditional-only character as a word of its own (its segmenter
     knows Simplified words); split a Traditional query the same way. */
  var trad = {};
  var tradChars = window.BRIEFING_TRADITIONAL_CHARS || "";
  for (var i = 0; i < tradChars.length; i++) { trad[tradChars.charAt(i)] = true; }
  function prepare(term) {
    var out = "";
    for (var j = 0; j < term.length; j++) {
      var c = term.charAt(j);
      out += trad[c] ? " " + c + " " : c;
    }
    return out.replace(/\s+/g, " ").trim();
  }

  var pagefind = null;
  var stale = {};            // fragment id → URL of a result that is out of date
  var current = null;        // the search on show: its results and how far they are listed
  var generation = 0;

  function start() {
    var partsUrl = new URL("parts.json", bundle);
    return import(new URL("pagefind.js", bundle).href).then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: root, excerptLength: 40 });
    }).then(function () {
      return fetch(partsUrl).then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; });
    }).then(function (parts) {
      (parts.stale || []).forEach(function (s) { stale[s[0]] = s[1]; });
      var extra = (parts.bundles || []).slice(1);
      return extra.reduce(function (p, b) {
        return p.then(function () {
          return pagefind.mergeIndex(new URL(b, partsUrl).pathname, { baseUrl: root });
        });
      }, Promise.resolve());
    }).then(function () { return pagefind.init(); });
  }

  function show(term) {
    var mine = ++generation;
    list.textContent = "";
    more.hidden = true;
    if (!term) { status.textContent = ""; current = null; el.setAttribute("data-state", "done"); return Promise.resolve(); }
    status.textContent = text("searching", {});
    el.setAttribute("data-state", "busy");
    return pagefind.search(prepare(term)).then(function (found) {
      if (mine !== generation || !found) { return; }
      var results = found.results.filter(function (r) { return !stale[r.id]; }).length;
      current = { term: term, results: found.results, next: 0, seen: {}, shown: 0, want: 0, total: results,
                  generation: mine };
      status.textContent = results === 0 ? text("none", { q: term }) : text("found", { n: String(results) });
      return page();
    });
  }

  /* List the next PAGE results, leaving out stale ones. */
  function page() {
    var run = current;
    run.want += PAGE;
    return fill(run);
  }

  function fill(run) {
    var batch = run.results.slice(run.next, run.next + (run.want - run.shown));
    run.next += batch.length;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
      if (run.generation !== generation) { return; }
      items.forEach(function (data, k) {
        var url = data.raw_url || data.url;
        if (stale[batch[k].id] === url || run.seen[url]) { return; }
        run.seen[url] = true;
        run.shown++;
        list.appendChild(item(data));
      });
      if (run.shown < run.want && run.next < run.results.length) { return fill(run); }
      more.hidden = run.next >= run.results.length;
      el.setAttribute("data-state", "done");
    });
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "search-result";
    var a = document.createElement("a");
    a.className = "search-result-link";
    a.href = data.url;
    a.textContent = (data.meta && data.meta.title) || data.url;
    var h = document.createElement("h2");
    h.appendChild(a);
    li.appendChild(h);
    var p = document.createElement("p");
    p.className = "search-result-excerpt";
    excerpt(p, data.excerpt || "");
    li.appendChild(p);
    return li;
  }

  /* Pagefind's excerpt is escaped text with <mark> around the hits: build it as nodes. */
  function excerpt(target, html) {
    var parts = html.split(/(<mark>|<\/mark>)/);
    var marked = false;
    parts.forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      var t = document.createTextNode(part.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
        .replace(/&#39;/g, "'").replace(/&amp;/g, "&"));
      if (marked) { var m = document.createElement("mark"); m.appendChild(t); target.appendChild(m); }
      else { target.appendChild(t); }
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input.value.trim()); }, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var term = input.value.trim();
    var url = new URL(window.location.href);
    url.searchParams.set("q", term);
    window.history.replaceState(null, "", url);
    show(term);
  });
  more.addEventListener("click", function () { if (current) { page(); } });

  start().then(function () {
    input.disabled = false;
    submit.disabled = false;
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; return show(q.trim()); }
  }).catch(function (err) {
    status.textContent = text("failed", {});
    if (window.console) { window.console.warn(err); }
  });
}());
