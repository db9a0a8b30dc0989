// Passkey ceremonies (WebAuthn). Everything else on these pages works without JavaScript.
// A [data-passkey] element names its two URLs: data-options-url (POST: the server's options, with a fresh
// challenge) and data-verify-url (POST: the browser's answer; the server answers {redirect} or {error}).
(() => {
  const supported = "PublicKeyCredential" in window && navigator.credentials;

  const toBytes = (value) => {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const toText = (buffer) => {
    if (!buffer) return null;
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const post = async (url, token, body) => {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    return response.json();
  };

  const creationOptions = (options) => ({
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  });
  const requestOptions = (options) => ({
    ...options,
    challenge: toBytes(options.challenge),
    allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  });

  const answer = (credential) => {
    const response = credential.response;
    const json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      json.response.userHandle = toText(response.userHandle);
    }
    return json;
  };

  const say = (box, text) => {
    const status = box.querySelector("[data-passkey-status]");
    if (status) {
      status.textContent = text;
      status.hidden = !text;
    }
  };

  const ceremony = async (box, { conditional = false, signal } = {}) => {
    const token = box.querySelector("input[name=csrfmiddlewaretoken]").value;
    const options = await post(box.dataset.optionsUrl, token);
    let credential;
    if (box.dataset.passkey === "create") {
      credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    } else {
      credential = await navigator.credentials.get({
        publicKey: requestOptions(options),
        ...(conditional ? { mediation: "conditional", signal } : {}),
      });
    }
    const nameField = box.querySelector("input[name=name]");
    const trust = document.getElementById("id_trust"); // the code page's "Don't require codes on this device"
    const body = {
      credential: answer(credential),
      name: nameField ? nameField.value : "",
      trust: Boolean(trust && trust.checked),
    };
    const result = await post(box.dataset.verifyUrl, token, body);
    if (result.redirect) {
      window.location.assign(result.redirect);
    } else {
      say(box, result.error || box.dataset.failedText);
    }
  };

  document.addEventListener("DOMContentLoaded", async () => {
    for (const box of document.querySelectorAll("[data-passkey]")) {
      const button = box.querySelector("[data-passkey-start]");
      const unsupported = box.querySelector("[data-passkey-unsupported]");
      if (!supported) {
        if (unsupported) unsupported.hidden = false;
        continue;
      }
      if (button) {
        button.hidden = false;
        button.addEventListener("click", (event) => {
          event.preventDefault();
          if (box.autofill) box.autofill.abort(); // one ceremony at a time: the button's replaces the autofill's
          say(box, "");
          ceremony(box).catch((error) => {
            if (error && error.name === "NotAllowedError") say(box, box.dataset.cancelledText);
            else say(box, box.dataset.failedText);
          });
        });
      }
      // Autofill: the email field offers the passkeys this browser holds (conditional mediation).
      if (box.dataset.conditional !== undefined && PublicKeyCredential.isConditionalMediationAvailable) {
        if (await PublicKeyCredential.isConditionalMediationAvailable()) {
          box.autofill = new AbortController();
          ceremony(box, { conditional: true, signal: box.autofill.signal }).catch(() => {});
        }
      }
    }
  });
})();
