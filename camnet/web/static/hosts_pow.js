/* Solve the registration form's proof-of-work challenge (ALTCHA v1 format) in the browser:
   find n with SHA-256(salt + n) == challenge, then put the base64 JSON payload in the form.
   Same-origin, no third party; the server (camnet.hosts.abuse) checks it once. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-pow]");
  if (!input) return;
  var form = input.form;
  var state = form.querySelector(".pow-state");
  var button = form.querySelector("button[type=submit]");
  var c = JSON.parse(input.getAttribute("data-pow"));
  if (!(window.crypto && window.crypto.subtle)) {
    if (state) state.textContent = state.getAttribute("data-nosubtle") || "⚠ HTTPS required";
    return;
  }
  if (button) button.disabled = true;
  var enc = new TextEncoder();
  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function done(n) {
    input.value = btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge,
      number: n, salt: c.salt, signature: c.signature }));
    if (button) button.disabled = false;
    if (state) state.textContent = "✓";
    form.setAttribute("data-pow-ready", "1");
  }
  var n = 0;
  function batch() {
    var jobs = [];
    for (var i = 0; i < 500 && n + i <= c.maxnumber; i++) {
      jobs.push(crypto.subtle.digest("SHA-256", enc.encode(c.salt + (n + i))));
    }
    Promise.all(jobs).then(function (digests) {
      for (var j = 0; j < digests.length; j++) {
        if (hex(digests[j]) === c.challenge) { done(n + j); return; }
      }
      n += digests.length;
      if (n > c.maxnumber) { if (state) state.textContent = "✗"; return; }
      setTimeout(batch, 0);
    });
  }
  batch();
})();
