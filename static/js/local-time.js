// Times marked data-local-time show in the reader's own time zone: the server writes them in
// its zone (UTC by default) with the full moment in `datetime`, and this rewrites the text as
// the browser's clock reads it. Run again on whatever htmx swaps in (the chat's new messages).
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

  function localise(root) {
    root.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (!isNaN(moment)) element.textContent = format.format(moment);
    });
  }

  localise(document);
  document.addEventListener("htmx:afterSettle", function (event) {
    localise(event.detail.elt || document);
  });
})();
