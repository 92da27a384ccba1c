/* Pick a point for an incident; list the cameras that could have seen it. Same-origin only. */
(function () {
  "use strict";
  var VI = { up: "hoạt động", partly_down: "mất tín hiệu một phần", down: "mất tín hiệu",
    partly_no_data: "có lúc không có dữ liệu", poor_picture: "hình ảnh kém một phần", no_data: "không có dữ liệu", available: "còn lưu",
    at_risk: "sắp bị ghi đè", partly_overwritten: "đã ghi đè một phần", overwritten: "đã bị ghi đè",
    not_recorded: "không ghi hình", none: "Không có camera nào có thể đã thấy." };
  document.querySelectorAll(".pick-map").forEach(function (div) {
    var form = div.closest("form");
    var latIn = form ? form.querySelector("input[name=lat]") : null;
    var lonIn = form ? form.querySelector("input[name=lon]") : null;
    var map = L.map(div, { keyboard: true });
    map.attributionControl.setPrefix(false);
    L.control.scale({ imperial: false }).addTo(map);
    var marker = null;
    function place(lat, lon) {
      if (marker) marker.setLatLng([lat, lon]); else marker = L.circleMarker([lat, lon], { radius: 7, color: "#5e35b1", weight: 3 }).addTo(map);
    }
    var lat0 = latIn && parseFloat(latIn.value), lon0 = lonIn && parseFloat(lonIn.value);
    map.on("click", function (e) {
      if (!latIn) return;
      latIn.value = e.latlng.lat.toFixed(6); lonIn.value = e.latlng.lng.toFixed(6);
      place(e.latlng.lat, e.latlng.lng);
    });
    fetch("/api/v1/coverage/cameras?bbox=-180,-90,180,90&limit=20000", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) {
        body.items.forEach(function (c) {
          L.circleMarker([c.lat, c.lon], { radius: 4, weight: 1, color: "#17324d", interactive: false }).addTo(map);
        });
        if (!isNaN(lat0) && !isNaN(lon0) && lat0 !== null) { map.setView([lat0, lon0], 17); place(lat0, lon0); }
        else if (body.items.length) map.fitBounds(L.latLngBounds(body.items.map(function (c) { return [c.lat, c.lon]; })).pad(0.1));
        else map.setView([16.05, 108.2], 6);
        div.setAttribute("data-ready", "1");
      });
    if (!div.dataset.near) return;
    var near = JSON.parse(div.dataset.near);
    var box = document.querySelector(".near-list");
    var vi = box.dataset.lang === "vi";
    var q = new URLSearchParams({ lat: near.lat, lon: near.lon, from: near.from, to: near.to });
    fetch("/api/v1/coverage/who-saw?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        box.textContent = "";
        if (!answer.cameras || !answer.cameras.length) { box.textContent = vi ? VI.none : "No camera could have seen it."; return; }
        var ul = document.createElement("ul");
        answer.cameras.forEach(function (c) {
          var li = document.createElement("li");
          li.setAttribute("data-camera", String(c.camera_id));
          li.textContent = c.point + " / " + c.camera + " — " + Math.round(c.distance_m) + " m · " +
            (vi ? VI[c.status.state] : c.status.state) +
            (c.status.minutes_down ? " (" + c.status.minutes_down + (vi ? " phút mất tín hiệu)" : " min down)") : "") +
            " · " + (vi ? VI[c.footage.state] : c.footage.state);
          ul.appendChild(li);
        });
        box.appendChild(ul);
        box.classList.remove("muted");
      });
  });
})();
