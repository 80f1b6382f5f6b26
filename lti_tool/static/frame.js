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

  // A new page inside the frame opens where the LMS page around the frame was scrolled to
  // (where the button or link was). After a save the page answers with its outcome near its
  // top: a notice, an error, or a preview ([data-focus]). Ask the platform to show the frame's
  // top ("lti.scrollToTop", as Canvas names it) and move the focus to the outcome, so the
  // teacher sees and hears that it was saved (or what to fix). Any other page reached from
  // the tool's own pages starts at its top too, with the focus on its heading. The first
  // page of a launch (reached from the LMS) leaves the LMS page as it is.
  function showOutcome() {
    var outcome = document.querySelector(
      "main .notice.success[role=status], main [role=alert], main [data-focus]"
    );
    var fromTool = false;
    try {
      fromTool = document.referrer !== "" && new URL(document.referrer).origin === location.origin;
    } catch (error) {
      fromTool = false;
    }
    // A page opened at a place of its own (#cell-…: static/gradebook.js) keeps that place.
    var placed = /^#cell-/.test(location.hash);
    var target = outcome || (fromTool && !placed ? document.querySelector("main h1") : null);
    if (!target) return;
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    window.parent.postMessage({ subject: "lti.scrollToTop" }, "*");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showOutcome);
  } else {
    showOutcome();
  }
})();
