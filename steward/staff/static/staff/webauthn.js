// Security keys and passkeys (WebAuthn) for Steward's sign-in pages, without dependencies.
// An element with data-webauthn="register" or "authenticate" holds the two URLs: one gives
// the options (with the server's challenge), the other takes the browser's answer.
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? "{}" : JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "The server refused the request.");
        return data;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type, id: toBytes(c.id), transports: c.transports };
    });
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle);
    }
    return json;
  }

  function register(box) {
    return post(box.dataset.optionsUrl).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var name = box.querySelector("[data-webauthn-name]");
      return post(box.dataset.submitUrl, {
        name: name ? name.value : "",
        credential: credentialJSON(credential),
      });
    }).then(function (result) {
      var codes = document.getElementById("recovery-codes-form");
      if (result.recovery_codes && codes) codes.submit();
      else window.location.assign(result.next);
    });
  }

  function authenticate(box) {
    return post(box.dataset.optionsUrl).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = descriptors(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      return post(box.dataset.submitUrl, credentialJSON(credential));
    }).then(function (result) {
      window.location.assign(result.next);
    });
  }

  function start(box, button) {
    var error = box.querySelector("[data-webauthn-error]");
    if (!window.PublicKeyCredential) {
      error.textContent = "This browser does not support security keys.";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    button.disabled = true;
    var ceremony = box.dataset.webauthn === "register" ? register : authenticate;
    ceremony(box).catch(function (reason) {
      error.textContent = reason && reason.message ? reason.message : String(reason);
      error.hidden = false;
      button.disabled = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-webauthn]").forEach(function (box) {
      var button = box.querySelector("[data-webauthn-start]");
      if (button) button.addEventListener("click", function () { start(box, button); });
    });
  });
})();
