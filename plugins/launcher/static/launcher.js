// The launcher page: filter the tiles as one types (the form's ?q= does the same without script).
(function () {
  "use strict";
  var input = document.getElementById("launcher-q");
  if (!input) { return; }
  var all = document.querySelector(".launcher-all");
  var hint = document.querySelector(".launcher-nomatch");
  input.addEventListener("input", function () {
    var words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    all.querySelectorAll(".launcher-tile").forEach(function (tile) {
      var text = tile.getAttribute("data-search") || "";
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; });
      tile.hidden = !ok;
      if (ok) { shown += 1; }
    });
    all.querySelectorAll(".launcher-grid").forEach(function (grid) {
      var visible = grid.querySelector(".launcher-tile:not([hidden])");
      grid.hidden = !visible;
      if (grid.previousElementSibling) { grid.previousElementSibling.hidden = !visible; }
    });
    if (hint) { hint.hidden = shown !== 0; }
  });
}());
