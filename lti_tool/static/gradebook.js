/* Gradebook: collapse and expand branches of the standards columns, and the ARIA grid keyboard
   model (one Tab stop for the whole grid; arrows, Home/End, Ctrl+Home/End, Page Up/Down move
   between cells; Enter opens a cell's evidence). Without this script every column shows, the
   toggles stay hidden and every cell is a plain link. */
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
    relayout();
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

  /* The keyboard model: the focused position is kept as (row, column) over visible cells. */
  var PAGE = 10;
  var grid = [];  // rows of focusable elements: header row first, then one per student
  var position = [1, 0];

  function target(cell) {
    var inner = cell.querySelector("a, button");
    return inner || cell;
  }

  function visibleCells(row) {
    return Array.prototype.filter.call(row.cells, function (cell) { return !cell.hidden; });
  }

  function build() {
    grid = Array.prototype.map.call(table.rows, function (row) {
      return visibleCells(row).map(target);
    });
  }

  function focusAt(rowIndex, colIndex, moveFocus) {
    var row = Math.max(0, Math.min(grid.length - 1, rowIndex));
    var col = Math.max(0, Math.min(grid[row].length - 1, colIndex));
    grid.forEach(function (cells) {
      cells.forEach(function (el) { el.setAttribute("tabindex", "-1"); });
    });
    var el = grid[row][col];
    el.setAttribute("tabindex", "0");
    position = [row, col];
    if (moveFocus) {
      el.focus();
      el.scrollIntoView({block: "nearest", inline: "nearest"});
    }
  }

  function positionOf(el) {
    for (var r = 0; r < grid.length; r += 1) {
      for (var c = 0; c < grid[r].length; c += 1) {
        if (grid[r][c] === el || grid[r][c].contains(el)) {
          return [r, c];
        }
      }
    }
    return null;
  }

  function onKey(event) {
    var r = position[0], c = position[1], last = grid[r].length - 1;
    var moves = {
      ArrowUp: [r - 1, c], ArrowDown: [r + 1, c], ArrowLeft: [r, c - 1], ArrowRight: [r, c + 1],
      PageUp: [r - PAGE, c], PageDown: [r + PAGE, c],
      Home: event.ctrlKey ? [0, 0] : [r, 0],
      End: event.ctrlKey ? [grid.length - 1, grid[grid.length - 1].length - 1] : [r, last]
    };
    var to = moves[event.key];
    if (!to) {
      return;  // Enter and Space reach the focused link or button natively
    }
    event.preventDefault();
    focusAt(to[0], to[1], true);
  }

  table.setAttribute("role", "grid");
  build();
  if (grid.length > 1 && grid[1].length) {
    focusAt(1, 0, false);
    // Back from a cell page (#cell-<student>-<standard>): the focus returns to that cell.
    var back = /^#cell-(\d+)-(\d+)$/.exec(window.location.hash);
    var link = back && table.querySelector(
      'a[href^="/students/' + back[1] + "/standards/" + back[2] + '?"]'
    );
    var at = link && positionOf(link);
    if (at) {
      focusAt(at[0], at[1], true);
    }
    table.addEventListener("keydown", onKey);
    table.addEventListener("focusin", function (event) {
      var at = positionOf(event.target);
      if (at && (at[0] !== position[0] || at[1] !== position[1])) {
        focusAt(at[0], at[1], false);
      }
    });
  }

  function relayout() {
    build();
    focusAt(position[0], position[1], false);
  }

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
