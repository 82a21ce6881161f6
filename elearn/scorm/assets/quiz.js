/* elearn SCORM 1.2 final quiz, graded here: the package carries its answer key (any SCORM
   package that grades offline must). Scoring as on the site (docs/content-format.md): one point a
   question; a "multiple" question earns (right chosen - wrong chosen) / right answers, at least 0. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("quiz-data").textContent);
  var form = document.getElementById("quiz");
  var result = document.getElementById("result");
  var retake = document.getElementById("retake");
  var sco = null;
  try { sco = window.parent !== window ? window.parent.ElearnSCO || null : null; } catch (e) { sco = null; }

  function inputs(question) { return form.querySelectorAll('input[name="' + question + '"]'); }
  function chosen(question) {
    var values = [], all = inputs(question);
    for (var i = 0; i < all.length; i++) { if (all[i].checked) { values.push(all[i].value); } }
    return values;
  }
  function points(q, picked) {
    var right = 0, wrong = 0;
    for (var i = 0; i < picked.length; i++) { if (q.answer.indexOf(picked[i]) >= 0) { right++; } else { wrong++; } }
    if (q.type === "multiple") { return Math.max(0, (right - wrong) / q.answer.length); }
    return picked.length === 1 && right === 1 ? 1 : 0;
  }

  if (sco) {  // resume: the answers saved so far
    var saved = sco.answers();
    for (var question in saved) {
      if (!Object.prototype.hasOwnProperty.call(saved, question)) { continue; }
      var all = inputs(question);
      for (var i = 0; i < all.length; i++) { all[i].checked = saved[question].indexOf(all[i].value) >= 0; }
    }
  }
  form.addEventListener("change", function (event) {
    if (sco && event.target.name) { sco.saveAnswer(event.target.name, chosen(event.target.name)); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var total = 0;
    data.questions.forEach(function (q) {
      var picked = chosen(q.id), got = points(q, picked);
      total += got;
      var box = document.getElementById("q-" + q.id).querySelector(".feedback");
      var lines = [got >= 1 ? data.strings.right : (got > 0 ? data.strings.partly : data.strings.wrong)];
      picked.forEach(function (option) { if (q.feedback[option]) { lines.push(q.feedback[option]); } });
      box.textContent = lines.join(" ");
      box.className = "feedback " + (got >= 1 ? "right" : "wrong");
      box.hidden = false;
    });
    var percent = data.questions.length ? Math.round(1000 * total / data.questions.length) / 10 : 0;
    var passed = percent >= data.pass_mark;
    result.className = "verdict-box " + (passed ? "valid" : "revoked");
    result.querySelector("p").textContent = (passed ? data.strings.passed : data.strings.failed).replace("{score}", percent);
    result.hidden = false;
    retake.hidden = false;
    document.getElementById("submit").disabled = true;
    if (sco) { sco.graded(percent, passed); }
    result.scrollIntoView();
  });

  retake.addEventListener("click", function () {
    form.reset();
    var boxes = form.querySelectorAll(".feedback");
    for (var i = 0; i < boxes.length; i++) { boxes[i].hidden = true; }
    result.hidden = true;
    retake.hidden = true;
    document.getElementById("submit").disabled = false;
    if (sco) { sco.clearAnswers(); }
    window.scrollTo(0, 0);
  });
}());
