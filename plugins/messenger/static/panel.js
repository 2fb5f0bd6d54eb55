/* The messenger's compact panel on every page of a signed-in person (hook madang_page_assets): a badge with the
   total unread, a slide-out list of recent conversations with a quick reply, and browser notifications (when the
   person allowed them) for new messages and mentions. Real time through Socket.IO when its client is there, else
   it polls. The full page, /messenger, does all of this itself: there the panel stays out of the way. */
(function () {
  "use strict";
  if (document.getElementById("messenger") || document.getElementById("mp-button")) return;
  var API = "/api/v1/messenger";
  var EN = (document.documentElement.lang || "ko").indexOf("en") === 0;
  var T = EN ? {title: "Messenger", open: "Open the messenger", close: "Close", none: "No conversations yet.",
                back: "Conversations", reply: "Quick reply (Enter)", send: "Send", notify: "Turn on notifications",
                mention: "mentioned you", from: "New message from", file: "File", deleted: "(deleted)"}
             : {title: "메신저", open: "메신저 열기", close: "닫기", none: "아직 대화가 없습니다.",
                back: "대화 목록", reply: "빠른 답장 (Enter)", send: "보내기", notify: "알림 켜기",
                mention: "님이 나를 언급했습니다", from: "새 메시지:", file: "파일", deleted: "(삭제된 메시지)"};
  var state = {me: null, csrf: "", total: 0, open: null, conversations: {}, socket: null, shown: {}};

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function api(method, path, body) {
    var options = {method: method, credentials: "same-origin", headers: {"X-CSRFToken": state.csrf}};
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

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // -- the button, its badge and the panel ----------------------------------------------------------------------
  var button = el("button", "mp-button");
  button.type = "button";
  button.id = "mp-button";
  button.setAttribute("aria-label", T.title);
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "mp-panel");
  button.appendChild(el("span", "mp-icon", "💬"));
  var badge = el("span", "mp-badge");
  badge.id = "mp-badge";
  badge.hidden = true;
  button.appendChild(badge);

  var panel = el("aside", "mp-panel");
  panel.id = "mp-panel";
  panel.hidden = true;
  panel.setAttribute("aria-label", T.title);
  var head = el("div", "mp-head");
  head.appendChild(el("strong", "", T.title));
  var full = el("a", "mp-full", T.open);
  full.href = "/messenger";
  head.appendChild(full);
  var closer = el("button", "mp-close", "×");
  closer.type = "button";
  closer.setAttribute("aria-label", T.close);
  head.appendChild(closer);
  panel.appendChild(head);
  var notifyButton = el("button", "mp-notify", "🔔 " + T.notify);
  notifyButton.type = "button";
  notifyButton.hidden = !("Notification" in window) || Notification.permission !== "default";
  panel.appendChild(notifyButton);
  var list = el("ul", "mp-list");
  list.id = "mp-list";
  panel.appendChild(list);
  var chat = el("section", "mp-chat");
  chat.id = "mp-chat";
  chat.hidden = true;
  var back = el("button", "mp-back", "← " + T.back);
  back.type = "button";
  chat.appendChild(back);
  var chatTitle = el("a", "mp-chat-title");
  chat.appendChild(chatTitle);
  var messages = el("ol", "mp-messages");
  messages.id = "mp-messages";
  messages.setAttribute("aria-live", "polite");
  chat.appendChild(messages);
  var form = el("form", "mp-reply");
  var input = el("input");
  input.id = "mp-text";
  input.maxLength = 10000;
  input.placeholder = T.reply;
  input.setAttribute("aria-label", T.reply);
  form.appendChild(input);
  var sendButton = el("button", "", T.send);
  sendButton.type = "submit";
  form.appendChild(sendButton);
  chat.appendChild(form);
  panel.appendChild(chat);

  function setBadge(total) {
    state.total = Math.max(0, total || 0);
    badge.textContent = state.total > 99 ? "99+" : String(state.total);
    badge.hidden = state.total <= 0;
    button.title = T.title + (state.total ? " (" + state.total + ")" : "");
  }

  function refreshUnread() {
    return api("GET", API + "/unread").then(function (data) { setBadge(data.total); }).catch(function () {});
  }

  var refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshUnread, 200);
  }

  // -- conversations and the quick reply ------------------------------------------------------------------------
  function nameOf(conversation, username) {
    var conv = state.conversations[conversation];
    var found = conv && conv.members.filter(function (m) { return m.username === username; })[0];
    return found ? found.name : username;
  }

  function preview(message) {
    if (message.deleted) return "…";
    if (message.file) return "📎 " + message.file.name + (message.text ? " " + message.text : "");
    return message.text;
  }

  function loadConversations() {
    return api("GET", API + "/conversations").then(function (data) {
      list.textContent = "";
      state.conversations = {};
      setBadge(data.unread_total);
      if (!data.items.length) list.appendChild(el("li", "mp-empty", T.none));
      data.items.slice(0, 8).forEach(function (conv) {
        state.conversations[conv.id] = conv;
        var item = el("li");
        var link = el("a", "mp-conv", conv.title);
        link.href = "/messenger#" + conv.id;
        link.dataset.id = conv.id;
        link.addEventListener("click", function (e) { e.preventDefault(); openChat(conv.id); });
        if (conv.unread) link.appendChild(el("span", "mp-count", String(conv.unread)));
        item.appendChild(link);
        if (conv.last_message) item.appendChild(el("small", "mp-last", preview(conv.last_message).slice(0, 60)));
        list.appendChild(item);
      });
    }).catch(function () {});
  }

  function showMessage(message) {
    if (message.conversation !== state.open || state.shown[message.id]) return;
    var item = el("li", "mp-message" + (message.sender === state.me ? " mine" : ""));
    state.shown[message.id] = item;
    item.dataset.id = message.id;
    item.appendChild(el("b", "", nameOf(message.conversation, message.sender) + " "));
    item.appendChild(el("span", "", preview(message)));
    messages.appendChild(item);
    while (messages.children.length > 30) messages.removeChild(messages.firstChild);
    messages.scrollTop = messages.scrollHeight;
  }

  function showUpdate(message) {
    /* An edit or deletion of a message on screen: its text (emptied and marked when deleted) in place. */
    var item = message.conversation === state.open && state.shown[message.id];
    if (!item || Number(item.dataset.change || 0) > (message.change || 0)) return;
    item.dataset.change = message.change || 0;
    item.lastChild.textContent = message.deleted ? T.deleted : preview(message);
    item.classList.toggle("deleted", !!message.deleted);
  }

  function markRead() {
    if (!state.open) return;
    var body = {conversation: state.open};
    var done = refreshSoon;
    if (state.socket && state.socket.connected) state.socket.emit("read", body, done);
    else api("POST", API + "/conversations/" + state.open + "/read", {}).then(done).catch(function () {});
  }

  function openChat(id) {
    state.open = id;
    state.shown = {};
    messages.textContent = "";
    list.hidden = true;
    chat.hidden = false;
    var conv = state.conversations[id];
    chatTitle.textContent = conv ? conv.title : "";
    chatTitle.href = "/messenger#" + id;
    return loadChat(id).then(function () { input.focus(); });
  }

  function loadChat(id) {
    /* The conversation's newest messages, drawn afresh: on opening, and after a reconnect (whatever was sent,
       edited or deleted meanwhile shows; the full page keeps the whole history). */
    return api("GET", API + "/conversations/" + id + "/messages?before=latest&limit=8").then(function (page) {
      if (id !== state.open) return;
      state.shown = {};
      messages.textContent = "";
      page.items.forEach(showMessage);
      markRead();
    }).catch(function () {});
  }

  function reply(text) {
    var body = {conversation: state.open, client_id: newClientId(), text: text};
    var tries = 0;
    var acknowledged = function (message) {
      if (message && message.id) showMessage(message);
      else if (message && message.error) { input.value = text; input.title = message.message; }
    };
    var attempt = function () {  // the same client_id each time: stored once
      tries += 1;
      if (state.socket && state.socket.connected) {
        state.socket.timeout(10000).emit("send", body, function (err, message) {
          if (err && tries < 5) setTimeout(attempt, 1000); else acknowledged(message);
        });
      } else {
        api("POST", API + "/conversations/" + body.conversation + "/messages", body).then(acknowledged)
          .catch(function () { if (tries < 5) setTimeout(attempt, 2000); else input.value = text; });
      }
    };
    attempt();
  }

  // -- notifications --------------------------------------------------------------------------------------------
  function notify(message) {
    if (!("Notification" in window) || Notification.permission !== "granted" || message.sender === state.me) return;
    if (!document.hidden && !panel.hidden && state.open === message.conversation) return;  // it is on screen
    var who = nameOf(message.conversation, message.sender);
    var mentions = message.mentions || [];
    var mentioned = mentions.indexOf(state.me) >= 0 || mentions.indexOf("all") >= 0 || mentions.indexOf("모두") >= 0;
    var title = mentioned ? (EN ? who + " " + T.mention : who + T.mention) : T.from + " " + who;
    try {
      var note = new Notification(title, {body: preview(message).slice(0, 140), tag: "madang-messenger-" +
                                          message.conversation});
      note.onclick = function () { window.focus(); location.href = "/messenger#" + message.conversation; };
    } catch (e) { /* some browsers allow notifications from a service worker only */ }
  }

  function known(conversation) {
    /* The conversation (its members' names for the notification), fetched once. */
    if (state.conversations[conversation]) return Promise.resolve();
    return api("GET", API + "/conversations/" + conversation)
      .then(function (conv) { state.conversations[conv.id] = conv; }).catch(function () {});
  }

  function onMessage(message) {
    if (message.conversation === state.open && !panel.hidden) {
      showMessage(message);
      if (!document.hidden) markRead();
    }
    if (message.sender !== state.me) {
      known(message.conversation).then(function () { notify(message); });
      refreshSoon();
    }
    if (!panel.hidden && list.hidden === false) loadConversations();
  }

  // -- events ---------------------------------------------------------------------------------------------------
  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      list.hidden = false;
      chat.hidden = true;
      state.open = null;
      loadConversations();
    }
  }
  button.addEventListener("click", function () { toggle(panel.hidden); });
  closer.addEventListener("click", function () { toggle(false); button.focus(); });
  back.addEventListener("click", function () { toggle(true); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) toggle(false); });
  notifyButton.addEventListener("click", function () {
    Notification.requestPermission().then(function () {
      notifyButton.hidden = Notification.permission !== "default";
    });
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim() || !state.open) return;
    input.value = "";
    reply(text);
  });

  function connect() {
    var socket = window.io("/messenger", {transports: ["websocket", "polling"]});
    state.socket = socket;
    var connectedBefore = false;
    socket.on("connect", function () {
      refreshUnread();
      if (connectedBefore && state.open && !panel.hidden) loadChat(state.open);
      connectedBefore = true;
    });
    socket.on("message", onMessage);
    socket.on("message_updated", showUpdate);
    socket.on("unread", function (data) { setBadge(data.total); });
    socket.on("conversation", function () { if (!panel.hidden && !list.hidden) loadConversations(); });
    document.addEventListener("visibilitychange", function () {
      socket.emit("presence", {status: document.hidden ? "away" : "online"}, function () {});
    });
  }

  function poll() {
    /* Without the Socket.IO client: the badge (and an open conversation) every few seconds. */
    var before = state.total;
    refreshUnread().then(function () {
      if (state.total > before && state.open && !panel.hidden) openChat(state.open);
    }).then(function () { setTimeout(poll, 5000); });
  }

  api("GET", API + "/panel").then(function (data) {
    state.me = data.me;
    state.csrf = data.csrf;
    document.body.appendChild(button);
    document.body.appendChild(panel);
    setBadge(data.unread.total);
    if (window.io) connect(); else setTimeout(poll, 5000);
  }).catch(function () { /* signed out meanwhile, or the messenger is off: no panel */ });
})();
