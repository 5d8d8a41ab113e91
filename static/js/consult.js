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
  // Open-data downloads (templates/monitoring/data.html): a link with data-progress="<rows>" gets a random token,
  // the server writes how many rows it has sent under it, and the card's <progress> shows that while the browser
  // saves the file itself. The texts come from the list's data-rows-text ("{done} / {total}") and data-done-text.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-progress]") : null;
    if (!link || !link.dataset.progress || !window.fetch || !window.crypto) return;
    var card = link.closest(".card");
    var bar = card && card.querySelector("progress");
    var status = card && card.querySelector("[role=status]");
    var list = link.closest("[data-rows-text]");
    if (!bar || !status || !list) return;
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    var token = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    var url = new URL(link.href, document.baseURI);
    url.searchParams.set("progress", token);
    link.href = url.toString();
    bar.hidden = false;
    bar.value = 0;
    var format = function (n) { return Number(n).toLocaleString(document.documentElement.lang || "id"); };
    var poll = function () {
      fetch(list.dataset.progressUrl.replace("TOKEN", token), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          var total = p.total || Number(link.dataset.progress) || 0;
          if (total) bar.value = Math.min(100, Math.round((100 * p.done) / total));
          status.textContent = p.finished ? list.dataset.doneText
            : list.dataset.rowsText.replace("{done}", format(p.done)).replace("{total}", format(total));
          if (p.finished) { bar.value = 100; } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  });

  document.addEventListener("DOMContentLoaded", function () { armAll(document); });
  // htmx puts its messages into #pesan (out of band): arm what arrived
  document.addEventListener("htmx:afterSettle", function () { armAll(document); });
  document.addEventListener("htmx:load", function () { armAll(document); });
})();
