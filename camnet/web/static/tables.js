// Label every data cell with its column's heading, so that on a phone (camnet.css) each
// table row reads as a card: "Trạng thái  Đã gửi". Cells the template labelled keep theirs.
(function () {
  "use strict";
  function headings(table) {
    var row = table.querySelector("thead tr");
    if (!row) {
      var first = table.querySelector("tr");
      if (first && first.querySelector("th") && !first.querySelector("td")) row = first;
    }
    if (!row) return null;
    var labels = [];
    Array.prototype.forEach.call(row.children, function (cell) {
      var text = cell.textContent.trim();
      for (var i = 0; i < (cell.colSpan || 1); i++) labels.push(text);
    });
    return labels;
  }
  // A labelled cell is a two-column grid on phones (label | value): its content must be
  // one grid item, however many text runs and elements the template put in it.
  function wrap(cell) {
    if (cell.childNodes.length === 1 && cell.firstChild.nodeType === 1) return;
    if (cell.querySelector(":scope > .cell")) return;
    var box = document.createElement("div");
    box.className = "cell";
    while (cell.firstChild) box.appendChild(cell.firstChild);
    cell.appendChild(box);
  }
  function label(table) {
    var labels = headings(table);
    if (!labels) return;
    Array.prototype.forEach.call(table.querySelectorAll("tr"), function (tr) {
      var column = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        if (cell.tagName === "TD" && !cell.textContent.trim() && !cell.querySelector("*")) {
          cell.classList.add("blank");  // nothing to show: no "Ghi chú" with nothing after it
          column += cell.colSpan || 1;
          return;
        }
        if (cell.tagName === "TD" && (cell.colSpan || 1) === 1 && !cell.hasAttribute("data-label") &&
            labels[column]) {
          cell.setAttribute("data-label", labels[column]);
        }
        if (cell.tagName === "TD" && cell.hasAttribute("data-label")) wrap(cell);
        column += cell.colSpan || 1;
      });
    });
  }
  function all() {
    Array.prototype.forEach.call(document.querySelectorAll("main table:not(.grid)"), label);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
  window.camnetLabelTables = all;  // for pages that add rows later
})();
