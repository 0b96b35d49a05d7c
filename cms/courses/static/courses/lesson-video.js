// Video lessons: start where the learner left off and save the position now and then,
// so "Resume" in My learning returns to the same moment. Plain fetch to the REST API
// with the session's CSRF token; losing one save is harmless, the next one catches up.
(function () {
  "use strict";
  var video = document.querySelector("video[data-progress-url]");
  if (!video || !video.dataset.progressUrl) {
    return;
  }
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var resume = parseInt(video.dataset.resumeSeconds || "0", 10);
  var lastSaved = resume;

  video.addEventListener("loadedmetadata", function () {
    if (resume > 0 && resume < video.duration - 1) {
      video.currentTime = resume;
    }
  });

  function save() {
    var position = Math.floor(video.currentTime || 0);
    if (position === lastSaved) {
      return;
    }
    lastSaved = position;
    fetch(video.dataset.progressUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ position_seconds: position }),
    }).catch(function () {});
  }

  video.addEventListener("timeupdate", function () {
    if (Math.abs(video.currentTime - lastSaved) >= 15) {
      save();
    }
  });
  video.addEventListener("pause", save);
  video.addEventListener("ended", save);
})();
