// Live heats: follow the race's event feed (heats, slots, results…) and swap in the
// fresh heats fragment, so "racing now", "up next" and the heat tables change without
// a reload. It works as live.js does for the leaderboard: the page is complete without
// it, it resumes the feed from the newest token it saw, and polls when the feed fails.
(function () {
  "use strict";
  var region = document.getElementById("live-heats");
  if (!region) return;
  var fragment = region.getAttribute("data-fragment");
  var feed = region.getAttribute("data-feed");
  var KINDS = ["results", "heats", "slots", "rounds", "entries", "competitions"];
  var POLL_MS = 2000;
  var DEBOUNCE_MS = 100;
  var state = { mode: "starting", token: region.getAttribute("data-since") || "", updates: 0, events: 0 };
  window.podiumHeats = state;
  var lastHtml = null;
  var debounce = null;
  var poller = null;
  var source = null;
  var busy = false;
  var again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(fragment, { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (html === lastHtml) return;
        lastHtml = html;
        region.innerHTML = html;
        state.updates += 1;
      })
      .catch(function () { state.mode = "error"; })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function soon() {
    clearTimeout(debounce);
    debounce = setTimeout(refresh, DEBOUNCE_MS);
  }

  function polling(on) {
    if (on && poller === null) poller = setInterval(refresh, POLL_MS);
    if (!on && poller !== null) { clearInterval(poller); poller = null; }
    if (on) state.mode = "polling";
  }

  function onEvent(event) {
    if (event.lastEventId) state.token = event.lastEventId;
    state.events += 1;
    soon();
  }

  function listen() {
    if (!window.EventSource || !feed) { polling(true); return; }
    var opened = false;
    source = new EventSource(
      feed + (state.token ? "&since_token=" + encodeURIComponent(state.token) : ""));
    source.onopen = function () {
      opened = true;
      polling(false);
      state.mode = "live";
      soon(); // catch up with anything missed while reconnecting
    };
    source.onmessage = onEvent;
    KINDS.forEach(function (kind) { source.addEventListener(kind, onEvent); });
    source.onerror = function () {
      source.close();
      source = null;
      polling(true);
      setTimeout(listen, opened ? 1000 : 15000);
    };
  }

  window.addEventListener("pagehide", function () { if (source) source.close(); });
  listen();
})();
