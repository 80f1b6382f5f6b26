/* Course settings and the override editor: show only the chosen method's parameters (and, in
   the settings, the chosen policy's options). Without this script every field shows; the
   server reads only the chosen ones. */
(function () {
  "use strict";
  function follow(form) {
    function sync() {
      var chosenMethod = form.querySelector("#method");
      var method = chosenMethod ? chosenMethod.value : "";
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
  }
  ["settings-form", "override-form"].forEach(function (id) {
    var form = document.getElementById(id);
    if (form) {
      follow(form);
    }
  });
})();
