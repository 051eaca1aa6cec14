// The Academy's video player: reports to the portal which seconds of the lesson's video were
// really played (the <video> element's `played` ranges: skipping ahead adds nothing), every few
// seconds while playing and on pause, end or leaving the page. The server merges what it is
// sent, so sending the same stretch twice counts it once. htmx swaps in the lesson's
// completion region from the answer (the watched bar, or "Done" at 90 %).
(function () {
  "use strict";
  var video = document.getElementById("lesson-video");
  if (!video || !video.dataset.watchUrl || !window.htmx) return;
  var sent = "";

  function played() {
    var parts = [];
    for (var i = 0; i < video.played.length; i++) {
      var start = Math.floor(video.played.start(i));
      var end = Math.round(video.played.end(i));
      if (end > start) parts.push(start + "-" + end);
    }
    return parts.join(",");
  }

  function report() {
    var now = played();
    if (!now || now === sent) return;
    sent = now;
    window.htmx.ajax("POST", video.dataset.watchUrl, {
      source: video,
      target: "#completion",
      swap: "outerHTML",
      values: { played: now },
    });
  }

  var timer = null;
  video.addEventListener("play", function () {
    if (!timer) timer = window.setInterval(report, 5000);
  });
  function stop() {
    if (timer) window.clearInterval(timer);
    timer = null;
    report();
  }
  video.addEventListener("pause", stop);
  video.addEventListener("ended", stop);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") report();
  });
})();
