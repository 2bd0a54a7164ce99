/* briefing serve: live reload + build-error overlay. Injected into served HTML only
   (never written into site/). Reloads come from livereload's websocket protocol; the
   current build error comes from a server-sent event stream and is shown over the last
   good page until the next good save clears it. */
(function () {
  "use strict";
  if (window.__briefingPreview) { return; }
  window.__briefingPreview = true;

  var port = window.location.port || (window.location.protocol === "https:" ? "443" : "80");
  var livereload = document.createElement("script");
  livereload.src = "/livereload.js?port=" + port;
  (document.head || document.documentElement).appendChild(livereload);

  var OVERLAY_ID = "briefing-error-overlay";

  function hide() {
    var box = document.getElementById(OVERLAY_ID);
    if (box) { box.parentNode.removeChild(box); }
  }

  function show(text) {
    var box = document.getElementById(OVERLAY_ID);
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY_ID;
      box.setAttribute("role", "alert");
      box.setAttribute("lang", "en");
      box.style.cssText = [
        "all:initial", "position:fixed", "z-index:2147483647", "left:0", "right:0",
        "top:0", "max-height:60vh", "overflow:auto", "box-sizing:border-box",
        "padding:16px 20px", "background:#2b0b0b", "color:#ffd7d7",
        "border-bottom:4px solid #e5484d", "font:14px/1.5 ui-monospace,monospace",
        "box-shadow:0 4px 24px rgba(0,0,0,.4)"
      ].join(";");
      var title = document.createElement("strong");
      title.style.cssText = "all:initial;display:block;color:#fff;font:bold 15px/1.5 " +
        "system-ui,sans-serif;margin-bottom:8px";
      title.textContent = "Build failed — showing the last good version of this page";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.setAttribute("aria-label", "Hide the build error");
      close.style.cssText = "all:initial;position:absolute;right:12px;top:8px;cursor:pointer;" +
        "color:#fff;font:bold 20px/1 system-ui,sans-serif;padding:4px 8px";
      close.onclick = function () { box.style.display = "none"; };
      var pre = document.createElement("pre");
      pre.className = "briefing-error-text";
      pre.style.cssText = "all:initial;display:block;white-space:pre-wrap;color:#ffd7d7;" +
        "font:13px/1.5 ui-monospace,monospace";
      box.appendChild(close);
      box.appendChild(title);
      box.appendChild(pre);
      (document.body || document.documentElement).appendChild(box);
    }
    box.style.display = "block";
    box.querySelector("pre").textContent = text;
  }

  function listen() {
    if (!window.EventSource) { return; }
    var events = new EventSource("/__briefing__/events");
    events.onmessage = function (message) {
      var state;
      try { state = JSON.parse(message.data); } catch (e) { return; }
      if (state.error) { show(state.error); } else { hide(); }
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", listen);
  } else {
    listen();
  }
})();
