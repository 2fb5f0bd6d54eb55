/* Madang's browser code: live preview, uploads from the editor, confirmations.
   Plain JavaScript in a static file (the site's CSP allows no inline script). Every feature is optional:
   without JavaScript the forms still work, the preview just does not update while typing. */
(function () {
  "use strict";

  var PREVIEW_DELAY_MS = 300;

  function csrfToken(form) {
    var field = form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function fill(template, name) {
    return (template || "").replace("{name}", name);
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fn, wait);
    };
  }

  function setStatus(element, text, isError) {
    if (!element) { return; }
    element.textContent = text;
    element.classList.toggle("is-error", Boolean(isError));
  }

  /* The preview asks the server to render, so it matches the saved page exactly (same sanitiser).
     Only the newest answer is shown: an older request still in flight is aborted. */
  function initPreview(form, textarea, status) {
    var preview = document.getElementById("preview");
    var url = form.dataset.previewUrl;
    if (!preview || !url) { return; }
    var controller = null;
    var render = function () {
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      preview.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
        body: JSON.stringify({ markdown: textarea.value, path: form.dataset.path }),
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        preview.innerHTML = data.html;
        preview.setAttribute("aria-busy", "false");
        if (status && status.classList.contains("is-error")) { setStatus(status, "", false); }
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        preview.setAttribute("aria-busy", "false");
        setStatus(status, form.dataset.msgPreviewFailed, true);
      });
    };
    textarea.addEventListener("input", debounce(render, PREVIEW_DELAY_MS));
  }

  /* An uploaded file becomes a paragraph of its own: right after a list item or a line of text it would
     otherwise be glued to that line by Markdown's lazy continuation. */
  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var before = textarea.value.slice(0, start);
    var prefix = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    textarea.setRangeText(prefix + text + "\n", start, end, "end");
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attachmentLink(name, type) {
    var target = name.replace(/[ ()<>%]/g, function (ch) { return encodeURIComponent(ch); });
    var image = /^image\//.test(type || "");
    return (image ? "!" : "") + "[" + name + "](attachment:" + target + ")";
  }

  function encodePath(path) {
    return path.split("/").map(encodeURIComponent).join("/");
  }

  /* Files go straight to the API (PUT, with the CSRF header); the Markdown that shows them lands at the cursor. */
  function initUpload(form, textarea, status) {
    var input = form.querySelector("input[data-upload]");
    if (!input) { return; }
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, function (file) {
        setStatus(status, fill(form.dataset.msgUploading, file.name), false);
        var url = "/api/v1/pages/" + encodePath(form.dataset.path) + "/attachments/" + encodeURIComponent(file.name);
        fetch(url, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRFToken": csrfToken(form) },
          body: file
        }).then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) { throw new Error(data.message || String(response.status)); }
            return data;
          });
        }).then(function (data) {
          insertAtCursor(textarea, attachmentLink(data.name, file.type));
          setStatus(status, fill(form.dataset.msgUploaded, data.name), false);
        }).catch(function (error) {
          setStatus(status, fill(form.dataset.msgUploadFailed, file.name) + " " + error.message, true);
        });
      });
      input.value = "";
    });
  }

  /* Leaving the editor with unsaved text asks first; saving (the form's own submit) does not. */
  function initUnsavedGuard(form, textarea) {
    var original = form.dataset.dirty ? null : textarea.value;
    var submitting = false;
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || textarea.value === original) { return; }
      event.preventDefault();
      event.returnValue = form.dataset.msgUnsaved || "";
    });
  }

  function initSaveShortcut(form) {
    form.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
  }

  /* The personal-data guard: the text is checked as it is typed (POST /api/v1/pii/check answers masked findings
     with code-point offsets); "mask them" replaces each number in the textarea by its masked form. When the
     plugin is off the check answers 404 and the panel stays hidden. */
  function initPiiCheck(form, textarea) {
    var panel = document.getElementById("pii-panel");
    var list = document.getElementById("pii-findings");
    var button = document.getElementById("pii-mask");
    if (!panel || !list || !button) { return; }
    var url = panel.dataset.checkUrl;
    var latest = { text: null, findings: [] };
    var show = function (findings) {
      list.textContent = "";
      findings.forEach(function (finding) {
        var item = document.createElement("li");
        item.textContent = finding.kind + ": " + finding.masked;
        list.appendChild(item);
      });
      panel.hidden = findings.length === 0;
    };
    var check = function () {
      var text = textarea.value;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
        body: JSON.stringify({ text: text })
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        if (textarea.value !== text) { return; }  /* an older answer: the newer one follows */
        latest = { text: text, findings: data.findings || [] };
        show(latest.findings);
      }).catch(function () { panel.hidden = true; });
    };
    button.addEventListener("click", function () {
      if (latest.text !== textarea.value) { return; }
      var chars = Array.from(textarea.value);  /* offsets are code points, as the server counts them */
      latest.findings.slice().sort(function (a, b) { return b.start - a.start; }).forEach(function (finding) {
        chars.splice(finding.start, finding.end - finding.start, finding.masked);
      });
      textarea.value = chars.join("");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      show([]);
    });
    textarea.addEventListener("input", debounce(check, PREVIEW_DELAY_MS * 2));
    check();
  }

  function initEditor() {
    var form = document.getElementById("editor-form");
    var textarea = document.getElementById("editor-text");
    if (!form || !textarea) { return; }
    var status = document.getElementById("editor-status");
    initPreview(form, textarea, status);
    initUpload(form, textarea, status);
    initUnsavedGuard(form, textarea);
    initSaveShortcut(form);
    initPiiCheck(form, textarea);
  }

  function initConfirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }

  /* History: the "from" revision must be older than the "to" one; picking keeps the pair sensible. */
  function initHistoryPicker() {
    var form = document.querySelector(".history-form");
    if (!form) { return; }
    var rows = Array.prototype.slice.call(form.querySelectorAll("tbody tr"));
    var sync = function () {
      var toIndex = rows.findIndex(function (row) { return row.querySelector('input[name="to"]').checked; });
      var fromIndex = rows.findIndex(function (row) { return row.querySelector('input[name="from"]').checked; });
      rows.forEach(function (row, index) {
        row.querySelector('input[name="from"]').disabled = toIndex >= 0 && index <= toIndex;
        row.querySelector('input[name="to"]').disabled = fromIndex >= 0 && index >= fromIndex;
      });
    };
    form.addEventListener("change", sync);
    sync();
  }

  initEditor();
  initConfirmations();
  initHistoryPicker();
})();
