/* Search page: start Pagefind's UI on the page's own language index; honour ?q=. */
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el || typeof window.PagefindUI === "undefined") { return; }
  var bundle = new URL(el.getAttribute("data-bundle"), window.location.href).pathname;
  var base = new URL(el.getAttribute("data-root"), window.location.href).pathname;
  var label = el.getAttribute("data-placeholder") || "";
  var options = {
    element: "#search",
    bundlePath: bundle,
    baseUrl: base,
    showImages: false,
    showSubResults: true,
    resetStyles: false,
    translations: { placeholder: label }
  };
  /* The index keeps each Traditional-only character as a word of its own (its segmenter
     knows Simplified words); split a Traditional query the same way. */
  var trad = window.BRIEFING_TRADITIONAL_CHARS;
  if (trad) {
    var set = {};
    for (var i = 0; i < trad.length; i++) { set[trad.charAt(i)] = true; }
    options.processTerm = function (term) {
      var out = "";
      for (var j = 0; j < term.length; j++) {
        var c = term.charAt(j);
        out += set[c] ? " " + c + " " : c;
      }
      return out.replace(/\s+/g, " ").trim();
    };
  }
  /* A big site is indexed in parts (one Pagefind bundle each); parts.json in the first
     bundle lists them all, and the others are merged into the search. */
  function start(extra) {
    if (extra.length) { options.mergeIndex = extra; }
    var ui = new window.PagefindUI(options);
    if (!labelInput()) { new MutationObserver(function (m, obs) { if (labelInput()) { obs.disconnect(); } })
      .observe(el, { childList: true, subtree: true }); }
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { ui.triggerSearch(q); }
  }
  function labelInput() {
    var input = el.querySelector("input");
    if (input && !input.getAttribute("aria-label")) { input.setAttribute("aria-label", label); }
    return !!input;
  }
  var partsUrl = new URL("parts.json", new URL(bundle, window.location.href));
  fetch(partsUrl).then(function (r) { return r.ok ? r.json() : { bundles: [] }; }).then(function (data) {
    var extra = [];
    var listed = (data && data.bundles) || [];
    for (var i = 1; i < listed.length; i++) {
      extra.push({ bundlePath: new URL(listed[i], partsUrl).pathname, baseUrl: base });
    }
    start(extra);
  }).catch(function () { start([]); });
}());
