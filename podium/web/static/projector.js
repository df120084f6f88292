// Projector mode: scroll slowly through the whole board and back to the top, forever.
// Pauses at the top and bottom; with prefers-reduced-motion it pages (a screen at a
// time, no animation) instead. live.js keeps swapping in fresh results meanwhile.
// With ?rotate=categories each pass ends on the next category's board (Everyone,
// Women, Men, each age group...), taken from the page's own category picker.
(function () {
  "use strict";
  var PAUSE_MS = 4000;     // at the top and at the bottom
  var SPEED = 60;          // pixels per second while scrolling smoothly
  var PAGE_MS = 8000;      // how long each screen shows when paging
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var state = { mode: "paused", loops: 0 };
  window.podiumProjector = state;
  var params = new URLSearchParams(window.location.search);
  var picker = document.getElementById("board-group");
  var rotating = params.get("rotate") === "categories" && picker && picker.options.length > 1;

  function nextCategory() {
    var values = Array.prototype.map.call(picker.options, function (o) { return o.value; });
    var now = values.indexOf(params.get("group") || "");
    var next = values[(now + 1) % values.length];
    params.delete("page");
    if (next) { params.set("group", next); } else { params.delete("group"); }
    state.mode = "rotating";
    window.location.search = params.toString();
  }

  function bottom() {
    return Math.max(0, document.documentElement.scrollHeight - window.innerHeight);
  }

  function toTop() {
    if (rotating) { nextCategory(); return; }
    state.mode = "paused";
    state.loops += 1;
    window.scrollTo(0, 0);
    setTimeout(step, PAUSE_MS);
  }

  function page() {
    var y = window.scrollY;
    if (y >= bottom() - 1) { setTimeout(toTop, PAUSE_MS); return; }
    state.mode = "paging";
    window.scrollTo(0, Math.min(bottom(), y + Math.round(window.innerHeight * 0.85)));
    setTimeout(page, PAGE_MS);
  }

  function glide() {
    state.mode = "scrolling";
    var last = null;
    var y = window.scrollY;
    function frame(now) {
      if (last !== null) y += SPEED * (now - last) / 1000;
      last = now;
      if (y >= bottom()) {
        window.scrollTo(0, bottom());
        state.mode = "paused";
        setTimeout(toTop, PAUSE_MS);
        return;
      }
      window.scrollTo(0, y);
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  }

  function step() {
    if (bottom() <= 0) {  // fits on one screen
      setTimeout(rotating ? nextCategory : step, rotating ? 2 * PAUSE_MS : PAUSE_MS);
      return;
    }
    if (reduced && reduced.matches) { setTimeout(page, PAGE_MS); } else { glide(); }
  }

  setTimeout(step, PAUSE_MS);
})();
