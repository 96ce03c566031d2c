// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // A form marked data-once disables its buttons after the first submit, so a
  // double tap sends one request (the server also refuses duplicates).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var clicked = event.submitter;
      if (clicked && clicked.name) {
        var keep = document.createElement("input");
        keep.type = "hidden"; keep.name = clicked.name; keep.value = clicked.value;
        form.appendChild(keep);
      }
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  // A wide table scrolls inside its box: a box that does is a tab stop, so the
  // keyboard can scroll it too (WCAG 2.1.1).
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) { box.tabIndex = 0; } else { box.removeAttribute("tabindex"); }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
  // "Select all" checkbox for the screening list.
  document.querySelectorAll("input[data-check-all]").forEach(function (master) {
    master.addEventListener("change", function () {
      var name = master.getAttribute("data-check-all");
      document.querySelectorAll("input[name='" + name + "']").forEach(function (box) { box.checked = master.checked; });
    });
  });
});

// While a citizen writes: the theme the text seems to address (to confirm or
// change) and earlier ideas, 可能重复 and 相关建议, asked from the server.
document.addEventListener("DOMContentLoaded", function () {
  var hint = document.getElementById("similar-hint");
  if (!hint) { return; }
  var fields = ["title", "problem", "suggestion"].map(function (id) { return document.getElementById(id); })
    .filter(Boolean);
  var token = hint.closest("form").querySelector("input[name='csrf_token']");
  var select = document.getElementById("theme");
  var suggestion = hint.querySelector(".theme-suggestion"), suggested = null;
  var timer = null, last = "";
  suggestion.querySelector("[data-use-theme]").addEventListener("click", function () {
    if (select && suggested) { select.value = suggested.code; select.dispatchEvent(new Event("change")); }
  });
  function fill(box, items) {
    var list = box.querySelector("ul");
    list.textContent = "";
    items.forEach(function (item) {
      // Code and link come only for ideas the writer may open (their own).
      var li = document.createElement("li"), title = document.createElement(item.url ? "a" : "span");
      if (item.url) { title.href = item.url; title.target = "_blank"; title.rel = "noopener"; }
      title.textContent = item.code ? item.code + " " + item.title : item.title;
      li.appendChild(title);
      li.appendChild(document.createTextNode("（" + item.status + "）"));
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }
  function show(data) {
    suggested = data.theme || null;
    suggestion.hidden = !suggested;
    if (suggested) {
      suggestion.querySelector("strong").textContent = suggested.name;
    }
    fill(hint.querySelector(".duplicates"), data.duplicates || []);
    fill(hint.querySelector(".related"), data.related || []);
    hint.hidden = !suggested && !(data.duplicates || []).length && !(data.related || []).length;
  }
  function lookUp() {
    var text = fields.map(function (f) { return f.value; }).join("\n").trim().slice(0, 2000);
    if (text.length < 4 || text === last) { return; }
    last = text;
    // In the body, not the URL: a long text would overflow the request line (414).
    var body = new URLSearchParams({text: text, csrf_token: token ? token.value : ""});
    fetch(hint.getAttribute("data-url"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(show)
      .catch(function () { hint.hidden = true; });
  }
  fields.forEach(function (f) {
    f.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookUp, 600); });
  });
  lookUp();
});

// Progress of a background text-mining rebuild on the dashboard.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("rebuild");
  if (!box || !box.getAttribute("data-job-url")) { return; }
  function poll() {
    fetch(box.getAttribute("data-job-url"), {credentials: "same-origin"})
      .then(function (r) {
        if (r.ok && (r.headers.get("Content-Type") || "").indexOf("application/json") === 0) { return r.json(); }
        // Sent to the login page (the session ran out) or refused: the local copy stays for a reload.
        return {saved: false, message: "登录已失效或页面已过期：内容已保存在本机，重新登录或刷新页面后继续。"};
      })
      .then(function (job) {
        document.getElementById("job-label").textContent = job.label;
        document.getElementById("job-message").textContent = job.message;
        document.getElementById("job-progress").value = job.percent;
        if (job.state === "queued" || job.state === "running") { setTimeout(poll, 1500); }
        else if (box.getAttribute("data-job-state") !== job.state) { window.location.reload(); }
      });
  }
  var state = box.getAttribute("data-job-state");
  if (state === "queued" || state === "running") { poll(); }
});

// Forms on a phone: land on what to fix, see how much room is left, copy the tracking code.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    var first = document.querySelector(".field.has-error input, .field.has-error textarea, .field.has-error select");
    (first || summary).focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) { event.preventDefault(); target.focus(); target.scrollIntoView({block: "center"}); }
      });
    });
  }
  document.querySelectorAll("[data-max-chars]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-chars"), 10);
    var counter = document.createElement("small");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", counter);
    function update() {
      // Characters as the server counts them (code points), not UTF-16 units.
      var used = Array.from(input.value.trim()).length;
      counter.textContent = "已写 " + used + " / " + max + " 字";
      counter.classList.toggle("over", used > max);
    }
    input.addEventListener("input", update);
    update();
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = !navigator.clipboard;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = "已复制";
      });
    });
  });
});

// Autosave of the proposal form: to the server every few seconds while it changes and once
// on leaving the page; in this browser (localStorage) at every keystroke, so an offline
// phone loses nothing. A local copy is restored only if it was based on the very version
// the server shows now: it never replaces newer server data with older local data.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url"), key = form.getAttribute("data-draft-key");
  var version = form.getAttribute("data-version") || "";
  var status = form.querySelector("[data-autosave-status]");
  var token = form.querySelector("input[name='submission_token']");
  var names = ["title", "theme", "problem", "suggestion", "benefit", "region", "contact_phone", "show_name",
               "public_consent"];
  var sending = false, leaving = false;
  function values() {
    var found = {};
    names.forEach(function (name) {
      var input = form.elements[name];
      if (input) { found[name] = input.type === "checkbox" ? input.checked : input.value; }
    });
    return found;
  }
  function fill(found) {
    Object.keys(found).forEach(function (name) {
      var input = form.elements[name];
      if (!input) { return; }
      if (input.type === "checkbox") { input.checked = !!found[name]; } else { input.value = found[name]; }
      input.dispatchEvent(new Event("input"));
    });
  }
  function read() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function keep(dirty) {
    try {
      window.localStorage.setItem(key, JSON.stringify({token: token.value, fields: values(), base: version,
                                                       dirty: dirty}));
    } catch (e) { /* private mode or full: the server copy still works */ }
  }
  function say(text) { if (status) { status.textContent = text; } }

  var stored = read(), sent = JSON.stringify(values());
  if (stored && stored.dirty && stored.base === version && JSON.stringify(stored.fields) !== sent) {
    fill(stored.fields);
    if (!version && stored.token) { token.value = stored.token; }
    document.querySelector("[data-autosave-restored]").hidden = false;
    sent = "";  // not on the server yet
  } else if (stored) {
    // Saved already, or older than what the server shows: the server's copy stands.
    window.localStorage.removeItem(key);
  }

  function body() {
    var data = new FormData(form);
    ["submit", "save_draft"].forEach(function (name) { data.delete(name); });
    return data;
  }
  function save() {
    var now = JSON.stringify(values());
    if (sending || leaving || now === sent || !form.elements.title.value.trim()) { return; }
    sending = true;
    fetch(url, {method: "POST", body: body(), credentials: "same-origin"})
      .then(function (r) {
        if (r.ok && (r.headers.get("Content-Type") || "").indexOf("application/json") === 0) { return r.json(); }
        // Sent to the login page (the session ran out) or refused: the local copy stays for a reload.
        return {saved: false, message: "登录已失效或页面已过期：内容已保存在本机，重新登录或刷新页面后继续。"};
      })
      .then(function (answer) {
        if (!answer.saved) { say(answer.message || "暂未自动保存。"); return; }
        sent = now;
        version = answer.version;
        if (key.slice(-4) === ":new") {
          // The draft exists now: its own address, so a reload opens it.
          window.localStorage.removeItem(key);
          key = key.slice(0, -3) + answer.id;
          window.history.replaceState(null, "", answer.edit_url);
        }
        keep(false);
        say("已自动保存草稿 " + new Date().toLocaleTimeString("zh-CN", {hour12: false}));
      })
      .catch(function () { say("网络不通：内容已保存在本机，联网后自动保存到服务器。"); })
      .then(function () { sending = false; });
  }
  form.addEventListener("input", function () { keep(true); });
  form.addEventListener("change", function () { keep(true); });
  form.addEventListener("submit", function () {
    leaving = true;
    // The server takes it from here; a copy left behind would come back on the next new form.
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  });
  window.addEventListener("online", save);
  window.setInterval(save, 5000);
  window.addEventListener("pagehide", function () {
    if (leaving || JSON.stringify(values()) === sent || !form.elements.title.value.trim()) { return; }
    // keepalive lets the request outlive the page; sendBeacon where fetch cannot.
    try {
      fetch(url, {method: "POST", body: body(), credentials: "same-origin", keepalive: true});
    } catch (e) {
      if (navigator.sendBeacon) { navigator.sendBeacon(url, body()); }
    }
  });
});

// 长辈版 and text size without leaving the page, so nothing typed is lost: the link
// sets the cookie as it does without script, and the new header and sizes replace the old.
document.addEventListener("click", function (event) {
  var link = event.target.closest(".display-switch a");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
  event.preventDefault();
  fetch(link.href, {credentials: "same-origin"}).then(function (response) {
    if (!response.ok) { throw new Error(response.status); }
    return response.text();
  }).then(function (html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var header = document.querySelector(".site-header"), newHeader = fresh.querySelector(".site-header");
    if (!header || !newHeader) { throw new Error("no header"); }
    document.documentElement.className = fresh.documentElement.className;
    header.replaceWith(document.adoptNode(newHeader));
    var same = newHeader.querySelector(".display-switch a[href='" + link.getAttribute("href") + "']");
    (same || newHeader.querySelector(".display-switch a") || newHeader).focus();
  }).catch(function () { window.location.href = link.href; });
});
