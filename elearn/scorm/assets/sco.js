/* elearn SCORM 1.2 SCO: finds the LMS's API, keeps the learner's place in cmi.suspend_data and
   cmi.core.lesson_location, and reports the final quiz (cmi.core.score.*, cmi.core.lesson_status).
   The lesson pages and the quiz open in the frame; the quiz calls window.ElearnSCO. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sco-data").textContent);
  var frame = document.getElementById("content");
  var base = location.href.replace(/[?#].*$/, "").replace(/[^\/]*$/, "");
  var started = Date.now(), finished = false;
  var state = {v: 1, seen: [], page: null, answers: {}, best: null};

  // SCORM 1.2 RTE 3.3: the API is an object called API in a parent or opener window.
  function findAPI(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      try { if (win.API) { return win.API; } } catch (e) { return null; }
      if (win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }
  var api = findAPI(window.parent !== window ? window.parent : null) || (window.opener ? findAPI(window.opener) : null);

  function get(name) { return api ? String(api.LMSGetValue(name)) : ""; }
  function set(name, value) { if (api) { api.LMSSetValue(name, String(value)); } }
  function commit() {
    set("cmi.suspend_data", JSON.stringify(state));
    if (state.page) { set("cmi.core.lesson_location", state.page); }
    if (api) { api.LMSCommit(""); }
  }
  function timespan(ms) {  // CMITimespan: HHHH:MM:SS.SS
    var s = ms / 1000, h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = (s % 60).toFixed(2);
    function pad(n, w) { n = String(n); while (n.length < w) { n = "0" + n; } return n; }
    return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(sec, 5);
  }
  function status() { return get("cmi.core.lesson_status"); }

  if (api && String(api.LMSInitialize("")) === "true") {
    try {
      var saved = JSON.parse(get("cmi.suspend_data") || "null");
      if (saved && saved.v === 1) { state = saved; }
    } catch (e) { /* unreadable suspend data: start afresh */ }
    var now = status();
    if (now === "not attempted" || now === "") { set("cmi.core.lesson_status", "incomplete"); }
    commit();
  } else {
    api = null;
  }
  document.getElementById("sco-status").textContent = api ? data.strings.connected : data.strings.offline;

  function markNav() {
    var links = document.querySelectorAll(".sco-nav a[data-page]");
    for (var i = 0; i < links.length; i++) {
      var page = links[i].getAttribute("data-page");
      if (page === state.page) { links[i].setAttribute("aria-current", "page"); } else { links[i].removeAttribute("aria-current"); }
      links[i].className = state.seen.indexOf(page) >= 0 ? "seen" : "";
    }
  }
  frame.addEventListener("load", function () {
    var href;
    try { href = frame.contentWindow.location.href; } catch (e) { return; }
    var page = href.replace(/[?#].*$/, "").replace(base, "");
    if (data.pages.indexOf(page) < 0) { return; }
    state.page = page;
    if (state.seen.indexOf(page) < 0) { state.seen.push(page); }
    markNav();
    commit();
  });
  if (state.page && data.pages.indexOf(state.page) >= 0) { frame.src = state.page; }  // resume where they left off
  markNav();

  window.ElearnSCO = {
    connected: function () { return api !== null; },
    answers: function () { return state.answers; },
    saveAnswer: function (question, chosen) { state.answers[question] = chosen; commit(); },
    clearAnswers: function () { state.answers = {}; commit(); },
    graded: function (percent, passed) {
      // A later, weaker attempt never takes back a pass: the LMS keeps the best result.
      state.best = state.best === null ? percent : Math.max(state.best, percent);
      set("cmi.core.score.min", 0);
      set("cmi.core.score.max", 100);
      set("cmi.core.score.raw", Math.round(state.best));
      if (passed || status() !== "passed") { set("cmi.core.lesson_status", passed || state.best >= data.pass_mark ? "passed" : "failed"); }
      commit();
    }
  };

  function finish() {
    if (finished || !api) { return; }
    finished = true;
    set("cmi.core.session_time", timespan(Date.now() - started));
    set("cmi.core.exit", status() === "passed" ? "" : "suspend");
    commit();
    api.LMSFinish("");
  }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
}());
