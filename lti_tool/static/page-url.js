// The first page arrives in the launch's own answer (POST /lti/launch). Give the page its own
// address, so that reloading it asks for the page again instead of re-sending a spent launch.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="page-url"]');
  if (meta && window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", meta.getAttribute("content"));
  }
})();
