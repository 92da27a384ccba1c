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
  if (button) button.disabled = true;
  window.camnetSha256 = sha256hex;  // for tests
  var enc = new TextEncoder();
  /* SHA-256 of an ASCII string, for plain-HTTP pages where crypto.subtle is missing
     (FIPS 180-4; constants from the fractional parts of the primes' roots). */
  var K = [], H0 = [];
  (function () {
    var found = 0, p = 2;
    while (found < 64) {
      var prime = true;
      for (var d = 2; d * d <= p; d++) if (p % d === 0) { prime = false; break; }
      if (prime) {
        if (found < 8) H0[found] = frac32(Math.sqrt(p));
        K[found] = frac32(Math.cbrt(p));
        found++;
      }
      p++;
    }
    function frac32(x) { return ((x - Math.floor(x)) * 4294967296) >>> 0; }
  })();
  function rotr(x, r) { return (x >>> r) | (x << (32 - r)); }
  function sha256hex(text) {
    var bytes = [];
    for (var i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i) & 255);
    var bitLen = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (var s = 56; s >= 0; s -= 8) bytes.push(s >= 32 ? Math.floor(bitLen / 4294967296) >>> (s - 32) & 255 : (bitLen >>> s) & 255);
    var h = H0.slice(), w = new Array(64);
    for (var off = 0; off < bytes.length; off += 64) {
      for (var t = 0; t < 16; t++) {
        w[t] = (bytes[off + 4 * t] << 24) | (bytes[off + 4 * t + 1] << 16) | (bytes[off + 4 * t + 2] << 8) | bytes[off + 4 * t + 3];
      }
      for (t = 16; t < 64; t++) {
        var s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        var s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c2 = h[2], d2 = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (t = 0; t < 64; t++) {
        var t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c2) ^ (b & c2))) | 0;
        hh = g; g = f; f = e; e = (d2 + t1) | 0; d2 = c2; c2 = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c2) | 0; h[3] = (h[3] + d2) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    return h.map(function (x) { return ("0000000" + (x >>> 0).toString(16)).slice(-8); }).join("");
  }
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
  var subtle = window.crypto && window.crypto.subtle;  // only in secure contexts (HTTPS)
  function batch() {
    var jobs = [];
    for (var i = 0; i < 500 && n + i <= c.maxnumber; i++) {
      jobs.push(subtle ? subtle.digest("SHA-256", enc.encode(c.salt + (n + i)))
                       : Promise.resolve(sha256hex(c.salt + (n + i))));
    }
    Promise.all(jobs).then(function (digests) {
      for (var j = 0; j < digests.length; j++) {
        var d = typeof digests[j] === "string" ? digests[j] : hex(digests[j]);
        if (d === c.challenge) { done(n + j); return; }
      }
      n += digests.length;
      if (n > c.maxnumber) { if (state) state.textContent = "✗"; return; }
      setTimeout(batch, 0);
    });
  }
  batch();
})();
