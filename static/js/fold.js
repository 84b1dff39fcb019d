/* A long filter sits beside its list on a wide screen, but above it on a narrow one, where it
   would push the results two screens down: there it is folded under its heading (a tap opens
   it). Run as the page is read, before it is shown; without JavaScript the filter stays open. */
(function () {
  "use strict";
  // The width at which the sidebar moves above the list (app.css).
  if (!window.matchMedia("(max-width: 860px)").matches) { return; }
  document.querySelectorAll("details[data-fold-on-narrow]").forEach(function (details) {
    details.open = false;
  });
})();
