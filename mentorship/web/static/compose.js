// The intro composer: as the mentee types, ask the coach (debounced) and show what it says. Without this file
// the "Check my message" button does the same through the server.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("composer");
  var panel = document.getElementById("coaching");
  var body = document.getElementById("coaching-body");
  if (!form || !panel || !body) return;
  var box = form.querySelector("textarea[name=message]");
  var timer = null;
  var asked = 0;

  function add(parent, tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    parent.appendChild(node);
    return node;
  }

  function show(coaching) {
    body.textContent = "";
    if (!coaching) return;
    add(body, "p", panel.dataset.scoreLabel.replace("__SCORE__", coaching.score), "score");
    add(body, "p", coaching.ok ? panel.dataset.fine : panel.dataset.blocked, coaching.ok ? "" : "error");
    if (coaching.issues.length) {
      var issues = add(body, "ul", undefined, "issues");
      coaching.issues.forEach(function (issue) { add(issues, "li", issue.message, issue.severity); });
    }
    if (coaching.suggestions.length) {
      var tips = add(body, "ul", undefined, "suggestions");
      coaching.suggestions.forEach(function (tip) { add(tips, "li", tip); });
    }
  }

  function ask() {
    var mine = ++asked;
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.coachUrl, {method: "POST", body: data, credentials: "same-origin",
                                  headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (coaching) { if (mine === asked && coaching) show(coaching); })
      .catch(function () { /* offline: the buttons still work */ });
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 500);
  });
});
