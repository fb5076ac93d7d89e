// Portier contact form: solves the ALTCHA proof-of-work challenge (PBKDF2/SHA-256, as created by
// altcha-lib v2) with the browser's WebCrypto while the visitor writes, and puts the solution in
// the hidden `altcha` field. Without this script the form still works (see form-security.ts).
(function () {
  'use strict';
  var form = document.querySelector('form[data-challenge-url]');
  if (!form) return;
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
  var field = form.querySelector('input[name="altcha"]');
  var status = form.querySelector('.status');
  var button = form.querySelector('button[type="submit"]');
  if (!field || !window.fetch || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;

  var solved = null; // { value, expiresAt }
  var pending = null;
  var sending = false;

  function hexToBytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }
  function bytesToHex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }
  function startsWith(bytes, prefix) {
    for (var i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
    return true;
  }

  function derive(p, nonce, salt, counter) {
    var password = new Uint8Array(nonce.length + 4);
    password.set(nonce, 0);
    new DataView(password.buffer).setUint32(nonce.length, counter, false);
    return crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']).then(function (key) {
      return crypto.subtle.deriveBits({ name: 'PBKDF2', salt: salt, iterations: p.cost, hash: 'SHA-256' }, key, p.keyLength * 8);
    }).then(function (bits) { return new Uint8Array(bits); });
  }

  function solve(challenge) {
    var p = challenge.parameters;
    if (p.algorithm !== 'PBKDF2/SHA-256' || p.keyPrefix.length % 2) return Promise.resolve(null);
    var nonce = hexToBytes(p.nonce), salt = hexToBytes(p.salt), prefix = hexToBytes(p.keyPrefix);
    var batch = 8;
    function from(start) {
      if (start > 0xffffffff) return null;
      var tries = [];
      for (var c = start; c < start + batch; c++) tries.push(derive(p, nonce, salt, c));
      return Promise.all(tries).then(function (keys) {
        for (var i = 0; i < keys.length; i++) {
          if (startsWith(keys[i], prefix)) return { counter: start + i, derivedKey: bytesToHex(keys[i]) };
        }
        return from(start + batch);
      });
    }
    return from(0);
  }

  function fetchAndSolve() {
    pending = fetch(form.getAttribute('data-challenge-url'), { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) { if (!res.ok) throw new Error('challenge ' + res.status); return res.json(); })
      .then(function (challenge) {
        return solve(challenge).then(function (solution) {
          if (!solution) return;
          solved = {
            value: btoa(JSON.stringify({ challenge: challenge, solution: solution })),
            expiresAt: (challenge.parameters.expiresAt || 0) * 1000,
          };
          field.value = solved.value;
        });
      })
      .catch(function () { /* the form is sent without a solution; the server decides */ })
      .then(function () { pending = null; });
    return pending;
  }

  function fresh() {
    return solved && (!solved.expiresAt || solved.expiresAt - Date.now() > 60000);
  }

  fetchAndSolve();

  form.addEventListener('submit', function (event) {
    if (sending) { event.preventDefault(); return; }
    if (fresh()) { sending = true; button.setAttribute('aria-disabled', 'true'); return; }
    event.preventDefault();
    sending = true;
    button.setAttribute('aria-disabled', 'true');
    if (status) status.textContent = status.getAttribute('data-working');
    field.value = '';
    solved = null;
    // A slow device or a failed check must not keep the message from leaving: after 20 s the form
    // goes without a solution, and the server applies its rules for that case.
    var waited = (pending || fetchAndSolve()).then(function () {
      if (!fresh()) return fetchAndSolve();
    });
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 20000); });
    Promise.race([waited, timeout]).then(function () { form.submit(); });
  });

  // Coming back with the browser's back button: the page may be restored as it was left.
  window.addEventListener('pageshow', function () {
    sending = false;
    button.removeAttribute('aria-disabled');
    if (status) status.textContent = '';
  });
})();
