/* Course settings: show only the chosen method's parameters and the chosen policy's options.
   Without this script every field shows; the server reads only the chosen ones. */
(function () {
  "use strict";
  var form = document.getElementById("settings-form");
  if (!form) {
    return;
  }
  function sync() {
    var method = form.querySelector("#method").value;
    form.querySelectorAll("[data-method]").forEach(function (block) {
      block.hidden = block.getAttribute("data-method") !== method;
    });
    var chosen = form.querySelector("input[name=policy]:checked");
    var policy = chosen ? chosen.value : "";
    form.querySelectorAll("[data-policy]").forEach(function (block) {
      block.hidden = block.getAttribute("data-policy") !== policy;
    });
  }
  form.addEventListener("change", sync);
  sync();
})();
