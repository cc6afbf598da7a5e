/* Steward cookie banner. Include it on your site with
 *   <script src="https://steward.example.com/consent/cookies.js" defer></script>
 * It asks once per browser (and again when the notice changes or the consent expires),
 * sends every choice to Steward's ledger, and tells the page what was chosen:
 *   window.addEventListener("steward:consent", function (e) { e.detail.analytics ... });
 *   window.StewardConsent.choices()   // {necessary: true, analytics: false, ...} or null
 *   window.StewardConsent.open()      // show the banner again ("Cookie settings")
 *   window.StewardConsent.link(token) // tie this browser to a known person (signed token)
 * No dependencies, no cookies of its own: a random visitor id in localStorage. */
(function () {
  "use strict";
  var CONFIG = {{ config|safe }};
  var STORE = "steward_consent";
  var banner = null;
  var reopen = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE)) || {}; } catch (e) { return {}; }
  }
  function save(state) {
    try { window.localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function randomId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var state = load();
  if (!state.visitorId) { state.visitorId = randomId(); save(state); }
  var params = new URLSearchParams(window.location.search);
  if (params.get(CONFIG.linkParam)) { state.link = params.get(CONFIG.linkParam); save(state); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "style") { node.style.cssText = props.style; }
      else if (key === "text") { node.textContent = props.text; }
      else { node.setAttribute(key, props[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  var BUTTON = "font:inherit;padding:.5em 1em;border:2px solid #1f3a5f;border-radius:4px;" +
    "background:#fff;color:#1f3a5f;cursor:pointer;margin:.25em .5em .25em 0";

  function announce(choices) {
    window.dispatchEvent(new CustomEvent("steward:consent", { detail: choices }));
  }

  function send(choices, status) {
    status.textContent = "Saving your choice…";
    var body = { visitor_id: state.visitorId, choices: choices, page: window.location.href };
    if (state.link) { body.link = state.link; }
    // text/plain keeps this a "simple" cross-origin request: no preflight needed.
    return window.fetch(CONFIG.endpoint, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.detail || "The choice was not saved."); }
        state.choices = data.choices;
        state.decidedAt = data.recorded_at;
        state.version = CONFIG.version;
        delete state.link;
        save(state);
        close();
        announce(data.choices);
      });
    }).catch(function (error) {
      status.textContent = "Your choice could not be saved: " + error.message + " Please try again.";
    });
  }

  function close() {
    if (banner) { banner.remove(); banner = null; }
    showReopen();
  }

  function showReopen() {
    if (reopen) { return; }
    reopen = el("button", {
      type: "button",
      text: "Cookie settings",
      style: BUTTON + ";position:fixed;left:1em;bottom:1em;z-index:2147483000;font-size:.85em"
    });
    reopen.addEventListener("click", open);
    document.body.appendChild(reopen);
  }

  function open() {
    if (banner) { return; }
    if (reopen) { reopen.remove(); reopen = null; }
    var current = state.choices || {};
    var boxes = {};
    var list = el("div", {});
    CONFIG.categories.forEach(function (category) {
      var id = "steward-consent-" + category.key;
      var box = el("input", { type: "checkbox", id: id, name: category.key });
      box.checked = category.required || current[category.key] === true;
      box.disabled = category.required;
      boxes[category.key] = box;
      var vendors = category.vendors.length ? " Set by: " + category.vendors.join(", ") + "." : "";
      list.appendChild(el("div", { style: "margin:.5em 0" }, [
        el("label", { "for": id, style: "font-weight:bold" }, [
          box, document.createTextNode(" " + category.label + (category.required ? " (always on)" : ""))
        ]),
        el("p", { style: "margin:.2em 0 0 1.6em", text: (category.statement || category.description) + vendors })
      ]));
    });
    var status = el("p", { role: "status", style: "margin:.5em 0 0" });
    function all(value) {
      var choices = {};
      CONFIG.categories.forEach(function (c) { choices[c.key] = c.required ? true : value; });
      return choices;
    }
    function chosen() {
      var choices = {};
      CONFIG.categories.forEach(function (c) { choices[c.key] = c.required ? true : boxes[c.key].checked; });
      return choices;
    }
    var reject = el("button", { type: "button", text: "Reject all", style: BUTTON });
    var accept = el("button", { type: "button", text: "Accept all", style: BUTTON });
    var keep = el("button", { type: "button", text: "Save choices", style: BUTTON });
    reject.addEventListener("click", function () { send(all(false), status); });
    accept.addEventListener("click", function () { send(all(true), status); });
    keep.addEventListener("click", function () { send(chosen(), status); });
    var policy = CONFIG.policyUrl ? el("a", { href: CONFIG.policyUrl, text: "Privacy notice" }) : null;
    banner = el("section", {
      id: "steward-consent",
      role: "region",
      "aria-label": "Cookie choices",
      style: "position:fixed;left:1em;right:1em;bottom:1em;max-width:40em;margin:0 auto;" +
        "background:#fff;color:#111;border:2px solid #1f3a5f;border-radius:6px;padding:1em;" +
        "box-shadow:0 4px 16px rgba(0,0,0,.25);z-index:2147483000;font:16px/1.4 system-ui,sans-serif"
    }, [
      el("h2", { style: "margin:0 0 .5em;font-size:1.2em", text: "Cookies on this website" }),
      el("p", { style: "margin:0", text: (CONFIG.controller ? CONFIG.controller + " asks" : "We ask") +
        " before setting cookies that are not needed for the site to work. You can change your choice at any time." }),
      list,
      el("div", {}, [reject, accept, keep]),
      policy,
      status
    ]);
    document.body.appendChild(banner);
  }

  function expired() {
    if (!state.choices || state.version !== CONFIG.version) { return true; }
    var age = Date.now() - Date.parse(state.decidedAt);
    return CONFIG.reaskDays !== null && age > CONFIG.reaskDays * 86400000;
  }

  window.StewardConsent = {
    open: open,
    choices: function () { return expired() ? null : state.choices; },
    link: function (token) { state.link = token; save(state); },
    visitorId: function () { return state.visitorId; }
  };

  function start() {
    if (expired()) { open(); } else { showReopen(); announce(state.choices); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
