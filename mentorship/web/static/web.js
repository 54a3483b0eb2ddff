// A little plain JavaScript, no build step. Every page works without it.
"use strict";

// A time zone <select data-browser-default> with nothing chosen yet takes the browser's own.
document.addEventListener("DOMContentLoaded", function () {
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  document.querySelectorAll("select[data-browser-default]").forEach(function (select) {
    if (select.value || !zone) return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        return;
      }
    }
  });
});
