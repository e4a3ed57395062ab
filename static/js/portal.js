/*
 * Starts Det Fælles Designsystem's components. dkfds.min.js (loaded before this file, both
 * with defer) is a UMD bundle that exposes window.DKFDS; DKFDS.init() sets up every component
 * in the document (accordions, mobile menu drawer, dropdowns, error summary, tooltips, …).
 */
(function () {
  "use strict";
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
})();
