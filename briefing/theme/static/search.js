/* The search page, on Pagefind's JavaScript API.

   Both scripts share one index of the Simplified pages (see briefing/site/search.py). On the
   Traditional page (search-hant.js sets BRIEFING_HANT) the query is folded to Simplified a
   character at a time, and each result shows the Traditional title its document carries,
   the link and an excerpt cut from the Traditional text: carried too when short (an entity
   page's heading), else read from the Traditional page itself as the result is listed.

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

  /* Results under an entity section (its index page's path → its name) are labelled so. */
  var kinds = [];
  try {
    var named = JSON.parse(el.getAttribute("data-kinds") || "{}");
    Object.keys(named).forEach(function (href) {
      kinds.push([new URL(href, window.location.href).pathname, named[href]]);
    });
  } catch (err) { kinds = []; }
  function kindOf(url) {
    var path = new URL(url, window.location.href).pathname;
    for (var k = 0; k < kinds.length; k++) {
      if (path.indexOf(kinds[k][0]) === 0 && path !== kinds[k][0]) { return kinds[k][1]; }
    }
    return null;
  }

  var hant = window.BRIEFING_HANT || null;
  var folding = {};
  if (hant) {
    for (var i = 0; i < hant.from.length; i++) { folding[hant.from.charAt(i)] = hant.to.charAt(i); }
  }
  /* A text folded to Simplified a character at a time: as long as the text, so a place in
     one is the same place in the other. */
  function fold(text) {
    var out = "";
    for (var j = 0; j < text.length; j++) {
      var c = text.charAt(j);
      out += folding[c] || c;
    }
    return out;
  }
  function prepare(term) {
    return hant ? fold(term) : term;
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
    return Promise.all(batch.map(function (r) {
      return r.data().then(function (data) {
        return traditionalText(data).then(function (text) { return [data, text]; });
      });
    })).then(function (items) {
      if (run.generation !== generation) { return; }
      items.forEach(function (found, k) {
        var data = found[0];
        var url = data.raw_url || data.url;
        if (stale[batch[k].id] === url || run.seen[url]) { return; }
        run.seen[url] = true;
        run.shown++;
        list.appendChild(item(data, found[1], run.term));
      });
      if (run.shown < run.want && run.next < run.results.length) { return fill(run); }
      more.hidden = run.next >= run.results.length;
      el.setAttribute("data-state", "done");
    });
  }

  /* The Traditional text of a result on the Traditional page (null on the Simplified page,
     for a page with no counterpart, or when the page cannot be read: the result is then
     listed without an excerpt): carried by its document, or read from the Traditional page
     as briefing/site/search.py's indexed_text() does, once per page. */
  var texts = {};
  function traditionalText(data) {
    var meta = data.meta || {};
    if (!hant || meta[hant.title] === undefined) { return Promise.resolve(null); }
    if (meta[hant.text] !== undefined) { return Promise.resolve(meta[hant.text]); }
    var url = variantUrl(data.url);
    if (!texts[url]) {
      texts[url] = fetch(url).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
        var doc = html && new DOMParser().parseFromString(html, "text/html");
        var body = doc && doc.querySelector("[data-pagefind-body]");
        return body ? plainText(body) : null;
      }).catch(function () { return null; });
    }
    return texts[url];
  }
  var BLOCK = /^(P|H[1-6]|LI|BLOCKQUOTE|FIGCAPTION|DIV|SECTION|HEADER|FOOTER|DD|DT|TD|TH|BR)$/;
  /* An element's text less its data-pagefind-ignore elements: a space between blocks, none
     between inline elements, runs of white space made one. */
  function plainText(element) {
    var out = [];
    (function walk(node) {
      if (node.nodeType === 3) { out.push(node.nodeValue); return; }
      if (node.nodeType !== 1) { return; }
      if (node.hasAttribute("data-pagefind-ignore")) { out.push(" "); return; }
      for (var child = node.firstChild; child; child = child.nextSibling) { walk(child); }
      if (BLOCK.test(node.tagName)) { out.push(" "); }
    }(element));
    return out.join("").split(/\s+/).join(" ").trim();
  }

  function item(data, hantText, term) {
    var meta = data.meta || {};
    var li = document.createElement("li");
    li.className = "search-result";
    var a = document.createElement("a");
    a.className = "search-result-link";
    var p = document.createElement("p");
    p.className = "search-result-excerpt";
    if (hant && meta[hant.title] !== undefined) {
      a.href = variantUrl(data.url);
      a.textContent = meta[hant.title] || meta.title || a.href;
      if (hantText !== null) { cut(p, hantText, term); }
    } else {
      a.href = data.url;
      a.textContent = meta.title || data.url;
      excerpt(p, data.excerpt || "");
    }
    var h = document.createElement("h2");
    var kind = kindOf(a.href);
    if (kind) {
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = kind;
      h.appendChild(tag);
      h.appendChild(document.createTextNode(" "));
    }
    h.appendChild(a);
    li.appendChild(h);
    li.appendChild(p);
    return li;
  }

  /* A Simplified page's URL (under the site's root) → its Traditional counterpart's. */
  function variantUrl(url) {
    return url.indexOf(root) === 0 ? root + hant.prefix + url.slice(root.length) : url;
  }

  var EXCERPT = 80;   // characters
  /* An excerpt of a Traditional text around the query's first hit, the hits marked. Hits are
     found on the folded text and query, so a query in either script finds them. A word of
     the query not found whole (Pagefind matched its parts: its segmenter may split a name it
     does not know, 张江 into 张 and 江) is looked for two characters at a time, and failing
     that one at a time. */
  function pieces(word, size) {
    var out = [];
    for (var k = 0; k + size <= word.length; k++) { out.push(word.substr(k, size)); }
    return out;
  }
  function cut(target, text, term) {
    var folded = fold(text);
    var found = function (w) { return w && folded.indexOf(w) >= 0; };
    var hits = [];
    fold(term).split(/\s+/).forEach(function (word) {
      var parts = [word];
      if (!found(word) && word.length > 2) { parts = pieces(word, 2).filter(found); }
      if (!parts.some(found)) { parts = pieces(word, 1); }
      parts.forEach(function (w) {
        for (var at = w ? folded.indexOf(w) : -1; at >= 0; at = folded.indexOf(w, at + w.length)) {
          hits.push([at, at + w.length]);
        }
      });
    });
    hits.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var start = hits.length ? Math.max(0, hits[0][0] - Math.floor(EXCERPT / 4)) : 0;
    var end = Math.min(text.length, start + EXCERPT);
    var pos = start;
    if (start > 0) { target.appendChild(document.createTextNode("…")); }
    hits.forEach(function (hit) {
      var from = Math.max(hit[0], pos), to = Math.min(hit[1], end);
      if (from >= to) { return; }
      append(target, text.slice(pos, from), false);
      append(target, text.slice(from, to), true);
      pos = to;
    });
    append(target, text.slice(pos, end) + (end < text.length ? "…" : ""), false);
  }

  /* Text into an excerpt, in a <mark> if it is a hit. */
  function append(target, text, marked) {
    var node = document.createTextNode(text);
    if (marked) { var m = document.createElement("mark"); m.appendChild(node); node = m; }
    target.appendChild(node);
  }

  /* Pagefind's excerpt is escaped text with <mark> around the hits: build it as nodes. */
  function excerpt(target, html) {
    var parts = html.split(/(<mark>|<\/mark>)/);
    var marked = false;
    parts.forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      append(target, part.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
        .replace(/&#39;/g, "'").replace(/&amp;/g, "&"), marked);
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
