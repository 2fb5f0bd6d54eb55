/* Madang co-editing in the browser (plugin "coedit"; protocol: plugins/coedit/README.md).
   Wakes only on the wiki's edit page (#editor-form[data-page-editor=wiki] with #editor-text); loads socket.io-client and
   diff-match-patch from this plugin's static/vendor/, joins the page, shows who is there and where their cursors
   are, sends one edit at a time (a diff-match-patch patch against the last version this browser knows), and
   applies the versions it receives in order, keeping the local caret. While an input method is composing
   (compositionstart ... compositionend, e.g. Korean) the textarea is never touched: incoming versions wait and
   are applied right after compositionend. This is the twin of plugins/coedit/client.py. */
(function () {
  "use strict";

  var form = document.getElementById("editor-form");
  var textarea = document.getElementById("editor-text");
  if (!form || !textarea || form.dataset.pageEditor !== "wiki" || !form.dataset.path) { return; }
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/coedit\.js(\?.*)?$/, "") : "/coedit/static/";
  var korean = (document.documentElement.lang || "ko").slice(0, 2) !== "en";
  var TEXT = {
    together: ["함께 편집 중", "Editing together"],
    readonly: ["읽기 전용", "read-only"],
    connecting: ["공동 편집 연결 중…", "Connecting to co-editing…"],
    offline: ["연결이 끊겼습니다. 다시 연결하면 입력한 내용을 보냅니다.", "Disconnected; your typing is sent when the connection is back."],
    unavailable: ["공동 편집을 쓸 수 없어 혼자 편집합니다.", "Co-editing is unavailable; you are editing alone."],
    draft: ["저장하지 않은 공동 편집 초안이 있습니다", "There is an unsaved co-editing draft"],
    restore: ["초안 복원", "Restore draft"],
    discard: ["버리기", "Discard"],
    saved: ["저장했습니다", "Saved"],
    outside: ["다른 곳에서 저장한 변경을 합쳤습니다", "Merged a change saved elsewhere by"],
    refused: ["변경이 거부되었습니다", "A change was refused"],
    you: ["나", "you"]
  };
  function t(key) { return TEXT[key][korean ? 0 : 1]; }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  /* -- the three-way merge (plugins/coedit/merge.py): base → mine carried onto theirs ------------------------ */
  function segmentsOf(diffs) {
    var found = [], b = 0, s = 0;
    diffs.forEach(function (d) {
      var n = d[1].length;
      if (d[0] === 0) { found.push([b, s, n, true]); b += n; s += n; }
      else if (d[0] === -1) { found.push([b, s, n, false]); b += n; }
      else { s += n; }
    });
    return {found: found, total: s};
  }
  function editsOf(diffs) {
    var out = [], b = 0;
    diffs.forEach(function (d) {
      if (d[0] === 0) { b += d[1].length; return; }
      var start = b, end = d[0] === -1 ? b + d[1].length : b, inserted = d[0] === 1 ? d[1] : "";
      var last = out[out.length - 1];
      if (last && last[1] === start) { last[1] = end; last[2] += inserted; } else { out.push([start, end, inserted]); }
      if (d[0] === -1) { b += d[1].length; }
    });
    return out;
  }
  function positionIn(seg, b) {
    for (var i = 0; i < seg.found.length; i++) {
      var f = seg.found[i];
      if (b < f[0] + f[2]) { return f[3] ? f[1] + (b - f[0]) : f[1]; }
    }
    return seg.total;
  }
  function merge3(dmp, baseText, theirs, mine) {
    if (mine === baseText) { return theirs; }
    if (theirs === baseText) { return mine; }
    var seg = segmentsOf(dmp.diff_main(baseText, theirs, false));
    var ops = [];
    editsOf(dmp.diff_main(baseText, mine, false)).forEach(function (e) {
      seg.found.forEach(function (f) {
        var lo = Math.max(e[0], f[0]), hi = Math.min(e[1], f[0] + f[2]);
        if (f[3] && lo < hi) { ops.push([f[1] + lo - f[0], f[1] + hi - f[0], ops.length, ""]); }
      });
      if (e[2]) { ops.push([positionIn(seg, e[0]), -1, ops.length, e[2]]); }
    });
    ops.sort(function (x, y) { return (y[0] - x[0]) || (y[1] - x[1]) || (y[2] - x[2]); });
    var text = theirs;
    ops.forEach(function (o) {
      text = o[1] < 0 ? text.slice(0, o[0]) + o[3] + text.slice(o[0]) : text.slice(0, o[0]) + text.slice(o[1]);
    });
    return text;
  }

  /* diff-match-patch in JavaScript counts UTF-16 units and may cut an emoji's surrogate pair in two, which
     patch_toText cannot encode: keep pairs whole in the diff and in each hunk's context. */
  function isHigh(code) { return code >= 0xD800 && code <= 0xDBFF; }
  function isLow(code) { return code >= 0xDC00 && code <= 0xDFFF; }
  function wholePairs(diffs) {
    var i, j, text;
    for (i = 0; i < diffs.length; i++) {
      text = diffs[i][1];
      if (diffs[i][0] === 0 && text && isHigh(text.charCodeAt(text.length - 1)) && i + 1 < diffs.length) {
        diffs[i][1] = text.slice(0, -1);
        for (j = i + 1; j < diffs.length && diffs[j][0] !== 0; j++) { diffs[j][1] = text.slice(-1) + diffs[j][1]; }
      }
      if (diffs[i][0] === 0 && text && isLow(diffs[i][1].charCodeAt(0)) && i > 0) {
        var low = diffs[i][1].charAt(0);
        diffs[i][1] = diffs[i][1].slice(1);
        for (j = i - 1; j >= 0 && diffs[j][0] !== 0; j--) { diffs[j][1] += low; }
      }
    }
    return diffs.filter(function (d) { return d[1].length > 0; });
  }
  function patchText(dmp, from, to) {
    var diffs = wholePairs(dmp.diff_main(from, to, true));
    dmp.diff_cleanupEfficiency(diffs);
    diffs = wholePairs(diffs);
    var patches = dmp.patch_make(from, diffs);
    patches.forEach(function (p) {
      var first = p.diffs[0], last = p.diffs[p.diffs.length - 1];
      if (first && first[0] === 0 && isLow(first[1].charCodeAt(0))) {
        first[1] = first[1].slice(1); p.start1 += 1; p.start2 += 1; p.length1 -= 1; p.length2 -= 1;
      }
      if (last && last[0] === 0 && isHigh(last[1].charCodeAt(last[1].length - 1))) {
        last[1] = last[1].slice(0, -1); p.length1 -= 1; p.length2 -= 1;
      }
    });
    return dmp.patch_toText(patches);
  }

  function start() {
    var dmp = new window.diff_match_patch();
    dmp.Diff_Timeout = 0.2;
    var exact = new window.diff_match_patch();
    exact.Match_Threshold = 0.1;
    exact.Match_Distance = 100000;
    exact.Patch_DeleteThreshold = 0.0;
    var path = form.dataset.path;
    var status = document.getElementById("editor-status");
    var state = {doc: null, session: null, readonly: false, composing: false, applying: false, me: null,
                 participants: [], cursors: {}, joined: false, joining: false, early: []};
    var panel = document.createElement("div");
    panel.className = "coedit-panel";
    panel.setAttribute("aria-live", "polite");
    textarea.parentNode.insertBefore(panel, textarea);
    var overlay = document.createElement("div");
    overlay.className = "coedit-overlay";
    overlay.setAttribute("aria-hidden", "true");
    textarea.parentNode.insertBefore(overlay, textarea);
    textarea.parentNode.classList.add("coedit-host");
    textarea.classList.add("coedit-text");
    form.classList.add("coedit-on");

    function say(text, isError) {
      if (!status) { return; }
      status.textContent = text;
      status.classList.toggle("is-error", Boolean(isError));
    }

    /* -- the document: confirmed text, one edit in flight, versions applied in order -------------------------- */
    function newDoc(text, version) {
      return {confirmed: text, version: version, inflight: null, waiting: {}};
    }
    function local() { return textarea.value; }
    function setLocal(text) {
      if (text === textarea.value) { return; }
      var old = textarea.value, diffs = dmp.diff_main(old, text, false);
      var focused = document.activeElement === textarea;
      var a = dmp.diff_xIndex(diffs, textarea.selectionStart), b = dmp.diff_xIndex(diffs, textarea.selectionEnd);
      var direction = textarea.selectionDirection, scroll = textarea.scrollTop;
      state.applying = true;
      textarea.value = text;
      if (focused) { textarea.setSelectionRange(a, b, direction); }
      textarea.scrollTop = scroll;
      textarea.dispatchEvent(new Event("input", {bubbles: true}));  /* the live preview follows */
      state.applying = false;
    }
    function receive(version, patch, id) {
      var doc = state.doc;
      if (version > doc.version) { doc.waiting[version] = [patch, id]; }
      drain();
    }
    function drain() {
      var doc = state.doc;
      if (state.composing) { return; }  /* never touch the textarea while an input method composes */
      var mine = local(), changed = false;
      while (doc.waiting[doc.version + 1]) {
        var entry = doc.waiting[doc.version + 1];
        delete doc.waiting[doc.version + 1];
        var applied = exact.patch_apply(exact.patch_fromText(entry[0]), doc.confirmed);
        if (applied[1].some(function (ok) { return !ok; })) { rejoin(); return; }
        var confirmed = applied[0];
        if (doc.inflight && entry[1] === doc.inflight.id) {
          mine = merge3(dmp, doc.inflight.expected, confirmed, mine);
          doc.inflight = null;
        } else {
          mine = merge3(dmp, doc.confirmed, confirmed, mine);
          if (doc.inflight) { doc.inflight.expected = merge3(dmp, doc.confirmed, confirmed, doc.inflight.expected); }
        }
        doc.confirmed = confirmed;
        doc.version += 1;
        changed = true;
      }
      if (changed) { setLocal(mine); drawCursors(); }
      flush();
    }
    function flush() {
      var doc = state.doc;
      if (!doc || !state.joined || state.readonly || state.composing || state.rebase || doc.inflight) { return; }
      var text = local();
      if (text === doc.confirmed) { return; }
      var patch = patchText(dmp, doc.confirmed, text);
      doc.inflight = {id: Math.random().toString(36).slice(2) + Date.now().toString(36), version: doc.version,
                      patch: patch, expected: text};
      send(doc.inflight);
    }
    function send(inflight) {
      socket.emit("edit", {path: path, version: inflight.version, patch: inflight.patch, id: inflight.id}, function (answer) {
        if (!answer || typeof answer !== "object") { switchedOff(); return; }
        if (answer.error) { refused(answer); return; }
        receive(answer.version, answer.patch, answer.id);
      });
    }
    function switchedOff() {
      /* the plugin was turned off meanwhile: keep the text as it is, the plain form saves it */
      state.joined = false;
      say(t("unavailable"), true);
    }
    function refused(answer) {
      var doc = state.doc;
      if (answer.error === "rate_limited" && doc.inflight) {
        var again = doc.inflight;
        window.setTimeout(function () { if (doc.inflight === again) { send(again); } }, 300);
        return;
      }
      if (answer.error === "stale_version") { rejoin(); return; }
      say(t("refused") + (answer.message ? ": " + answer.message : ""), true);
      if (doc.inflight) {
        var expected = doc.inflight.expected;
        doc.inflight = null;
        if (!state.composing) { setLocal(merge3(dmp, expected, doc.confirmed, local())); }
      }
    }

    /* -- joining, and joining again after a reconnect ------------------------------------------------------------ */
    function join() {
      var doc = state.doc, request = {path: path};
      if (doc) {
        request.session = state.session;
        request.since = doc.version;
        request.ids = doc.inflight ? [doc.inflight.id] : [];
      }
      state.joined = false;
      state.joining = true;
      state.early = [];
      socket.emit("join", request, function (answer) {
        state.joining = false;
        if (!answer || answer.error) { say(t("unavailable") + (answer && answer.message ? " " + answer.message : ""), true); return; }
        state.readonly = answer.readonly;
        textarea.readOnly = answer.readonly;
        state.me = answer.you;
        if (!state.doc) {
          state.doc = newDoc(answer.text, answer.version);
          if (answer.text !== local()) { setLocal(merge3(dmp, textarea.defaultValue, answer.text, local())); }
        } else if (answer.session === state.session && answer.missed) {
          answer.missed.forEach(function (m) { state.doc.waiting[m.version] = [m.patch, m.id]; });
          state.session = answer.session;
          state.joined = true;
          drain();
          var d = state.doc;
          if (d.inflight && d.version === answer.version) { send(d.inflight); }
        } else {
          var old = state.doc, done = old.inflight && (answer.applied || []).indexOf(old.inflight.id) >= 0;
          var from = done ? old.inflight.expected : old.confirmed;
          state.doc = newDoc(answer.text, answer.version);
          if (state.composing) { state.rebase = [from, answer.text]; }  /* after compositionend */
          else { setLocal(merge3(dmp, from, answer.text, local())); }
        }
        state.session = answer.session;
        state.joined = true;
        state.early.forEach(function (e) {  /* versions made after the join's snapshot, in this session */
          if (e.session === state.session && e.version > state.doc.version) { state.doc.waiting[e.version] = [e.patch, e.id]; }
        });
        state.early = [];
        drain();
        state.participants = answer.participants;
        showPeople();
        if (answer.draft) { offerDraft(answer.draft); }
        say(t("together"), false);
        flush();
      });
    }
    function rejoin() { state.session = null; join(); }

    /* -- people, cursors, drafts ---------------------------------------------------------------------------------- */
    function showPeople() {
      panel.textContent = "";
      var label = document.createElement("span");
      label.className = "coedit-label";
      label.textContent = t("together") + ":";
      panel.appendChild(label);
      var seen = {};
      state.participants.forEach(function (p) {
        if (seen[p.username]) { return; }
        seen[p.username] = true;
        var chip = document.createElement("span");
        chip.className = "coedit-person";
        chip.style.setProperty("--coedit-color", p.color);
        chip.dataset.username = p.username;
        var me = state.me && p.username === state.me.username;
        chip.textContent = p.name + (me ? " (" + t("you") + ")" : "") + (p.readonly ? " · " + t("readonly") : "");
        panel.appendChild(chip);
      });
      Object.keys(state.cursors).forEach(function (client) {
        if (!state.participants.some(function (p) { return p.client === client; })) { delete state.cursors[client]; }
      });
      drawCursors();
    }
    function offerDraft(draft) {
      var box = document.createElement("div");
      box.className = "coedit-draft alert alert-warning";
      var names = draft.authors.map(function (a) { return a.name; }).join(", ");
      box.textContent = t("draft") + " (" + names + ", " + new Date(draft.updated).toLocaleString() + ") ";
      [["restore", true], ["discard", false]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button-small";
        button.textContent = t(choice[0]);
        button.addEventListener("click", function () {
          socket.emit("draft", {path: path, id: draft.id, restore: choice[1]}, function () { box.remove(); });
        });
        box.appendChild(button);
      });
      box.dataset.draft = String(draft.id);
      panel.parentNode.insertBefore(box, panel.nextSibling);
    }
    var mirror = document.createElement("div");
    mirror.className = "coedit-mirror";
    overlay.appendChild(mirror);
    function drawCursors() {
      var style = window.getComputedStyle(textarea);
      ["fontFamily", "fontSize", "fontWeight", "lineHeight", "letterSpacing", "paddingTop", "paddingRight",
       "paddingBottom", "paddingLeft", "borderTopWidth", "borderLeftWidth", "borderRightWidth", "borderBottomWidth",
       "boxSizing", "tabSize"].forEach(function (p) { mirror.style[p] = style[p]; });
      overlay.style.top = textarea.offsetTop + "px";
      overlay.style.left = textarea.offsetLeft + "px";
      overlay.style.width = textarea.offsetWidth + "px";
      overlay.style.height = textarea.offsetHeight + "px";
      mirror.style.width = textarea.offsetWidth + "px";
      mirror.style.top = -textarea.scrollTop + "px";
      var text = local(), marks = [];
      var doc = state.doc, diffs = doc ? dmp.diff_main(doc.confirmed, text, false) : [];
      Object.keys(state.cursors).forEach(function (client) {
        var c = state.cursors[client];
        var a = Math.min(c.anchor, c.head), b = Math.max(c.anchor, c.head);
        if (doc && c.version === doc.version && diffs.length) { a = dmp.diff_xIndex(diffs, a); b = dmp.diff_xIndex(diffs, b); }
        a = Math.min(a, text.length); b = Math.min(b, text.length);
        marks.push({at: a, end: b, c: c});
      });
      marks.sort(function (x, y) { return x.at - y.at; });
      mirror.textContent = "";
      var at = 0;
      marks.forEach(function (m) {
        var from = Math.max(m.at, at);
        mirror.appendChild(document.createTextNode(text.slice(at, from)));
        var caret = document.createElement("span");
        caret.className = "coedit-caret";
        caret.style.setProperty("--coedit-color", m.c.color);
        caret.dataset.name = m.c.name;
        caret.dataset.client = m.c.client;
        mirror.appendChild(caret);
        if (m.end > from) {
          var sel = document.createElement("span");
          sel.className = "coedit-selection";
          sel.style.setProperty("--coedit-color", m.c.color);
          sel.textContent = text.slice(from, m.end);
          mirror.appendChild(sel);
          at = m.end;
        } else { at = from; }
      });
      mirror.appendChild(document.createTextNode(text.slice(at) + "\n"));
    }
    var cursorTimer = null;
    function sendCursor() {
      if (!state.joined || cursorTimer) { return; }
      cursorTimer = window.setTimeout(function () {
        cursorTimer = null;
        if (!state.doc) { return; }
        socket.emit("cursor", {path: path, version: state.doc.version, anchor: textarea.selectionStart,
                               head: textarea.selectionEnd});
      }, 100);
    }

    /* -- the socket ---------------------------------------------------------------------------------------------- */
    var socket = window.io("/coedit", {transports: ["websocket", "polling"]});
    say(t("connecting"), false);
    socket.on("connect", join);
    socket.on("disconnect", function () { state.joined = false; say(t("offline"), true); });
    socket.on("edited", function (data) {
      if (data.path !== path) { return; }
      if (state.joining) { state.early.push(data); return; }
      if (!state.doc || data.session !== state.session) { return; }
      if (data.outside) { say(t("outside") + " " + data.outside.name, false); }
      receive(data.version, data.patch, data.id);
    });
    socket.on("presence", function (data) {
      if (data.path !== path) { return; }
      state.participants = data.participants;
      showPeople();
    });
    socket.on("cursor", function (data) {
      if (data.path !== path) { return; }
      state.cursors[data.client] = data;
      drawCursors();
    });
    socket.on("draft", function (data) {
      var box = document.querySelector('.coedit-draft[data-draft="' + data.id + '"]');
      if (box) { box.remove(); }
    });
    socket.on("saved", function (data) { if (data.path === path) { say(t("saved") + " · " + data.name, false); } });
    socket.on("left", function (data) {
      if (data.path !== path) { return; }
      state.joined = false;
      say(data.message || t("unavailable"), true);
    });

    /* -- the textarea ------------------------------------------------------------------------------------------- */
    textarea.addEventListener("compositionstart", function () { state.composing = true; });
    textarea.addEventListener("compositionend", function () {
      state.composing = false;
      window.setTimeout(function () {  /* after the final input event */
        if (state.rebase) { setLocal(merge3(dmp, state.rebase[0], state.rebase[1], local())); state.rebase = null; }
        if (state.doc) { drain(); }
      }, 0);
    });
    textarea.addEventListener("input", function (event) {
      if (state.applying || state.composing || event.isComposing || !state.doc) { return; }
      flush();
      drawCursors();
      sendCursor();
    });
    ["select", "click", "keyup", "focus"].forEach(function (name) { textarea.addEventListener(name, sendCursor); });
    textarea.addEventListener("scroll", drawCursors);
    window.addEventListener("resize", drawCursors);
    /* Saving while joined commits the shared text with every co-author; the plain form is the fallback. */
    form.addEventListener("submit", function (event) {
      if (!state.joined || state.readonly) { return; }
      event.preventDefault();
      var message = form.querySelector("#editor-message");
      var wait = function () {
        if (state.doc.inflight || local() !== state.doc.confirmed) { flush(); window.setTimeout(wait, 50); return; }
        socket.emit("save", {path: path, message: message ? message.value : ""}, function (answer) {
          if (!answer || answer.error) { say(t("refused") + ": " + ((answer && answer.message) || ""), true); return; }
          window.location.href = form.action.replace(/\/edit$/, "");
        });
      };
      wait();
    });
    window.madangCoedit = state;  /* for the browser tests and the curious */
  }

  load(base + "vendor/socket.io.min.js")
    .then(function () { return load(base + "vendor/diff_match_patch.js"); })
    .then(start)
    .catch(function () {
      var status = document.getElementById("editor-status");
      if (status) { status.textContent = t("unavailable"); }
    });
})();
