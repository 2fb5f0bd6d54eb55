// The compact header menu: a "Systems" button beside the user menu; its panel lists the person's favourites first,
// then the other systems they may use (from /api/v1/launcher/systems, fetched when first opened).
(function () {
  "use strict";
  var tools = document.querySelector(".site-tools");
  if (!tools || document.querySelector(".launcher-menu")) { return; }
  var ko = (document.documentElement.lang || "ko").indexOf("en") !== 0;
  var words = ko ? { menu: "시스템", all: "모든 시스템 보기", none: "사용할 수 있는 시스템이 없습니다." }
                 : { menu: "Systems", all: "All systems", none: "There are no systems you may use." };
  var box = document.createElement("div");
  box.className = "launcher-menu";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button button-quiet";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "launcher-menu-panel");
  button.textContent = words.menu + " ▾";
  var panel = document.createElement("div");
  panel.id = "launcher-menu-panel";
  panel.className = "launcher-menu-panel";
  panel.hidden = true;
  box.appendChild(button);
  box.appendChild(panel);
  tools.insertBefore(box, tools.firstChild);
  var loaded = false;

  function link(item) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = item.open_url;
    a.textContent = (item.icon && item.icon.charAt(0) !== "/" && item.icon.indexOf("data:") !== 0 ? item.icon + " " : "")
      + (item.favourite ? "★ " : "") + item.name;
    li.appendChild(a);
    return li;
  }

  function fill(items) {
    var list = document.createElement("ul");
    items.sort(function (a, b) {
      if (a.favourite !== b.favourite) { return a.favourite ? -1 : 1; }
      return (a.position || 0) - (b.position || 0);
    });
    items.slice(0, 15).forEach(function (item) { list.appendChild(link(item)); });
    if (!items.length) {
      var empty = document.createElement("p");
      empty.textContent = words.none;
      panel.appendChild(empty);
    }
    panel.appendChild(list);
    var all = document.createElement("a");
    all.href = "/launcher";
    all.textContent = words.all;
    panel.appendChild(all);
  }

  button.addEventListener("click", function () {
    var open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && !loaded) {
      loaded = true;
      fetch("/api/v1/launcher/systems", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { fill(data.items || []); })
        .catch(function () { fill([]); });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { panel.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); }
  });
}());
