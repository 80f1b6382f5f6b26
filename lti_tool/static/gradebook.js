/* Gradebook: collapse and expand branches of the standards columns (no other behaviour).
   Without this script every column shows; the toggles stay hidden. */
(function () {
  "use strict";
  var table = document.getElementById("grid");
  if (!table) {
    return;
  }
  var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-standard]"));
  var toggles = Array.prototype.slice.call(table.querySelectorAll("button[data-branch]"));
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var collapsed = new Set();

  function ancestors(th) {
    var value = th.getAttribute("data-ancestors");
    return value ? value.split(" ") : [];
  }

  function apply() {
    var hidden = [];
    headers.forEach(function (th) {
      var hide = ancestors(th).some(function (id) { return collapsed.has(id); });
      th.hidden = hide;
      hidden.push([th.cellIndex, hide]);
    });
    rows.forEach(function (row) {
      hidden.forEach(function (pair) {
        var cell = row.cells[pair[0]];
        if (cell) {
          cell.hidden = pair[1];
        }
      });
    });
    toggles.forEach(function (button) {
      var open = !collapsed.has(button.getAttribute("data-branch"));
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  toggles.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-branch");
      if (collapsed.has(id)) {
        collapsed.delete(id);
      } else {
        collapsed.add(id);
      }
      apply();
    });
  });

  var tools = document.querySelector("[data-grid-tools]");
  if (tools && toggles.length) {
    tools.hidden = false;
    tools.querySelector("[data-collapse-all]").addEventListener("click", function () {
      toggles.forEach(function (button) { collapsed.add(button.getAttribute("data-branch")); });
      apply();
    });
    tools.querySelector("[data-expand-all]").addEventListener("click", function () {
      collapsed.clear();
      apply();
    });
  }
})();
