/* consult: small enhancements; every page works without this file. Written for consult. */
(function () {
  "use strict";
  // Live character counter for textareas that name their counter in data-counter.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.dataset || !field.dataset.counter) return;
    var out = document.getElementById(field.dataset.counter);
    if (out) out.textContent = field.value.length + " / " + field.maxLength;
  });
})();
