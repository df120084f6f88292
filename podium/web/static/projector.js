// Projector mode: scroll slowly through the whole board and back to the top, forever.
// Pauses at the top and bottom; with prefers-reduced-motion it pages (a screen at a
// time, no animation) instead. live.js keeps swapping in fresh results meanwhile.
(function () {
  "use strict";
  var PAUSE_MS = 4000;     // at the top and at the bottom
  var SPEED = 60;          // pixels per second while scrolling smoothly
  var PAGE_MS = 8000;      // how long each screen shows when paging
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var state = { mode: "paused", loops: 0 };
  window.podiumProjector = state;

  function bottom() {
    return Math.max(0, document.documentElement.scrollHeight - window.innerHeight);
  }

  function toTop() {
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
    if (bottom() <= 0) { setTimeout(step, PAUSE_MS); return; }  // fits on one screen
    if (reduced && reduced.matches) { setTimeout(page, PAGE_MS); } else { glide(); }
  }

  setTimeout(step, PAUSE_MS);
})();
