// Inside an LMS iframe, ask the platform to fit the frame to the page (Canvas and others
// listen for "lti.frameResize"), so only the gradebook grid scrolls sideways and nothing
// scrolls twice. The message carries the height alone. After a save, bring its notice into
// view (below).
(function () {
  "use strict";
  if (window.parent === window) return;
  var sent = 0;
  var pending = false;

  function send() {
    pending = false;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }

  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(send);
    }
  }

  window.addEventListener("load", later);
  if (window.ResizeObserver) {
    new ResizeObserver(later).observe(document.documentElement);
  }
  later();

  // After a save the page answers with a notice at its top, while the LMS page around the
  // frame stays scrolled to where the button was. Ask the platform to show the frame's top
  // ("lti.scrollToTop", as Canvas names it) and move the focus to the notice, so the
  // teacher sees and hears that it was saved (or what to fix).
  function showOutcome() {
    var notice = document.querySelector("main .notice.success[role=status], main [role=alert]");
    if (!notice) return;
    notice.setAttribute("tabindex", "-1");
    notice.focus({ preventScroll: true });
    window.parent.postMessage({ subject: "lti.scrollToTop" }, "*");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showOutcome);
  } else {
    showOutcome();
  }
})();
