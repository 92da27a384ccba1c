/* camnet coverage map: same-origin only (vendored Leaflet, the coverage API, optional PMTiles). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var T = data.text;
  var csrf = document.querySelector("meta[name=csrf]").content;
  var COLORS = { up: "#1b873f", down: "#b3261e", degraded: "#d08700", maintenance: "#3a6fb0", unknown: "#8a8f98" };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText); return body; });
    });
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localInput(d) {  // a Date -> value for <input type=datetime-local> in the browser's zone
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function withOffset(value) {  // "2026-11-20T07:30" -> ISO with the browser's offset
    var d = new Date(value);
    return isNaN(d) ? value : d.toISOString();
  }
  function fmt(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString(data.lang === "vi" ? "vi-VN" : "en-GB",
      { timeZone: "Asia/Ho_Chi_Minh", dateStyle: "short", timeStyle: "short" });
  }

  // ---- map, with or without a basemap -------------------------------------------------
  var map = L.map("map", { keyboard: true, zoomControl: true, maxZoom: 20 });
  map.attributionControl.setPrefix(false);
  if (data.basemap && window.protomapsL) {
    protomapsL.leafletLayer({ url: data.basemap, flavor: "light", lang: data.lang, attribution: data.attribution }).addTo(map);
  } else {
    var Note = L.Control.extend({ onAdd: function () { return el("div", { className: "map-note", text: T.no_basemap }); } });
    new Note({ position: "bottomleft" }).addTo(map);
  }
  L.control.scale({ imperial: false, metric: true }).addTo(map);
  var Coords = L.Control.extend({ onAdd: function () { return el("div", { className: "map-coords", id: "map-coords", text: "—" }); } });
  new Coords({ position: "bottomright" }).addTo(map);
  map.on("mousemove", function (e) {
    document.getElementById("map-coords").textContent = e.latlng.lat.toFixed(6) + ", " + e.latlng.lng.toFixed(6);
  });

  // ---- layers -------------------------------------------------------------------------
  var zonesLayer = L.geoJSON(null, { style: { color: "#17324d", weight: 2, dashArray: "6 4", fill: false }, interactive: false });
  var gridLayer = L.layerGroup();
  var conesLayer = L.layerGroup();
  var gapsLayer = L.geoJSON(null, { style: { color: "#b3261e", weight: 1, fillColor: "#b3261e", fillOpacity: 0.25 } });
  var incidentsLayer = L.layerGroup();
  var cameras = L.markerClusterGroup({ disableClusteringAtZoom: 17, showCoverageOnHover: false });
  var bounds = null;
  data.zones.forEach(function (z) {
    if (z.boundary) {
      var f = { type: "Feature", properties: { code: z.code }, geometry: z.boundary };
      zonesLayer.addData(f);
    }
  });
  if (zonesLayer.getLayers().length) bounds = zonesLayer.getBounds();
  data.incidents.forEach(function (i) {
    if (i.lat === null || i.lon === null) return;
    L.circleMarker([i.lat, i.lon], { radius: 8, color: "#5e35b1", weight: 3, fillOpacity: 0.4 })
      .bindPopup(el("div", {}, [el("b", { text: i.case_no }), el("br"), fmt(i.from) + " – " + fmt(i.to),
        el("br"), el("a", { href: "/incidents/" + i.id, text: T.incidents })]))
      .addTo(incidentsLayer);
  });
  zonesLayer.addTo(map); gridLayer.addTo(map); cameras.addTo(map); conesLayer.addTo(map);
  gapsLayer.addTo(map); incidentsLayer.addTo(map);
  var overlays = {};
  overlays[T.cameras] = cameras; overlays[T.cones] = conesLayer; overlays[T.gaps] = gapsLayer;
  overlays[T.incidents] = incidentsLayer; overlays[T.zones] = zonesLayer; overlays[T.grid] = gridLayer;
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);

  // ---- metric grid (a graticule in metres, no basemap needed) ---------------------------
  function drawGrid() {
    gridLayer.clearLayers();
    var b = map.getBounds(), c = map.getCenter();
    var widthM = map.distance([c.lat, b.getWest()], [c.lat, b.getEast()]);
    var steps = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
    var step = steps[steps.length - 1];
    for (var k = 0; k < steps.length; k++) { if (widthM / steps[k] <= 10) { step = steps[k]; break; } }
    var dLat = step / 111320, dLon = step / (111320 * Math.cos(c.lat * Math.PI / 180));
    var style = { color: "#17324d", weight: 0.5, opacity: 0.35, interactive: false };
    for (var lat = Math.floor(b.getSouth() / dLat) * dLat; lat <= b.getNorth(); lat += dLat) {
      L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style).addTo(gridLayer);
    }
    for (var lon = Math.floor(b.getWest() / dLon) * dLon; lon <= b.getEast(); lon += dLon) {
      L.polyline([[b.getSouth(), lon], [b.getNorth(), lon]], style).addTo(gridLayer);
    }
    var label = "▦ " + (step >= 1000 ? step / 1000 + " km" : step + " m");
    L.marker([b.getNorth(), b.getWest()], { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "grid-label", html: label, iconSize: null }) }).addTo(gridLayer);
  }

  // ---- cameras and cones in view --------------------------------------------------------
  var loading = 0;
  function cameraPopup(cam) {
    var box = el("div", {}, [el("b", { text: cam.point + " / " + cam.camera }), el("br"),
      T.status + ": " + (cam.monitored === false ? T.not_monitored : cam.status + (cam.health ? " (" + cam.health + ")" : "")),
      cam.has_view ? "" : el("div", { className: "v-no_data", text: T.no_view })]);
    var more = el("div", { text: "…" });
    box.appendChild(more);
    box.appendChild(el("a", { href: "/", text: T.open_board }));
    getJSON("/api/v1/cameras/" + cam.camera_id + "/status").then(function (s) {
      more.textContent = (s.current.since ? T.since + " " + fmt(s.current.since) : "") +
        (s.outages.length ? " · " + s.outages.length + " " + T.outages : "");
      getJSON("/api/v1/uptime?period=24h&group=camera&zone=" + encodeURIComponent(cam.zone_code)).then(function (u) {
        var row = (u.items || u.rows || []).filter(function (r) { return String(r.key) === String(cam.camera_id); })[0];
        if (row && row.uptime_pct !== null) more.insertBefore(document.createTextNode(T.uptime + " 24h: " + row.uptime_pct + "% · "), more.firstChild);
      }).catch(function () {});
      if (s.has_snapshot) more.appendChild(el("img", { className: "snap", alt: cam.camera,
        src: "/api/v1/cameras/" + cam.camera_id + "/snapshot" }));
    }).catch(function () { more.textContent = ""; });
    return box;
  }
  function loadCameras() {
    var b = map.getBounds();
    var cones = map.getZoom() >= 16;
    var url = "/api/v1/coverage/cameras?bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(",") +
      (cones ? "&cones=true" : "");
    var mine = ++loading;
    return getJSON(url).then(function (body) {
      if (mine !== loading) return;
      cameras.clearLayers(); conesLayer.clearLayers();
      body.items.forEach(function (cam) {
        var cls = "cam-marker st-" + cam.status + (cam.has_view ? "" : " no-view");
        var m = L.marker([cam.lat, cam.lon], { keyboard: true, title: cam.point + " / " + cam.camera + " — " + cam.status,
          alt: cam.camera, icon: L.divIcon({ className: "", html: '<div class="' + cls + '"></div>', iconSize: [18, 18] }) });
        m.cameraId = cam.camera_id;
        m.bindPopup(function () { return cameraPopup(cam); });
        cameras.addLayer(m);
        if (cam.cone) {
          L.geoJSON(cam.cone, { interactive: false, style: { color: COLORS[cam.status] || COLORS.unknown,
            weight: 1, fillOpacity: 0.18 }, className: "cone" }).addTo(conesLayer);
        }
      });
      document.getElementById("map").setAttribute("data-cameras", String(body.items.length));
      document.getElementById("map").setAttribute("data-cones", String(conesLayer.getLayers().length));
    }).catch(function () {});
  }
  map.on("moveend", function () { drawGrid(); loadCameras(); });
  setInterval(function () { if (!map._popup || !map.hasLayer(map._popup)) loadCameras(); }, 60000);  // live status

  // ---- who-saw --------------------------------------------------------------------------
  var form = document.getElementById("whosaw-form");
  var result = document.getElementById("ws-result");
  var draftForm = document.getElementById("draft-form");
  var pin = null;
  var editing = false;  // the boundary editor takes map clicks while it is open
  var lastQuery = null;
  var now = new Date();
  document.getElementById("ws-from").value = localInput(new Date(now.getTime() - 3600 * 1000));
  document.getElementById("ws-to").value = localInput(now);
  var incidentSelect = document.getElementById("ws-incident");
  if (incidentSelect) {
    incidentSelect.addEventListener("change", function () {
      var inc = data.incidents.filter(function (i) { return String(i.id) === incidentSelect.value; })[0];
      if (!inc) return;
      document.getElementById("ws-from").value = localInput(new Date(inc.from));
      document.getElementById("ws-to").value = localInput(new Date(inc.to));
      if (inc.lat !== null) { map.setView([inc.lat, inc.lon], 17); setPoint(inc.lat, inc.lon, false); }
      var d = document.getElementById("draft-incident");
      if (d) d.value = String(inc.id);
    });
  }
  function setPoint(lat, lon, run) {
    document.getElementById("ws-lat").value = lat.toFixed(6);
    document.getElementById("ws-lon").value = lon.toFixed(6);
    if (pin) pin.setLatLng([lat, lon]); else pin = L.circleMarker([lat, lon], { radius: 6, color: "#000", weight: 2 }).addTo(map);
    if (run) runWhoSaw();
  }
  map.on("click", function (e) { if (!editing) setPoint(e.latlng.lat, e.latlng.lng, true); });
  document.getElementById("ws-centre").addEventListener("click", function () {
    var c = map.getCenter(); setPoint(c.lat, c.lng, true);
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); runWhoSaw(); });

  function runWhoSaw() {
    var q = { lat: document.getElementById("ws-lat").value, lon: document.getElementById("ws-lon").value,
      from: withOffset(document.getElementById("ws-from").value), to: withOffset(document.getElementById("ws-to").value) };
    var tol = document.getElementById("ws-tol").value;
    if (tol !== "") q.tolerance_m = tol;
    result.textContent = "…";
    getJSON("/api/v1/coverage/who-saw?" + new URLSearchParams(q).toString()).then(function (answer) {
      lastQuery = q;
      showAnswer(answer);
    }).catch(function (err) { result.textContent = err.message; if (draftForm) draftForm.hidden = true; });
  }
  function showAnswer(answer) {
    result.textContent = "";
    if (!answer.cameras.length) {
      result.appendChild(el("p", { text: T.none_found }));
      if (draftForm) draftForm.hidden = true;
      return;
    }
    var list = el("ul", { className: "ws-list", id: "ws-list" });
    answer.cameras.forEach(function (c) {
      var st = c.status, ft = c.footage;
      var status = T["st_" + st.state] + (st.minutes_down ? " (" + st.minutes_down + " " + T.minutes_down + ")" : "") +
        (st.minutes_degraded ? " (" + st.minutes_degraded + " " + T.minutes_degraded + ")" : "") +
        (st.minutes_maintenance ? " (" + st.minutes_maintenance + " " + T.minutes_maintenance + ")" : "") +
        (c.monitored === false ? " · " + T.not_monitored : "");
      var footage = T["ft_" + ft.state] + (ft.deadline && ft.state !== "overwritten" ? " " + T.until + " " + fmt(ft.deadline) : "");
      var box = el("input", { type: "checkbox", value: String(c.camera_id), name: "camera" });
      if (ft.state !== "overwritten" && ft.state !== "not_recorded") box.checked = true;
      list.appendChild(el("li", { "data-camera": String(c.camera_id) }, [el("label", {}, [box, el("span", {}, [
        el("b", { text: c.point + " / " + c.camera }), " · " + Math.round(c.distance_m) + " m, " + Math.round(c.bearing_deg) + "° · " + T[c.placement],
        el("br"), T.status + ": ", el("span", { className: "v-" + st.state, text: status }),
        " · " + T.footage + ": ", el("span", { className: "v-" + ft.state, text: footage })])])]));
    });
    result.appendChild(list);
    if (draftForm && data.incidents.length) draftForm.hidden = false;
  }
  if (draftForm) {
    draftForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var ids = Array.prototype.map.call(result.querySelectorAll("input[name=camera]:checked"), function (b) { return Number(b.value); });
      var out = document.getElementById("draft-result");
      var body = { incident_id: Number(document.getElementById("draft-incident").value), lat: Number(lastQuery.lat),
        lon: Number(lastQuery.lon), from: lastQuery.from, to: lastQuery.to, camera_ids: ids,
        reason: document.getElementById("draft-reason").value };
      if (lastQuery.tolerance_m !== undefined) body.tolerance_m = Number(lastQuery.tolerance_m);
      fetch("/api/v1/coverage/draft-request", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (b) { return [r.ok, b]; }); })
        .then(function (res) {
          out.textContent = "";
          if (!res[0]) { out.textContent = res[1].error.message; return; }
          out.appendChild(el("a", { href: res[1].url, id: "draft-link", text: T.drafted + " #" + res[1].request_id }));
        });
    });
  }

  // ---- coverage per zone ----------------------------------------------------------------
  document.getElementById("zone-select").addEventListener("change", function (ev) {
    var code = ev.target.value, box = document.getElementById("zone-report");
    gapsLayer.clearLayers(); box.textContent = "";
    if (!code) return;
    box.textContent = "…";
    Promise.all([getJSON("/api/v1/coverage/zones/" + encodeURIComponent(code)),
                 getJSON("/api/v1/coverage/zones/" + encodeURIComponent(code) + "/geojson")]).then(function (res) {
      var r = res[0];
      res[1].features.forEach(function (f) { if (f.properties.kind === "gap") gapsLayer.addData(f); });
      var lines = [r.cameras_covering + "/" + r.cameras_total + " " + T.cameras];
      if (r.streets && r.streets.pct !== null) lines.push(r.streets.pct + " " + T.street_pct);
      if (r.keypoints_total) lines.push(T.keypoints + ": " + r.keypoints_covered + "/" + r.keypoints_total);
      if (r.area && r.area.pct !== null) lines.push(r.area.pct + " " + T.area_pct);
      if (r.boundary_source === "hull_of_points") lines.push(T.hull);
      box.textContent = "";
      lines.forEach(function (l) { box.appendChild(el("div", { text: l })); });
    }).catch(function (err) { box.textContent = err.message; });
  });

  // ---- zone boundary editor (registry writers): vertices by click, drag or keyboard ------
  var editBox = document.getElementById("edit-box");
  if (editBox) {
    var editZone = document.getElementById("edit-zone");
    var editStatus = document.getElementById("edit-status");
    var editLayer = L.layerGroup().addTo(map);
    var ring = [];       // [lat, lng] of the outer ring being edited (not closed)
    var others = [];     // further polygons of a MultiPolygon, kept as they are
    var holes = [];      // holes of the edited polygon, kept as they are
    var editShape = null;
    var putAside = [];   // layers hidden while editing, so a click always lands on the map
    var buttons = ["edit-add", "edit-clear", "edit-save", "edit-cancel"].map(function (id) { return document.getElementById(id); });
    var startButton = document.getElementById("edit-start");
    function zoneById(id) { return data.zones.filter(function (z) { return String(z.id) === String(id); })[0]; }
    function say(text) { editStatus.textContent = text; }
    function showButtons(on) {
      buttons.forEach(function (b) { b.hidden = !on; });
      startButton.hidden = on; editZone.disabled = on;
    }
    function metres(lat) { return { dLat: 1 / 111320, dLon: 1 / (111320 * Math.cos(lat * Math.PI / 180)) }; }
    function draw(focusIndex) {
      editLayer.clearLayers();
      editShape = L.polygon(ring.length ? ring : [], { color: "#d08700", weight: 3, dashArray: null, fillOpacity: 0.1,
        interactive: false }).addTo(editLayer);
      ring.forEach(function (p, i) {
        var m = L.marker(p, { draggable: true, keyboard: true, title: T.edit_vertex + " " + (i + 1),
          alt: T.edit_vertex + " " + (i + 1),
          icon: L.divIcon({ className: "vertex" + (i === 0 ? " first" : ""), iconSize: [16, 16] }) });
        m.on("drag", function (e) { ring[i] = [e.latlng.lat, e.latlng.lng]; editShape.setLatLngs(ring); });
        m.on("dragend", function () { draw(); });
        m.on("click", function () { /* a click on a vertex must not add one */ });
        m.addTo(editLayer);
        var node = m.getElement();
        if (node) {
          node.setAttribute("data-vertex", String(i));
          node.setAttribute("role", "button");
          node.setAttribute("aria-label", T.edit_vertex + " " + (i + 1) + ": " + p[0].toFixed(6) + ", " + p[1].toFixed(6));
          node.addEventListener("keydown", function (ev) { vertexKey(ev, i); });
        }
      });
      document.getElementById("map").setAttribute("data-vertices", String(ring.length));
      say(ring.length + " " + T.edit_count + (ring.length < 3 ? " · " + T.edit_too_few : ""));
      if (focusIndex !== undefined && focusIndex !== null) {
        var target = editLayer.getLayers().filter(function (l) { return l.getElement && l.getElement() &&
          l.getElement().getAttribute("data-vertex") === String(focusIndex); })[0];
        if (target) target.getElement().focus();
      }
    }
    function vertexKey(ev, i) {
      var step = ev.shiftKey ? 10 : 1, k = metres(ring[i][0]);
      var moves = { ArrowUp: [step * k.dLat, 0], ArrowDown: [-step * k.dLat, 0],
                    ArrowLeft: [0, -step * k.dLon], ArrowRight: [0, step * k.dLon] };
      if (moves[ev.key]) {
        ring[i] = [ring[i][0] + moves[ev.key][0], ring[i][1] + moves[ev.key][1]];
        draw(i);
      } else if (ev.key === "Delete" || ev.key === "Backspace") {
        ring.splice(i, 1);
        draw(Math.min(i, ring.length - 1));
      } else {
        return;
      }
      ev.preventDefault(); ev.stopPropagation();
    }
    function addVertex(lat, lng) {
      // insert where the ring grows least: between the two neighbours closest to the new point
      var best = ring.length, cost = Infinity, p = L.latLng(lat, lng);
      if (ring.length >= 3) {
        for (var i = 0; i < ring.length; i++) {
          var a = L.latLng(ring[i]), b = L.latLng(ring[(i + 1) % ring.length]);
          var c = map.distance(a, p) + map.distance(p, b) - map.distance(a, b);
          if (c < cost) { cost = c; best = i + 1; }
        }
      }
      ring.splice(best, 0, [lat, lng]);
      draw();
    }
    function begin() {
      var z = zoneById(editZone.value);
      if (!z) return;
      ring = []; others = []; holes = [];
      var g = z.boundary && (z.boundary.type === "Feature" ? z.boundary.geometry : z.boundary);
      if (g && g.type === "Polygon") {
        ring = g.coordinates[0].map(function (c) { return [c[1], c[0]]; });
        holes = g.coordinates.slice(1);
      } else if (g && g.type === "MultiPolygon") {
        ring = g.coordinates[0][0].map(function (c) { return [c[1], c[0]]; });
        holes = g.coordinates[0].slice(1);
        others = g.coordinates.slice(1);
      }
      if (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) ring.pop();
      editing = true;
      putAside = [cameras, conesLayer, incidentsLayer, gapsLayer].filter(function (l) { return map.hasLayer(l); });
      putAside.forEach(function (l) { map.removeLayer(l); });
      map.closePopup();
      showButtons(true);
      draw();
      if (others.length) say(editStatus.textContent + " · " + T.edit_multi);
      if (ring.length) map.fitBounds(L.latLngBounds(ring).pad(0.2));
    }
    function end() {
      editing = false; ring = []; editLayer.clearLayers(); showButtons(false);
      putAside.forEach(function (l) { l.addTo(map); });
      putAside = [];
      document.getElementById("map").removeAttribute("data-vertices");
      startButton.focus();
    }
    function save() {
      if (ring.length < 3) { say(T.edit_too_few); return; }
      var outer = ring.map(function (p) { return [p[1], p[0]]; });
      outer.push(outer[0]);
      var polygon = [outer].concat(holes);
      var geometry = others.length ? { type: "MultiPolygon", coordinates: [polygon].concat(others) }
                                   : { type: "Polygon", coordinates: polygon };
      var z = zoneById(editZone.value);
      fetch("/api/v1/zones/" + z.id, { method: "PATCH", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify({ boundary_geojson: JSON.stringify(geometry) }) })
        .then(function (r) { return r.json().then(function (b) { return [r.ok, b]; }); })
        .then(function (res) {
          if (!res[0]) { say(res[1].error ? res[1].error.message : "error"); return; }
          z.boundary = geometry;
          zonesLayer.clearLayers();
          data.zones.forEach(function (zz) {
            if (zz.boundary) zonesLayer.addData({ type: "Feature", properties: { code: zz.code }, geometry: zz.boundary });
          });
          end();
          say(T.edit_saved + ": " + z.name);
        }).catch(function (err) { say(err.message); });
    }
    map.on("click", function (e) { if (editing) addVertex(e.latlng.lat, e.latlng.lng); });
    startButton.addEventListener("click", begin);
    document.getElementById("edit-add").addEventListener("click", function () { var c = map.getCenter(); addVertex(c.lat, c.lng); });
    document.getElementById("edit-clear").addEventListener("click", function () { ring = []; holes = []; draw(); });
    document.getElementById("edit-save").addEventListener("click", save);
    document.getElementById("edit-cancel").addEventListener("click", function () { end(); say(""); });
  }

  // ---- start ----------------------------------------------------------------------------
  if (bounds) map.fitBounds(bounds);
  else map.setView([16.05, 108.2], 6);
  getJSON("/api/v1/coverage/cameras?bbox=-180,-90,180,90&limit=20000").then(function (body) {
    if (!bounds && body.items.length) {
      map.fitBounds(L.latLngBounds(body.items.map(function (c) { return [c.lat, c.lon]; })).pad(0.2));
    } else { drawGrid(); loadCameras(); }
  }).catch(function () { drawGrid(); loadCameras(); });
})();
