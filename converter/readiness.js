// PagePress readiness probe: added to every page of a job before its first script runs.
//
// It counts, per document, the work that can still change what gets printed: fetch/XHR
// calls in flight, short timers and animation frames scheduled since navigation, web fonts
// loading and images not yet loaded. It also notes whether anything reacts to scrolling
// (scroll/wheel listeners, IntersectionObserver targets), so the converter scrolls only
// pages that need it. Work that never ends must not hold a page: a callback scheduled
// again and again (an animation loop, a polling timer, a ticker) stops counting after a
// few rounds, intervals never count, and long timers are schedules, not loading work.
(() => {
  "use strict";
  if (window.__pagepressReadiness) return;

  const SHORT_TIMER_MS = 500;      // a longer timeout is a schedule, not part of loading
  const TIMER_REPEATS = 4;         // the same callback scheduled more often is a loop
  const FRAME_REPEATS = 8;         // likewise for animation frames (animations run forever)
  const REQUEST_REPEATS = 3;       // the same URL fetched more often is polling
  const RECHECK_MS = 100;          // idle() looks again this often even when nothing announced a change

  const originalSetTimeout = window.setTimeout.bind(window);
  const originalClearTimeout = window.clearTimeout.bind(window);
  const originalRaf = window.requestAnimationFrame.bind(window);
  const originalCancelRaf = window.cancelAnimationFrame.bind(window);

  const pendingTimers = new Set();
  const pendingFrames = new Set();
  const pendingRequests = new Set();  // start times (ms) of fetch/XHR calls in flight
  let scrollListeners = false;
  const observedTargets = new Set();
  const seen = new Map();          // callback source or URL -> times scheduled

  // idle() sleeps until pending work may have ended: every place below where something stops
  // being pending calls changed(). A slow recheck covers what no event announces (an image
  // taken out of the document, say).
  const waiters = new Set();
  const changed = () => {
    for (const wake of waiters) wake();
    waiters.clear();
  };
  const nextChange = (ms) => new Promise((done) => {
    const timer = originalSetTimeout(() => { waiters.delete(wake); done(); }, Math.max(1, ms));
    const wake = () => { originalClearTimeout(timer); done(); };
    waiters.add(wake);
  });

  // Repeats are told apart by the callback's source text, so a closure created afresh
  // on every round of a loop still counts as the same loop.
  const repeats = (key) => {
    const count = (seen.get(key) || 0) + 1;
    seen.set(key, count);
    return count;
  };
  const sourceOf = (fn) => {
    try { return "fn:" + String(fn).slice(0, 300); } catch (e) { return "fn:?"; }
  };

  window.setTimeout = function (handler, delay, ...args) {
    const ms = Number(delay) || 0;
    let id;
    const tracked = typeof handler === "function" && ms <= SHORT_TIMER_MS
      && repeats(sourceOf(handler) + "@" + ms) <= TIMER_REPEATS;
    if (!tracked) return originalSetTimeout(handler, delay, ...args);
    id = originalSetTimeout(function () {
      pendingTimers.delete(id);
      changed();
      return handler.apply(this, args);
    }, delay);
    pendingTimers.add(id);
    return id;
  };
  window.clearTimeout = function (id) {
    if (pendingTimers.delete(id)) changed();
    return originalClearTimeout(id);
  };

  window.requestAnimationFrame = function (callback) {
    if (typeof callback !== "function" || repeats(sourceOf(callback) + "@raf") > FRAME_REPEATS) {
      return originalRaf(callback);
    }
    const id = originalRaf(function (time) {
      pendingFrames.delete(id);
      changed();
      return callback(time);
    });
    pendingFrames.add(id);
    return id;
  };
  window.cancelAnimationFrame = function (id) {
    if (pendingFrames.delete(id)) changed();
    return originalCancelRaf(id);
  };

  const requestUrl = (input) => {
    try { return String(input && input.url ? input.url : input); } catch (e) { return "?"; }
  };
  const countedRequest = (url) => repeats("url:" + url) <= REQUEST_REPEATS;

  if (window.fetch) {
    const originalFetch = window.fetch;
    window.fetch = function (input, init) {
      const promise = originalFetch.apply(this, arguments);
      if (!countedRequest(requestUrl(input))) return promise;
      const started = { at: performance.now() };
      pendingRequests.add(started);
      const done = () => { pendingRequests.delete(started); changed(); };
      promise.then(done, done);
      return promise;
    };
  }

  if (window.XMLHttpRequest) {
    const proto = XMLHttpRequest.prototype;
    const originalOpen = proto.open;
    const originalSend = proto.send;
    proto.open = function (method, url) {
      this.__pagepressUrl = requestUrl(url);
      return originalOpen.apply(this, arguments);
    };
    proto.send = function () {
      if (countedRequest(this.__pagepressUrl)) {
        const started = { at: performance.now() };
        pendingRequests.add(started);
        this.addEventListener("loadend", () => { pendingRequests.delete(started); changed(); }, { once: true });
      }
      return originalSend.apply(this, arguments);
    };
  }

  const originalAddEventListener = EventTarget.prototype.addEventListener;
  // An image's load or error, and a web font's, can end the wait. (load and error do not
  // bubble, but the document sees them on the way down.)
  for (const type of ["load", "error"]) originalAddEventListener.call(document, type, changed, true);
  if (document.fonts) {
    for (const type of ["loadingdone", "loadingerror"]) originalAddEventListener.call(document.fonts, type, changed);
  }
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (type === "scroll" || type === "wheel") scrollListeners = true;
    return originalAddEventListener.call(this, type, listener, options);
  };

  if (window.IntersectionObserver) {
    const proto = IntersectionObserver.prototype;
    const originalObserve = proto.observe;
    const originalUnobserve = proto.unobserve;
    const originalDisconnect = proto.disconnect;
    const targets = new WeakMap();  // observer -> its targets
    proto.observe = function (target) {
      if (!targets.has(this)) targets.set(this, new Set());
      targets.get(this).add(target);
      observedTargets.add(target);
      return originalObserve.call(this, target);
    };
    proto.unobserve = function (target) {
      const mine = targets.get(this);
      if (mine) mine.delete(target);
      observedTargets.delete(target);
      return originalUnobserve.call(this, target);
    };
    proto.disconnect = function () {
      const mine = targets.get(this);
      if (mine) { for (const t of mine) observedTargets.delete(t); mine.clear(); }
      return originalDisconnect.call(this);
    };
  }

  // Native lazy images are left alone: printing loads them itself (and loading them
  // early only makes printing slower). Every other image in the document counts.
  const imagesLoading = () => {
    let count = 0;
    for (const img of document.images) {
      if (!img.complete && img.loading !== "lazy" && (img.currentSrc || img.src)) count++;
    }
    return count;
  };

  // Requests in flight for longer than longAfterMs are long-polls or streams: not counted.
  const requestsLoading = (longAfterMs) => {
    const now = performance.now();
    let count = 0;
    for (const request of pendingRequests) if (now - request.at < longAfterMs) count++;
    return count;
  };
  // Milliseconds until the next counted request turns long-lived (and stops counting).
  const untilNextLongRequest = (longAfterMs) => {
    const now = performance.now();
    let soonest = Infinity;
    for (const request of pendingRequests) {
      const left = request.at + longAfterMs - now;
      if (left > 0 && left < soonest) soonest = left;
    }
    return soonest;
  };

  const state = (longAfterMs = Infinity) => {
    const fontsLoading = document.fonts && document.fonts.status === "loading" ? 1 : 0;
    const images = imagesLoading();
    const requests = requestsLoading(longAfterMs);
    const pending = pendingTimers.size + pendingFrames.size + requests + fontsLoading + images;
    return {
      pending,
      timers: pendingTimers.size,
      frames: pendingFrames.size,
      requests,
      fonts: fontsLoading,
      images,
      reactsToScroll: scrollListeners || observedTargets.size > 0
        || typeof window.onscroll === "function" || typeof document.onscroll === "function",
    };
  };

  const frame = () => new Promise((done) => originalRaf(() => done()));
  const tick = (ms) => new Promise((done) => originalSetTimeout(done, ms));

  Object.defineProperty(window, "__pagepressReadiness", {
    value: Object.freeze({
      state,
      // Resolves with the state once nothing is pending, or after maxMs; it sleeps until
      // something pending ends (or a request turns long-lived), it does not poll.
      async idle(maxMs, longAfterMs) {
        const end = performance.now() + maxMs;
        let now = state(longAfterMs);
        while (now.pending > 0 && performance.now() < end) {
          await nextChange(Math.min(end - performance.now(), RECHECK_MS, untilNextLongRequest(longAfterMs)));
          now = state(longAfterMs);
        }
        return now;
      },
      // The short confirmation: two frames later (or 100 ms, on a machine too busy to draw
      // them), is it still idle?
      async confirm(longAfterMs) {
        await Promise.race([frame().then(frame), tick(100)]);
        return state(longAfterMs);
      },
      // Bring every lazy loader's targets into view: observed elements one by one; for
      // scroll listeners, the whole page a screen at a time (bounded for endless pages).
      async scrollThrough(maxScreens, maxMs) {
        const end = performance.now() + maxMs;
        const root = document.scrollingElement || document.documentElement;
        const step = Math.max(window.innerHeight, 200);
        const bottom = Math.max(0, root.scrollHeight - window.innerHeight);
        const clamp = (y) => Math.min(Math.max(0, y), bottom);
        const stops = [];
        for (const target of observedTargets) {
          if (target.isConnected) {
            stops.push(clamp(target.getBoundingClientRect().top + window.scrollY - window.innerHeight / 2));
          }
        }
        if (scrollListeners || typeof window.onscroll === "function") {
          for (let y = step; y < bottom + step; y += step) stops.push(clamp(y));
        }
        stops.sort((a, b) => a - b);
        let screens = 0;
        let last = 0;
        for (const y of stops) {
          if (screens >= maxScreens || performance.now() > end) break;
          if (y - last < step / 2 && y < bottom) continue;
          window.scrollTo(0, y);
          last = y;
          screens++;
          await frame();
        }
        // Observer and scroll callbacks run in the frame after the last scroll: wait for it.
        await frame();
        window.scrollTo(0, 0);
        await frame();
        return screens;
      },
    }),
  });
})();
