/* Scoring sheet: keep what is typed in this tab (sessionStorage) until it is saved, put it back
   after a relaunch, and fill every row with one level without a round trip.
   Without this script the page still works: "Fill the empty rows" then asks the server. */
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) {
    return;
  }
  var key = "mastery-score:" + form.getAttribute("data-course") + ":" + form.getAttribute("data-assessment");
  var store = null;
  try {
    store = window.sessionStorage;
    store.getItem(key);
  } catch (error) {
    store = null; // storage blocked: the server-side kept page still holds the values
  }

  function fields() {
    return Array.prototype.slice.call(
      form.querySelectorAll("input[type=radio][name^='level-'], textarea[name^='comment-'], input[name=date]")
    );
  }

  function collect() {
    var typed = {};
    fields().forEach(function (field) {
      if (field.type === "radio") {
        if (field.checked) {
          typed[field.name] = field.value;
        }
      } else {
        typed[field.name] = field.value;
      }
    });
    return typed;
  }

  function keep() {
    if (store) {
      store.setItem(key, JSON.stringify(collect()));
    }
  }

  function restore(typed) {
    var changed = 0;
    fields().forEach(function (field) {
      if (!Object.prototype.hasOwnProperty.call(typed, field.name)) {
        return;
      }
      var value = typed[field.name];
      if (field.type === "radio") {
        if (field.value === value && !field.checked) {
          field.checked = true;
          if (value !== "") {
            changed += 1;
          }
        }
      } else if (field.value !== value) {
        field.value = value;
        if (field.name !== "date") {
          changed += 1;
        }
      }
    });
    return changed;
  }

  if (store) {
    if (form.getAttribute("data-saved") === "1") {
      store.removeItem(key);
    } else if (form.getAttribute("data-expired") === "1") {
      keep();
    } else {
      var kept = store.getItem(key);
      var typed = null;
      try {
        typed = kept ? JSON.parse(kept) : null;
      } catch (error) {
        typed = null;
      }
      var changed = typed ? restore(typed) : 0;
      var notice = document.querySelector("[data-restored]");
      if (changed && notice) {
        // The page's own words, in its language (templates/scoring/sheet.html).
        notice.textContent = changed === 1
          ? notice.getAttribute("data-one")
          : notice.getAttribute("data-many").replace("{count}", String(changed));
        notice.hidden = false;
      } else if (!changed) {
        store.removeItem(key);
      }
    }
  }

  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  var fill = form.querySelector("[data-fill]");
  if (fill) {
    fill.addEventListener("click", function (event) {
      event.preventDefault();
      // Only the rows with no mark: a level chosen or saved is never overwritten.
      var value = form.querySelector("#fill").value;
      form.querySelectorAll("input[type=radio][name^='level-'][value='']:checked").forEach(function (none) {
        var radio = form.querySelector("input[type=radio][name='" + none.name + "'][value='" + value + "']");
        if (radio) {
          radio.checked = true;
        }
      });
      keep();
    });
  }
})();
