// The profile page's live score: a draft of the form goes to /profile/score (nothing is saved) ~400 ms after the
// member stops typing, and the score, readiness and gaps are redrawn in their aria-live region. Without this file
// the page works the same: the score is updated by saving.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("profile-form");
  var box = document.getElementById("profile-score");
  if (!form || !box || !window.fetch || !window.URLSearchParams) return;
  var url = form.getAttribute("data-score-url");
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var sent = 0;

  function draw(result) {
    box.querySelector("[data-score]").textContent = result.score_words;
    box.querySelector("[data-ready]").textContent = result.ready_words;
    var list = box.querySelector("[data-gaps]");
    while (list.firstChild) list.removeChild(list.firstChild);
    result.gap_words.forEach(function (words) {
      var item = document.createElement("li");
      item.textContent = words;
      list.appendChild(item);
    });
  }

  function score() {
    var number = ++sent;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : "", "Accept": "application/json"},
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result && number === sent) draw(result);  // an older answer arriving late is not drawn
    }).catch(function () { /* offline or signed out: the score updates on saving */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(score, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  suggestAfterCommas(document.getElementById("domains"));
});

// A browser suggests from a <datalist> for the whole value of the input; in a comma-separated list, suggest each
// known domain after what is typed already ("finance/pricing, soft" -> "finance/pricing, software/backend").
function suggestAfterCommas(input) {
  var list = input && document.getElementById(input.getAttribute("list"));
  if (!list) return;
  var known = Array.prototype.map.call(list.options, function (option) { return option.value; });
  input.addEventListener("input", function () {
    var cut = input.value.lastIndexOf(",");
    var before = cut < 0 ? "" : input.value.slice(0, cut + 1) + " ";
    var taken = before.split(",").map(function (item) { return item.trim(); });
    while (list.firstChild) list.removeChild(list.firstChild);
    known.forEach(function (domain) {
      if (taken.indexOf(domain) >= 0) return;
      var option = document.createElement("option");
      option.value = before + domain;
      list.appendChild(option);
    });
  });
}
