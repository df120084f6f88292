// Live leaderboard: follow the event feed and swap in the fresh leaderboard fragment.
// Progressive enhancement: without JavaScript the page is complete and has a refresh
// link; without a working feed this falls back to polling the fragment.
(function () {
  "use strict";
  var region = document.getElementById("live-board");
  var status = document.getElementById("live-status");
  if (!region || !status) return;
  var words = status.querySelector(".live-text");
  var fragment = region.getAttribute("data-fragment");
  var feed = region.getAttribute("data-feed");
  // Feed event names are object kinds; any of them may change what the board shows.
  var KINDS = ["results", "entries", "competitions", "people", "teams", "challenges",
    "rounds", "heats", "slots", "result_sets", "awards"];
  var POLL_MS = 2000;
  var DEBOUNCE_MS = 100;
  var state = {
    mode: "starting",
    token: region.getAttribute("data-since") || "",
    updates: 0,
    events: 0
  };
  window.podiumLive = state;
  var lastHtml = null;
  var debounce = null;
  var poller = null;
  var source = null;
  var busy = false;
  var again = false;

  function show(mode, text) {
    state.mode = mode;
    status.setAttribute("data-state", mode);
    words.textContent = text;
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(fragment, { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (html !== lastHtml) {
          lastHtml = html;
          region.innerHTML = html;
          state.updates += 1;
        }
      })
      .catch(function () { show("error", "Could not refresh; retrying…"); })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function soon() {
    clearTimeout(debounce);
    debounce = setTimeout(refresh, DEBOUNCE_MS);
  }

  function startPolling() {
    if (poller === null) poller = setInterval(refresh, POLL_MS);
    show("polling", "Live: checking every 2 seconds");
  }

  function stopPolling() {
    if (poller !== null) { clearInterval(poller); poller = null; }
  }

  function onEvent(event) {
    if (event.lastEventId) state.token = event.lastEventId;
    state.events += 1;
    soon();
  }

  function listen() {
    if (!window.EventSource || !feed) { startPolling(); return; }
    var opened = false;
    var url = feed + (state.token ? "&since_token=" + encodeURIComponent(state.token) : "");
    source = new EventSource(url);
    source.onopen = function () {
      opened = true;
      stopPolling();
      show("live", "Live");
      soon(); // catch up with anything missed while reconnecting
    };
    source.onmessage = onEvent;
    KINDS.forEach(function (kind) { source.addEventListener(kind, onEvent); });
    source.onerror = function () {
      // Reconnect ourselves so the resume token is the newest one seen; poll meanwhile.
      source.close();
      source = null;
      startPolling();
      setTimeout(listen, opened ? 1000 : 15000);
    };
  }

  window.addEventListener("pagehide", function () { if (source) source.close(); });
  show("starting", "Connecting…");
  listen();
})();
