/* The messenger page: plain JS. Real time through Socket.IO (socket.io-client, fetched from the npm registry by
   scripts/fetch-socketio-client) when it is there, else by polling the REST API. Messages are never lost: each has
   a client_id made here and is sent again (same id) until the server acknowledges it; after every (re)connect the
   open conversation catches up with ?changed_after=<the highest change seen> (new messages and edits alike), and
   messages are kept by id, each shown at its newest change (no duplicates, no stale edit). */
(function () {
  "use strict";
  var root = document.getElementById("messenger");
  if (!root) return;
  var ME = root.dataset.me, CSRF = root.dataset.csrf, API = "/api/v1/messenger";
  var EN = (document.documentElement.lang || "ko").indexOf("en") === 0;
  var T = EN ? {deletedShort: "Deleted message", deleted: "This message was deleted.", edited: "(edited)",
                edit: "Edit", editPrompt: "Edit the message", remove: "Delete", removeAsk: "Delete this message?",
                typing: function (names) { return names + (names.indexOf(",") >= 0 ? " are" : " is") + " typing…"; },
                mentioned: function (who) { return who + " mentioned you"; },
                from: function (who) { return "New message from " + who; },
                nothingFound: "No messages found.", leaveAsk: "Leave this conversation?"}
             : {deletedShort: "삭제된 메시지", deleted: "삭제된 메시지입니다.", edited: "(수정됨)",
                edit: "수정", editPrompt: "메시지 수정", remove: "삭제", removeAsk: "이 메시지를 삭제할까요?",
                typing: function (names) { return names + " 님이 입력 중…"; },
                mentioned: function (who) { return who + "님이 나를 언급했습니다"; },
                from: function (who) { return "새 메시지: " + who; },
                nothingFound: "찾은 메시지가 없습니다.", leaveAsk: "이 대화방에서 나갈까요?"};
  var state = {conversations: {}, open: null, lastId: 0, lastChange: 0, ahead: {}, firstId: null, shown: {},
               pending: {}, socket: null, typingTimer: null, typingSent: 0, typers: {}, presence: {}, chosen: []};
  var $ = function (id) { return document.getElementById(id); };

  function api(method, path, body) {
    var options = {method: method, credentials: "same-origin", headers: {"X-CSRFToken": CSRF}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.message || r.status);
        return data;
      });
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function nameOf(username) {
    var conv = state.conversations[state.open];
    var found = conv && conv.members.filter(function (m) { return m.username === username; })[0];
    return found ? found.name : username;
  }

  // -- conversations --------------------------------------------------------------------------------------------
  function loadConversations() {
    return api("GET", API + "/conversations").then(function (data) {
      state.conversations = {};
      var list = $("m-conversations");
      list.textContent = "";
      data.items.forEach(function (conv) {
        state.conversations[conv.id] = conv;
        var item = el("li", conv.id === state.open ? "active" : "");
        var link = el("a", "", conv.title);
        link.href = "#" + conv.id;
        link.addEventListener("click", function (e) { e.preventDefault(); openConversation(conv.id); });
        item.appendChild(link);
        if (conv.unread && conv.id !== state.open) item.appendChild(el("span", "badge", String(conv.unread)));
        if (conv.last_message) item.appendChild(el("small", "m-last", conv.last_message.deleted ? T.deletedShort
                                                                        : conv.last_message.text.slice(0, 60)));
        list.appendChild(item);
      });
      var total = data.unread_total - ((state.conversations[state.open] || {}).unread || 0);
      $("m-total").hidden = total <= 0;
      $("m-total").textContent = String(total);
      if (state.open && state.conversations[state.open]) showHeader(state.conversations[state.open]);
      askPresence();
    });
  }

  function showHeader(conv) {
    $("m-conv-title").textContent = conv.title;
    var members = $("m-members");
    members.textContent = "";
    conv.members.forEach(function (m) {
      var chip = el("span", "m-member " + (state.presence[m.username] || "offline"), m.name);
      chip.title = m.username + " · " + (state.presence[m.username] || "offline");
      chip.dataset.username = m.username;
      members.appendChild(chip);
    });
    $("m-rename-title").value = conv.custom_title || "";
  }

  function openConversation(id) {
    state.open = id;
    state.lastId = 0;
    state.lastChange = 0;
    state.ahead = {};
    state.firstId = null;
    state.shown = {};
    state.typers = {};
    $("m-messages").textContent = "";
    $("m-typing").textContent = "";
    $("m-main").hidden = false;
    if (state.socket && state.socket.connected) state.socket.emit("join", {conversation: id}, function () {});
    return api("GET", API + "/conversations/" + id + "/messages?before=latest&limit=50").then(function (page) {
      page.items.forEach(showMessage);
      state.lastChange = Math.max(state.lastChange, page.last_change || 0);
      state.firstId = page.items.length ? page.items[0].id : null;
      $("m-older").hidden = !page.previous;
      $("m-older").dataset.before = page.previous || "";
      return catchUp();
    }).then(markRead).then(loadConversations);
  }

  function catchUp(from) {
    /* Everything that changed since the highest change seen, page by page (the pages' own cursor: a live message
       arriving meanwhile must not skip the rest): after a reconnect no message and no edit is missed. */
    if (!state.open) return Promise.resolve();
    var id = state.open, since = typeof from === "number" ? from : state.lastChange;
    return api("GET", API + "/conversations/" + id + "/messages?changed_after=" + since + "&limit=200")
      .then(function (page) {
        if (id !== state.open) return;
        page.items.forEach(function (message) {
          // an edit of a message older than the loaded history waits until that history is loaded
          if (state.firstId === null || message.id >= state.firstId) showMessage(message);
        });
        if (page.last_change > state.lastChange) state.lastChange = page.last_change;
        if (page.next) return catchUp(Number(page.next));
      });
  }

  function markRead() {
    if (!state.open || !state.lastId) return;
    var body = {conversation: state.open, message: state.lastId};
    if (state.socket && state.socket.connected) state.socket.emit("read", body, function () {});
    else api("POST", API + "/conversations/" + state.open + "/read", {message: state.lastId}).catch(function () {});
  }

  // -- messages -------------------------------------------------------------------------------------------------
  function render(node, message) {
    node.textContent = "";
    node.className = "m-message" + (message.sender === ME ? " mine" : "") +
      (message.mentions && message.mentions.indexOf(ME) >= 0 ? " mentioned" : "") +
      (message.deleted ? " deleted" : "");
    var head = el("div", "m-meta");
    head.appendChild(el("strong", "", nameOf(message.sender)));
    head.appendChild(el("time", "", new Date(message.date).toLocaleString()));
    if (message.edited && !message.deleted) head.appendChild(el("em", "", T.edited));
    node.appendChild(head);
    if (message.deleted || message.text) {
      node.appendChild(el("div", "m-text", message.deleted ? T.deleted : message.text));
    }
    if (message.file) node.appendChild(fileNode(message.file));
    (message.links || []).forEach(function (path) {
      var link = el("a", "m-wiki-link", path);
      link.href = "/wiki/" + path.split("/").map(encodeURIComponent).join("/");
      node.appendChild(link);
      fetch("/api/v1/pages/" + path.split("/").map(encodeURIComponent).join("/"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (page) { if (page && page.title) link.textContent = "📄 " + page.title; })
        .catch(function () {});
    });
    if (message.sender === ME && !message.deleted && message.id) {
      var tools = el("span", "m-tools");
      var edit = el("button", "button button-quiet", T.edit);
      edit.type = "button";
      edit.addEventListener("click", function () {
        var text = window.prompt(T.editPrompt, message.text);
        if (text && text !== message.text) change("edit", {id: message.id, text: text});
      });
      var remove = el("button", "button button-quiet", T.remove);
      remove.type = "button";
      remove.addEventListener("click", function () {
        if (window.confirm(T.removeAsk)) change("delete", {id: message.id});
      });
      tools.appendChild(edit);
      tools.appendChild(remove);
      node.appendChild(tools);
    }
  }

  function fileNode(file) {
    /* Images inline (the server checked their first bytes), other files as a download link. */
    var link = el("a", file.image ? "m-image-link" : "m-file");
    link.href = file.url;
    if (file.image) {
      var image = el("img", "m-image");
      image.src = file.preview || file.url;  // the small preview; the link opens the original
      image.alt = file.name;
      image.loading = "lazy";
      if (file.width && file.height) {  // the space is kept before it loads: the list does not jump
        var scale = Math.min(1, 384 / file.width, 288 / file.height);  // within 24rem × 18rem
        image.width = Math.max(1, Math.round(file.width * scale));
        image.height = Math.max(1, Math.round(file.height * scale));
      }
      link.target = "_blank";
      link.appendChild(image);
    } else {
      link.href = file.url + "?download";
      link.setAttribute("download", file.name);
      link.textContent = "📎 " + file.name + " (" + sizeText(file.size) + ")";
    }
    return link;
  }

  function sizeText(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function shareFile(file) {
    var conversation = state.open, clientId = newClientId();
    var node = el("li", "m-message mine sending");
    node.appendChild(el("div", "m-text", "📎 " + file.name));
    $("m-messages").appendChild(node);
    state.pending[clientId] = {conversation: conversation, node: node, file: true};
    var form = new FormData();
    form.append("file", file);
    form.append("client_id", clientId);
    fetch(API + "/conversations/" + conversation + "/files", {method: "POST", credentials: "same-origin",
                                                             headers: {"X-CSRFToken": CSRF}, body: form})
      .then(function (r) { return r.json(); })
      .then(function (message) {
        if (message && message.id) { showMessage(message); markRead(); return; }
        delete state.pending[clientId];
        node.classList.add("failed");
        node.title = (message && message.message) || "";
        node.appendChild(el("small", "m-error", node.title));
      })
      .catch(function () { node.classList.add("failed"); });
  }

  function change(kind, body) {
    var done = function (message) { if (message && message.id) showMessage(message); };
    if (state.socket && state.socket.connected) {
      state.socket.emit(kind, body, done);
    } else if (kind === "edit") {
      api("PATCH", API + "/messages/" + body.id, {text: body.text}).then(done);
    } else {
      api("DELETE", API + "/messages/" + body.id).then(done);
    }
  }

  function showMessage(message) {
    if (message.conversation !== state.open) return;
    var list = $("m-messages");
    var pendingNode = state.pending[message.client_id] && message.sender === ME && state.pending[message.client_id].node;
    var node = state.shown[message.id] || pendingNode;
    if (node && Number(node.dataset.change || 0) > (message.change || 0)) return;  // an older state of it
    if (pendingNode) delete state.pending[message.client_id];
    if (!node) {
      node = el("li");
      var after = null;  // keep the list ordered by id
      for (var i = list.children.length - 1; i >= 0; i--) {
        var other = Number(list.children[i].dataset.id || Infinity);
        if (other < message.id) { after = list.children[i]; break; }
        if (i === 0) after = "first";
      }
      if (after === "first") list.insertBefore(node, list.firstChild);
      else if (after) list.insertBefore(node, after.nextSibling);
      else list.appendChild(node);
    }
    node.dataset.id = message.id;
    node.dataset.change = message.change || 0;
    sawChange(message.change);
    state.shown[message.id] = node;
    render(node, message);
    if (message.id > state.lastId) {
      state.lastId = message.id;
      node.scrollIntoView({block: "end"});
    }
  }

  function sawChange(change) {
    /* The catch-up cursor moves only over changes seen without a gap (as TCP acknowledges bytes): two messages
       committed at once may be emitted out of order, and a connection lost between them must not skip one. */
    if (!change || change <= state.lastChange) return;
    state.ahead[change] = true;
    while (state.ahead[state.lastChange + 1]) {
      delete state.ahead[state.lastChange + 1];
      state.lastChange += 1;
    }
  }

  function send(text) {
    var conversation = state.open, clientId = newClientId();
    var node = el("li", "m-message mine sending");
    node.appendChild(el("div", "m-text", text));
    $("m-messages").appendChild(node);
    state.pending[clientId] = {conversation: conversation, text: text, node: node};
    trySend(clientId);
  }

  function trySend(clientId) {
    /* Sent again with the same client_id until acknowledged: the server stores it once. */
    var item = state.pending[clientId];
    if (!item || item.file) return;
    var body = {conversation: item.conversation, client_id: clientId, text: item.text};
    var acknowledged = function (message) {
      if (message && message.id) { showMessage(message); markRead(); }
      else if (message && message.error) { item.node.classList.add("failed"); item.node.title = message.message; }
    };
    if (state.socket && state.socket.connected) {
      state.socket.timeout(10000).emit("send", body, function (err, message) {
        if (err) setTimeout(function () { trySend(clientId); }, 1000); else acknowledged(message);
      });
    } else if (!state.socket) {
      api("POST", API + "/conversations/" + item.conversation + "/messages", body).then(acknowledged)
        .catch(function () { setTimeout(function () { trySend(clientId); }, 2000); });
    }  // else: sent on reconnect
  }

  // -- typing, presence -----------------------------------------------------------------------------------------
  function showTyping() {
    var names = Object.keys(state.typers).map(nameOf);
    $("m-typing").textContent = names.length ? T.typing(names.join(", ")) : "";
  }

  function askPresence() {
    if (!state.socket || !state.socket.connected) return;
    var names = {};
    Object.keys(state.conversations).forEach(function (id) {
      state.conversations[id].members.forEach(function (m) { names[m.username] = true; });
    });
    state.socket.emit("who", {usernames: Object.keys(names)}, function (statuses) {
      if (statuses && !statuses.error) {
        state.presence = statuses;
        if (state.open && state.conversations[state.open]) showHeader(state.conversations[state.open]);
      }
    });
  }

  // -- browser notifications (once allowed: the 🔔 button here or in the panel of every other page) -------------
  function notify(message) {
    if (!("Notification" in window) || Notification.permission !== "granted" || message.sender === ME) return;
    if (!document.hidden && message.conversation === state.open) return;  // it is on screen
    var conv = state.conversations[message.conversation];
    var found = conv && conv.members.filter(function (m) { return m.username === message.sender; })[0];
    var who = found ? found.name : message.sender, mentions = message.mentions || [];
    var mentioned = mentions.indexOf(ME) >= 0 || mentions.indexOf("all") >= 0 || mentions.indexOf("모두") >= 0;
    try {
      var note = new Notification(mentioned ? T.mentioned(who) : T.from(who), {
        body: (message.file ? "📎 " + message.file.name + " " : "") + (message.text || "").slice(0, 140),
        tag: "madang-messenger-" + message.conversation});
      note.onclick = function () { window.focus(); openConversation(message.conversation); };
    } catch (e) { /* some browsers allow notifications from a service worker only */ }
  }
  var bell = $("m-notify");
  if (bell && "Notification" in window && Notification.permission === "default") {
    bell.hidden = false;
    bell.addEventListener("click", function () {
      Notification.requestPermission().then(function () { bell.hidden = Notification.permission !== "default"; });
    });
  }

  // -- the connection -------------------------------------------------------------------------------------------
  function connect() {
    var socket = window.io("/messenger", {transports: ["websocket", "polling"]});
    state.socket = socket;
    socket.on("connect", function () {
      $("m-link").className = "m-link online";
      Object.keys(state.pending).forEach(trySend);
      if (state.open) socket.emit("join", {conversation: state.open}, function () {});
      catchUp().then(markRead);
      loadConversations();
    });
    socket.on("disconnect", function () { $("m-link").className = "m-link offline"; });
    socket.on("message", function (message) {
      notify(message);
      if (message.conversation === state.open) {
        delete state.typers[message.sender];
        showTyping();
        showMessage(message);
        if (!document.hidden) markRead();
      }
      loadConversations();
    });
    socket.on("message_updated", showMessage);
    socket.on("conversation", loadConversations);
    socket.on("left", function (data) {
      if (data.id === state.open) { state.open = null; $("m-main").hidden = true; }
      loadConversations();
    });
    socket.on("unread", loadConversations);
    socket.on("typing", function (data) {
      if (data.conversation !== state.open) return;
      if (data.typing) state.typers[data.username] = true; else delete state.typers[data.username];
      showTyping();
    });
    socket.on("presence", function (data) {
      state.presence[data.username] = data.status;
      if (state.open && state.conversations[state.open]) showHeader(state.conversations[state.open]);
    });
    document.addEventListener("visibilitychange", function () {
      socket.emit("presence", {status: document.hidden ? "away" : "online"}, function () {});
      if (!document.hidden) markRead();
    });
  }

  function poll() {
    /* Without the Socket.IO client: the same catch-up, every few seconds. */
    catchUp().then(function () { if (!document.hidden) markRead(); }).then(loadConversations)
      .catch(function () {}).then(function () { setTimeout(poll, 3000); });
  }

  // -- forms ----------------------------------------------------------------------------------------------------
  $("m-compose").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("m-text").value;
    if (!text.trim() || !state.open) return;
    $("m-text").value = "";
    send(text);
    if (state.socket && state.socket.connected) {
      state.socket.emit("typing", {conversation: state.open, typing: false}, function () {});
    }
  });
  $("m-file").addEventListener("change", function () {
    var chosen = Array.prototype.slice.call($("m-file").files || []);
    $("m-file").value = "";
    if (state.open) chosen.forEach(shareFile);
  });
  $("m-text").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("m-compose").requestSubmit();
    }
  });
  $("m-text").addEventListener("input", function () {
    if (!state.socket || !state.socket.connected || !state.open) return;
    if (Date.now() - state.typingSent > 2000) {
      state.typingSent = Date.now();
      state.socket.emit("typing", {conversation: state.open, typing: true}, function () {});
    }
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(function () {
      state.typingSent = 0;
      state.socket.emit("typing", {conversation: state.open, typing: false}, function () {});
    }, 4000);
  });
  $("m-older").addEventListener("click", function () {
    var before = $("m-older").dataset.before, id = state.open;
    api("GET", API + "/conversations/" + id + "/messages?limit=50&before=" + before).then(function (page) {
      if (id !== state.open) return;
      page.items.forEach(showMessage);
      $("m-older").hidden = !page.previous;
      $("m-older").dataset.before = page.previous || "";
    });
  });
  $("m-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = $("m-search-q").value.trim(), box = $("m-search-results");
    box.textContent = "";
    box.hidden = !q;
    if (!q) return;
    api("GET", API + "/search?q=" + encodeURIComponent(q)).then(function (data) {
      if (!data.items.length) box.appendChild(el("p", "", T.nothingFound));
      data.items.forEach(function (m) {
        var conv = state.conversations[m.conversation];
        var hit = el("a", "m-hit", (conv ? conv.title + " · " : "") + m.sender + ": " + m.text.slice(0, 80));
        hit.href = "#" + m.conversation;
        hit.addEventListener("click", function (ev) { ev.preventDefault(); openConversation(m.conversation); });
        box.appendChild(hit);
      });
    });
  });
  var peopleTimer = null;
  $("m-people-q").addEventListener("input", function () {
    clearTimeout(peopleTimer);
    var q = $("m-people-q").value.trim();
    peopleTimer = setTimeout(function () {
      var box = $("m-people");
      box.textContent = "";
      if (!q) return;
      api("GET", "/api/v1/people?limit=10&q=" + encodeURIComponent(q)).then(function (data) {
        data.items.forEach(function (p) {
          if (p.username === ME) return;
          var pick = el("button", "button button-quiet", p.name + " · " + (p.department || p.username));
          pick.type = "button";
          pick.addEventListener("click", function () {
            if (state.chosen.indexOf(p.username) < 0) state.chosen.push(p.username);
            $("m-chosen").appendChild(el("span", "m-member", p.name));
          });
          box.appendChild(pick);
        });
      });
    }, 250);
  });
  $("m-new-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var body = {members: state.chosen, title: $("m-title").value.trim() || undefined,
                department: $("m-department").value || undefined};
    api("POST", API + "/conversations", body).then(function (conv) {
      state.chosen = [];
      $("m-chosen").textContent = "";
      $("m-title").value = "";
      return loadConversations().then(function () { openConversation(conv.id); });
    }).catch(function (err) { window.alert(err.message); });
  });
  $("m-rename").addEventListener("submit", function (e) {
    e.preventDefault();
    api("PATCH", API + "/conversations/" + state.open, {title: $("m-rename-title").value})
      .then(loadConversations).catch(function (err) { window.alert(err.message); });
  });
  $("m-add").addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", API + "/conversations/" + state.open + "/members", {members: [$("m-add-user").value.trim()]})
      .then(function () { $("m-add-user").value = ""; return loadConversations(); })
      .catch(function (err) { window.alert(err.message); });
  });
  $("m-leave").addEventListener("click", function () {
    if (!window.confirm(T.leaveAsk)) return;
    api("POST", API + "/conversations/" + state.open + "/leave").then(function () {
      state.open = null;
      $("m-main").hidden = true;
      return loadConversations();
    });
  });
  api("GET", "/api/v1/orgchart").then(function (chart) {
    chart.departments.forEach(function (d) {
      var option = el("option", "", d.name);
      option.value = d.id;
      $("m-department").appendChild(option);
    });
  }).catch(function () {});

  // -- start ----------------------------------------------------------------------------------------------------
  var opened = Number(location.hash.slice(1)) || null;
  var start = function () {
    loadConversations().then(function () { if (opened) openConversation(opened); });
    if (window.io) connect(); else poll();
  };
  var client = root.dataset.socketio;
  if (client && !window.io) {  // every page's head loads it already (the panel's assets)
    var script = document.createElement("script");
    script.src = client;
    script.onload = start;
    script.onerror = start;
    document.head.appendChild(script);
  } else {
    start();
  }
})();
