// Status board: apply the small JSON delta of /api/v1/board/changes in place (no reload,
// the scroll position stays). Without JavaScript the board is plain links and pages.
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.fetch) { return; }
  var cursor = root.getAttribute("data-cursor");
  var zone = root.getAttribute("data-zone");
  var q = root.getAttribute("data-q");
  var filter = root.getAttribute("data-status");
  var wanted = filter === "problems" ? ["down", "degraded"] : (filter ? [filter] : null);
  var every = Math.max(2, parseInt(root.getAttribute("data-refresh"), 10) || 30) * 1000;
  var statuses = ["down", "degraded", "unknown", "maintenance", "up"];

  function text(el, value) { if (el) { el.textContent = value; } }

  function stale() {
    var note = document.getElementById("board-stale");
    if (note) { note.hidden = false; }
  }

  function updateCounts(zoneCounts, children) {
    text(root.querySelector(".count[data-status=total] b"), zoneCounts.total);
    text(root.querySelector(".count[data-status=problems] b"), zoneCounts.problems);
    statuses.forEach(function (s) {
      text(root.querySelector(".count[data-status=" + s + "] b"), zoneCounts.counts[s]);
    });
    children.forEach(function (z) {
      var li = root.querySelector("li[data-zone='" + CSS.escape(z.code) + "']");
      if (!li) { return; }
      text(li.querySelector(".muted"), z.total);
      ["down", "degraded"].forEach(function (s) {
        var pill = li.querySelector(".pill[data-status=" + s + "]");
        var n = z.counts[s];
        if (pill && n) {
          pill.textContent = n + " " + pill.textContent.replace(/^\d+\s*/, "");
        } else if (pill && !n) {
          pill.remove();
        } else if (n) {
          stale();  // a new kind of problem in this zone: the label comes with a reload
        }
      });
    });
  }

  function updateCamera(item) {
    var card = root.querySelector("li.cam[data-camera='" + item.id + "']");
    if (!card) {
      if (!wanted || wanted.indexOf(item.status) >= 0) { stale(); }
      return;
    }
    if (card.getAttribute("data-status") !== item.status) { stale(); }  // its place moved
    card.setAttribute("data-status", item.status);
    var pill = card.querySelector(".pill");
    if (pill) { pill.className = "pill " + item.status; pill.textContent = item.status_text; }
    var cause = card.querySelector(".cam-cause");
    if (cause) {
      cause.textContent = item.cause_text || item.maintenance_reason || "";
      if (item.hint_text) {
        var hint = document.createElement("div");
        hint.className = "muted";
        hint.textContent = item.hint_text;
        cause.appendChild(hint);
      }
    }
    text(card.querySelector(".cam-since"), item.since_text);
    if (wanted && wanted.indexOf(item.status) < 0) { card.classList.add("left-filter"); }
    else { card.classList.remove("left-filter"); }
  }

  function poll() {
    var params = new URLSearchParams({ since: cursor });
    if (zone) { params.set("zone", zone); }
    if (q) { params.set("q", q); }
    fetch("/api/v1/board/changes?" + params.toString(),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        if (data.reload) { stale(); }
        data.items.forEach(updateCamera);
        updateCounts(data.zone, data.children);
        cursor = String(data.cursor);
        root.setAttribute("data-cursor", cursor);
        text(document.getElementById("board-updated"), new Date().toLocaleTimeString());
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
}());
