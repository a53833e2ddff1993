// Progressive enhancement for the review form: the "raise to" list is only usable for a raise.
// Without script the form still works; the server ignores the list unless the decision is raise.
(function () {
  "use strict";
  function sync(form) {
    var select = form.querySelector("#raised_to");
    if (!select) { return; }
    var raise = form.querySelector("#d-raise");
    select.disabled = !(raise && raise.checked);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".review-form");
    if (!form) { return; }
    form.addEventListener("change", function () { sync(form); });
    sync(form);
  });
})();
