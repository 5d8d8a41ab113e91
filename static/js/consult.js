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

  // Confirmation banners (.flash): a close button, and they leave on their own after a few seconds, unless the
  // reader is on them (pointer or focus). Without animation when the reader asks for reduced motion (the CSS
  // drops the transition). Errors stay until closed: they say what to do.
  var STAY_MS = 6000;
  var FADE_MS = 400;
  var closeLabel = function () {
    var region = document.getElementById("pesan");
    return (region && region.dataset.close) || "Tutup";
  };
  var reduced = function () {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  };
  var leave = function (flash) {
    if (!flash.isConnected || flash.classList.contains("leaving")) return;
    flash.classList.add("leaving");
    window.setTimeout(function () {
      var box = flash.parentNode;
      flash.remove();
      if (box && box.id === "pesan") box.textContent = ""; // #pesan:empty hides the region again
      else if (box && box.classList.contains("flashes") && !box.querySelector(".flash")) box.remove();
    }, reduced() ? 0 : FADE_MS);
  };
  var arm = function (flash) {
    if (flash.dataset.armed) return;
    flash.dataset.armed = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "flash-close";
    button.setAttribute("aria-label", closeLabel());
    // the sign comes from the CSS (::before), so the message's own text stays what it says
    button.addEventListener("click", function () { leave(flash); });
    flash.appendChild(button);
    flash.classList.add("closable");
    if (flash.classList.contains("flash-error")) return;
    var timer = null;
    var start = function () { timer = window.setTimeout(function () { leave(flash); }, STAY_MS); };
    var stop = function () { window.clearTimeout(timer); };
    flash.addEventListener("pointerenter", stop);
    flash.addEventListener("pointerleave", start);
    flash.addEventListener("focusin", stop);
    flash.addEventListener("focusout", start);
    start();
  };
  var armAll = function (root) {
    var found = (root || document).querySelectorAll(".flash");
    for (var i = 0; i < found.length; i++) arm(found[i]);
  };
  document.addEventListener("DOMContentLoaded", function () { armAll(document); });
  // htmx puts its messages into #pesan (out of band): arm what arrived
  document.addEventListener("htmx:afterSettle", function () { armAll(document); });
  document.addEventListener("htmx:load", function () { armAll(document); });
})();
