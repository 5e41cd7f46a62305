/*  ddc-web's script (served as /static/app.js; the pages carry no inline
    script, so the Content-Security-Policy can forbid it). Everything works
    without it except the live parts; with it:
      - rows are added from <template>s ("__i__" becomes the next index);
      - a task shows only the date fields its cycle uses;
      - the channels page warns at once about an ID listed as both kinds;
      - a button with data-confirm asks first;
      - on a phone the navigation folds behind a menu button;
      - leaving a page with unsaved edits asks first, and an open form
        says at once when its section was saved elsewhere;
      - times (<time class="local">) are shown in the browser's zone;
      - the containers page filters as you type (the configured rows in
        place, the found ones from the server a page at a time), turns
        pages and adds a found container to the form without leaving it;
      - a container's start, stop and restart buttons send the action
        (/api/action) and show it pending, then its result, in place;
      - a container's log follows live (/logs/events) and can be paused;
      - /events (Server-Sent Events) keeps the dashboard, the containers'
        state and the acknowledgements after a save live, shows when the
        broker is unreachable, follows the UI language and leaves for the
        sign-in page when the session ends. */
(function () {
  "use strict";

  var S = {};
  try {
    var block = document.getElementById("i18n");
    if (block) S = JSON.parse(block.textContent);
  } catch (e) { S = {}; }
  function t(key, arg) {
    var s = S[key] || key;
    if (arg === undefined) return s;
    var args = Array.isArray(arg) ? arg : [arg];
    return s.replace(/\{(\d)\}/g, function (m, k) {
      return args[k] === undefined ? "" : String(args[k]);
    });
  }
  /* a reported state ("running", "ready") in the page's language */
  function stateText(prefix, value) {
    return S[prefix + value] || value;
  }

  var dirty = false;
  var leaving = false;    /* a form was sent: the next page is on its way */

  /* ---- forms ------------------------------------------------------- */

  function nextIndex(form) {
    var n = parseInt(form.getAttribute("data-next-index") || "0", 10);
    form.setAttribute("data-next-index", String(n + 1));
    return n;
  }

  function addRow(button) {
    var tpl = document.getElementById(button.getAttribute("data-template"));
    var form = button.closest("form");
    /* the table is the nearest one before the button's paragraph */
    var body = null;
    for (var el = button.closest("p").previousElementSibling; el && !body; el = el.previousElementSibling) {
      body = el.querySelector ? el.querySelector("tbody") : null;
    }
    if (!tpl || !form || !body) return;
    var index = String(nextIndex(form));
    var rows = tpl.content.querySelectorAll("tr");
    var last = null;
    rows.forEach(function (row) {
      var copy = row.cloneNode(true);
      copy.querySelectorAll("[name], [id], [for], [data-field]").forEach(function (el) {
        ["name", "id", "for", "data-field"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v && v.indexOf("__i__") >= 0) el.setAttribute(attr, v.split("__i__").join(index));
        });
      });
      body.appendChild(copy);
      setupTask(copy);
      var first = copy.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
      last = copy;
    });
    var empty = document.getElementById("containers-empty");
    if (empty) empty.hidden = true;
    markDirty();
    return last;
  }

  /* ---- the containers page ----------------------------------------- */

  function words(q) {
    return q.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; }).slice(0, 8);
  }

  function rowText(row) {
    var parts = [];
    row.querySelectorAll("input[name$='.host'], input[name$='.name'], input[name$='.display_name']")
      .forEach(function (i) { parts.push(i.value); });
    row.querySelectorAll("span.state").forEach(function (s) {
      parts.push(s.getAttribute("data-state") || "", s.textContent);
    });
    row.querySelectorAll("small").forEach(function (s) { parts.push(s.textContent); });
    return parts.join(" ").toLowerCase();
  }

  /* configured rows not matching are hidden, never removed: they are saved */
  function filterConfigured(q) {
    var ws = words(q);
    document.querySelectorAll("tbody[data-rows=containers] > tr").forEach(function (row) {
      var text = rowText(row);
      row.hidden = !ws.every(function (w) { return text.indexOf(w) >= 0; });
    });
  }

  /* found ones already added to the form (not saved yet) are not offered */
  function dropAdded() {
    var have = {};
    document.querySelectorAll("tbody[data-rows=containers] > tr").forEach(function (row) {
      var h = row.querySelector("input[name$='.host']"), n = row.querySelector("input[name$='.name']");
      if (h && n) have[h.value + "/" + n.value] = true;
    });
    document.querySelectorAll("#discovered a.add").forEach(function (a) {
      if (have[a.getAttribute("data-host") + "/" + a.getAttribute("data-name")]) {
        a.closest("tr").remove();
      }
    });
  }

  var listSeq = 0;

  function loadDiscovered(q, page, focusList) {
    var seq = ++listSeq;
    var query = (q ? "q=" + encodeURIComponent(q) + "&" : "") + (page > 1 ? "page=" + page + "&" : "");
    fetch("/containers?" + query + "part=discovered", { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      var old = document.getElementById("discovered");
      if (seq !== listSeq || html === null || !old) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      var fresh = tpl.content.getElementById("discovered");
      if (!fresh) return;          /* e.g. the sign-in page: the next event says why */
      old.replaceWith(fresh);
      dropAdded();
      var url = "/containers" + (query ? "?" + query.replace(/&$/, "") : "");
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", url);
      if (focusList) {
        var title = document.getElementById("discovered-title");
        if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
      }
    }, function () { /* the next keystroke or a reload tries again */ });
  }

  function addFound(a) {
    var button = document.querySelector("button.add-row[data-template=tpl-containers]");
    var row = button ? addRow(button) : null;
    if (!row) return false;
    var set = function (suffix, value) {
      var input = row.querySelector("input[name$='" + suffix + "']");
      if (input) input.value = value;
    };
    set(".host", a.getAttribute("data-host"));
    set(".name", a.getAttribute("data-name"));
    set(".display_name", a.getAttribute("data-name"));
    row.classList.add("added");
    a.closest("tr").remove();
    return true;
  }

  function setupContainers() {
    var q = document.getElementById("containers-q");
    var search = document.getElementById("containers-search");
    if (!q || !search) return;
    var timer = null;
    var run = function () {
      filterConfigured(q.value);
      loadDiscovered(q.value.trim(), 1, false);
    };
    q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    search.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      run();
    });
    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("#discovered a") : null;
      if (!a) return;
      if (a.classList.contains("add")) {
        if (addFound(a)) ev.preventDefault();
      } else if (a.hasAttribute("data-page")) {
        ev.preventDefault();
        loadDiscovered(q.value.trim(), parseInt(a.getAttribute("data-page"), 10) || 1, true);
      }
    });
  }

  function setupTask(row) {
    if (!row.classList || !row.classList.contains("task")) return;
    var cycle = row.querySelector("select.cycle");
    if (!cycle) return;
    row.setAttribute("data-cycle", cycle.value);
    cycle.addEventListener("change", function () { row.setAttribute("data-cycle", cycle.value); });
  }

  function checkChannels() {
    var box = document.getElementById("channel-clash");
    if (!box) return;
    var kinds = {};
    document.querySelectorAll("table[data-kind] input.channel-id").forEach(function (input) {
      var id = input.value.trim();
      var kind = input.closest("table").getAttribute("data-kind");
      var removed = input.closest("tr").querySelector("td.remove input[type=checkbox]");
      if (!id || (removed && removed.checked)) return;
      kinds[id] = kinds[id] || {};
      kinds[id][kind] = true;
    });
    var clash = Object.keys(kinds).filter(function (id) { return kinds[id].status && kinds[id].control; });
    box.hidden = clash.length === 0;
    var ids = box.querySelector(".ids");
    if (ids) ids.textContent = clash.join(", ");
  }

  function markDirty() {
    dirty = true;
    document.querySelectorAll(".dirty-hint").forEach(function (el) { el.hidden = false; });
  }

  function setupForms() {
    document.querySelectorAll("form.section-form").forEach(function (form) {
      form.addEventListener("input", function () { markDirty(); checkChannels(); });
      form.addEventListener("change", function () { markDirty(); checkChannels(); });
      form.addEventListener("submit", function () { dirty = false; leaving = true; });
    });
    document.querySelectorAll("button.add-row").forEach(function (b) {
      b.addEventListener("click", function () { addRow(b); });
    });
    document.querySelectorAll("tr.task").forEach(setupTask);
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (ev) {
        if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });
    /* a refused or failed save shows what was typed: still unsaved */
    if (document.querySelector("form.section-form") &&
        document.querySelector("#save-failed, #conflict, #form-errors")) markDirty();
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) invalid.focus();
    checkChannels();
  }

  /* ---- times ------------------------------------------------------ */

  /* <time class="local" datetime="...Z"> in the browser's time zone, with
     the zone's name, never broken inside (no-break spaces) */
  function localTimes(root) {
    if (!window.Intl || !Intl.DateTimeFormat) return;
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
        minute: "2-digit", second: "2-digit", timeZoneName: "short" });
    } catch (e) { return; }
    (root || document).querySelectorAll("time.local[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d.getTime())) return;
      el.textContent = fmt.format(d).replace(/[\s\u202f]+/g, "\u00a0");
      el.title = el.getAttribute("datetime");
    });
  }

  /* ---- live view --------------------------------------------------- */

  var started = Date.now();

  function banner(text) {
    var b = document.getElementById("live-banner");
    if (!b) return;
    b.textContent = text || "";
    b.hidden = !text;
  }

  function li(cls, peer, text) {
    var item = document.createElement("li");
    item.className = cls;
    var name = document.createElement("span");
    name.className = "mono";
    name.textContent = peer;
    item.appendChild(name);
    item.appendChild(document.createTextNode(" " + text));
    return item;
  }

  /* labels: the server's labels of the fields the rejections name, in the
     page's language ({"containers[1].display_name": "Container 2: Display name"}) */
  function showAcks(view, labels) {
    var list = document.getElementById("acks");
    if (!list) return;
    var section = list.getAttribute("data-section");
    var rev = parseInt(list.getAttribute("data-rev"), 10);
    var late = Date.now() - started > 10000;
    list.textContent = "";
    var any = false;
    (view.peers || []).forEach(function (p) {
      var applied = p.applied && typeof p.applied[section] === "number" ? p.applied[section] : null;
      var rej = p.rejected && p.rejected.section === section ? p.rejected : null;
      if (applied === null && !rej) return;
      if (!p.connected && !(applied !== null && applied >= rev)) return;
      any = true;
      if (rej && rej.rev >= rev) {
        var item = li("rejected", p.name, t("rejected", rej.running_rev));
        var errs = document.createElement("ul");
        (rej.errors || []).slice(0, 5).forEach(function (e) {
          var x = document.createElement("li");
          var label = e.field && labels && Object.prototype.hasOwnProperty.call(labels, e.field) &&
            typeof labels[e.field] === "string" ? labels[e.field] : e.field || "";
          x.textContent = (label ? label + ": " : "") + (e.message || e.reason || "");
          errs.appendChild(x);
        });
        item.appendChild(errs);
        list.appendChild(item);
      } else if (applied !== null && applied >= rev) {
        list.appendChild(li("applied", p.name, t("applied")));
      } else {
        list.appendChild(li(late ? "late" : "pending", p.name, t(late ? "no_answer" : "waiting")));
      }
    });
    if (!any) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = t("no_followers");
      list.appendChild(none);
    }
    var gw = document.getElementById("gateway-result");
    var live = (view.gateway || []).filter(function (g) { return g.connected; });
    if (gw && live.length) {
      gw.hidden = false;
      gw.textContent = t("gateway") + " " + live.map(function (g) {
        return g.peer + ": " + stateText("gateway.", g.state) + (g.detail ? " (" + g.detail + ")" : "");
      }).join("; ");
    }
  }

  function showStates(view) {
    var cells = document.querySelectorAll("span.state[data-container]");
    if (!cells.length) return;
    var states = {};
    (view.hosts || []).forEach(function (h) {
      (h.containers || []).forEach(function (c) { states[h.host + "/" + c.name] = c.state; });
    });
    cells.forEach(function (cell) {
      var s = states[cell.getAttribute("data-container")];
      if (s) {
        cell.textContent = stateText("state.", s);
        cell.setAttribute("data-state", s);
      }
    });
  }

  /* the view as the last events made it: a "patch" changes only parts */
  var shown = null;

  /* the element of list whose attribute attr is value */
  function byAttr(list, attr, value) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].getAttribute(attr) === value) return list[i];
    }
    return null;
  }

  function replaceWith(el, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var now = tpl.content.firstElementChild;
    if (el && now) {
      el.replaceWith(now);
      localTimes(now);
    }
  }

  /* the hosts and rows that changed, into shown and the page: a host's
     whole section, or single rows */
  function onPatch(msg) {
    if (!shown) return;
    if ((msg.hosts || []).length) delete shownHtml.hosts; /* the page's hosts differ from it now */
    var view = msg.view || {};
    view.hosts = shown.hosts || [];
    var box = document.getElementById("view-hosts");
    var sections = box ? box.querySelectorAll("section.host[data-host]") : [];
    (msg.hosts || []).forEach(function (p) {
      var h = p.view || {};
      var at = -1;
      view.hosts.forEach(function (x, i) { if (x.host === h.host) at = i; });
      if (at < 0) return;
      var el = byAttr(sections, "data-host", h.host);
      if (typeof p.section === "string") {
        view.hosts[at] = h;
        replaceWith(el, p.section);
        return;
      }
      h.containers = view.hosts[at].containers || [];
      view.hosts[at] = h;
      var trs = el ? el.querySelectorAll("tr[data-container]") : [];
      (p.rows || []).forEach(function (r) {
        var row = r.view || {};
        h.containers.forEach(function (c, i) { if (c.name === row.name) h.containers[i] = row; });
        replaceWith(byAttr(trs, "data-container", h.host + "/" + row.name), r.html);
      });
    });
    onView({ lang: msg.lang, view: view, html: msg.html, labels: msg.labels });
  }

  var shownHtml = {}; /* the live parts' HTML as the server last sent it */

  function onView(msg) {
    var view = msg.view || {};
    shown = view;
    banner(view.up === false ? t("broker_down") : "");
    var html = msg.html || {};
    ["broker", "hosts", "gateway", "services"].forEach(function (part) {
      var el = document.getElementById("view-" + part);
      /* compared with the server's last text (localTimes changes the element's) */
      var was = shownHtml[part] !== undefined ? shownHtml[part] : el && el.innerHTML;
      if (el && typeof html[part] === "string" && was !== html[part]) {
        shownHtml[part] = html[part];
        el.innerHTML = html[part];
        localTimes(el);
      }
    });
    var rev = document.getElementById("dash-rev");
    if (rev && typeof view.rev === "number" && rev.getAttribute("data-rev") !== String(view.rev)) {
      rev.setAttribute("data-rev", String(view.rev));
      rev.textContent = rev.textContent.replace(/\d+/, String(view.rev));
    }
    showAcks(view, msg.labels);
    showStates(view);
    showChangedElsewhere(view);
    showCtrStatus();
    /* a reload now would cancel a form being sent (its answer comes once
       the change is applied here, so the language may change first); the
       page it leads to is in the new language anyway */
    if (msg.lang && msg.lang !== document.body.getAttribute("data-lang") && !leaving) {
      if (dirty) banner(t("lang_changed"));
      else { banner(t("reloading")); window.location.reload(); }
    }
  }

  /* the session ended: the sign-in page says why ("password": changed in
     another place, "idle", "age", "invalid") */
  function leaveForLogin(why) {
    dirty = false;          /* nothing can be saved any more */
    window.location.href = "/login?expired=" + encodeURIComponent(why) +
      "&next=" + encodeURIComponent(window.location.pathname);
  }

  function live() {
    if (!document.body.hasAttribute("data-signed-in") || !window.EventSource) return;
    var es = new EventSource("/events");
    es.addEventListener("view", function (ev) {
      try { onView(JSON.parse(ev.data)); } catch (e) { /* ignore a bad event */ }
    });
    es.addEventListener("patch", function (ev) {
      try { onPatch(JSON.parse(ev.data)); } catch (e) { /* ignore a bad event */ }
    });
    es.addEventListener("signedout", function (ev) {
      es.close();
      var why = "idle";
      try { why = JSON.parse(ev.data).reason || why; } catch (e) { /* keep "idle" */ }
      leaveForLogin(why);
    });
    es.addEventListener("open", function () { banner(""); });
    es.addEventListener("error", function () {
      if (es.readyState === EventSource.CLOSED) {
        /* refused (signed out, or too many views): ask why */
        fetch("/api/status", { credentials: "same-origin" }).then(function (r) {
          if (r.status === 401) {
            r.json().then(function (o) { leaveForLogin(o.reason || "idle"); },
                          function () { leaveForLogin("idle"); });
          }
          else { banner(t("live_paused")); setTimeout(live, 5000); }
        }, function () { banner(t("live_paused")); setTimeout(live, 5000); });
      } else {
        banner(t("live_paused"));
      }
    });
    setInterval(function () { /* let "no acknowledgement yet" appear */
      var list = document.getElementById("acks");
      if (list && Date.now() - started > 10000 && list.querySelector("li.pending")) {
        list.querySelectorAll("li.pending").forEach(function (item) {
          item.className = "late";
          item.lastChild.textContent = " " + t("no_answer");
        });
      }
    }, 2000);
  }

  /* ---- unsaved edits ------------------------------------------------ */

  /* leaving a page with unsaved edits asks first: the browser's own
     question on reload, close and typed addresses, ours on the page's
     links (which then need not ask twice) */
  function setupLeaving() {
    window.addEventListener("beforeunload", function (ev) {
      if (!dirty || leaving) return undefined;
      ev.preventDefault();
      ev.returnValue = "";
      return "";
    });
    document.addEventListener("click", function (ev) {
      if (!dirty || leaving || ev.defaultPrevented) return;
      var a = ev.target.closest ? ev.target.closest("a[href]") : null;
      if (!a || a.target || a.hasAttribute("download")) return;
      var href = a.getAttribute("href");
      if (!href || href.charAt(0) === "#") return;
      if (a.closest("#discovered")) return;      /* handled in place */
      if (window.confirm(t("leave_unsaved"))) {
        dirty = false;
      } else {
        ev.preventDefault();
      }
    });
  }

  /* someone saved the section of this open form elsewhere (another tab,
     browser, ddc-ctl, a rollback): say so at once, not only when our save
     is refused */
  function showChangedElsewhere(view) {
    var form = document.querySelector("form.section-form[data-section]");
    if (!form || leaving || !view.sections) return;
    var section = form.getAttribute("data-section");
    var change = view.sections[section];
    var revInput = form.querySelector("input[name=rev]");
    if (!change || !revInput) return;
    var formRev = parseInt(revInput.value, 10);
    if (!(change.rev > formRev)) return;
    var box = document.getElementById("changed-elsewhere");
    if (!box) {
      box = document.createElement("div");
      box.id = "changed-elsewhere";
      box.className = "notice warn";
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form);
    }
    if (box.getAttribute("data-rev") === String(change.rev)) return;
    box.setAttribute("data-rev", String(change.rev));
    box.textContent = "";
    var p = document.createElement("p");
    var who = change.author || t("someone");
    var where = change.peer ? change.peer : "";
    var when = "";
    if (change.time) {
      var d = new Date(change.time);
      when = isNaN(d.getTime()) ? change.time : d.toLocaleTimeString(document.documentElement.lang || undefined);
    }
    p.textContent = t(dirty ? "changed_elsewhere_dirty" : "changed_elsewhere",
                      [who, where, when, change.rev]);
    box.appendChild(p);
    var a = document.createElement("a");
    a.href = window.location.pathname;
    a.id = "changed-elsewhere-reload";
    a.textContent = t("reload_newer");
    box.appendChild(a);
  }

  /* ---- container actions and logs ---------------------------------- */

  /* what each container's status says while an action runs or after it,
     kept across the dashboard's live redraws */
  var ctrStatus = {};

  function showCtrStatus() {
    document.querySelectorAll(".ctr-controls").forEach(function (box) {
      var st = ctrStatus[box.getAttribute("data-target")];
      var out = box.querySelector(".ctr-status");
      if (!out) return;
      out.textContent = st ? st.text : "";
      out.className = "ctr-status" + (st ? " " + st.kind : "");
      box.querySelectorAll("button").forEach(function (b) { b.disabled = !!(st && st.kind === "pending"); });
    });
  }

  function setupActions() {
    var form = document.getElementById("ctr-action");
    if (!form || !window.fetch) return;
    form.addEventListener("submit", function (ev) {
      var button = ev.submitter;
      if (!button || !button.value) return;
      ev.preventDefault();
      var v = button.value, colon = v.indexOf(":"), slash = v.indexOf("/", colon);
      var action = v.slice(0, colon), host = v.slice(colon + 1, slash), name = v.slice(slash + 1);
      var target = host + "/" + name;
      if (ctrStatus[target] && ctrStatus[target].kind === "pending") return;
      ctrStatus[target] = { kind: "pending", text: t("act." + action) };
      showCtrStatus();
      var csrf = form.querySelector("input[name=csrf]");
      fetch("/api/action", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
        body: JSON.stringify({ host: host, container: name, action: action })
      }).then(function (r) {
        if (r.status === 401) { window.location.href = "/login?expired=1"; return null; }
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      }).then(function (res) {
        if (!res) return;
        var b = res.body || {};
        if (res.status === 200 && b.ok) {
          ctrStatus[target] = { kind: "ok", text: t("act_ok", b.state ? stateText("state.", b.state) : action) };
        } else {
          ctrStatus[target] = { kind: "failed", text: t("act_failed", b.message || b.error || String(res.status)) };
        }
        showCtrStatus();
      }, function (e) {
        ctrStatus[target] = { kind: "failed", text: t("act_failed", String(e)) };
        showCtrStatus();
      });
    });
  }

  var LOG_KEEP = 5000;      /* lines kept on the page while following */

  function setupLog() {
    var pre = document.getElementById("log");
    if (!pre || !window.EventSource) return;
    var box = document.querySelector(".log-follow");
    var follow = document.getElementById("log-follow");
    var status = document.getElementById("log-status");
    if (box) box.hidden = false;
    var url = "/logs/events?host=" + encodeURIComponent(pre.getAttribute("data-host")) +
              "&name=" + encodeURIComponent(pre.getAttribute("data-name"));
    var es = null;
    function atEnd() { return pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40; }
    function append(lines, reset, gap) {
      var stick = atEnd();
      if (reset) pre.textContent = "";
      var text = "";
      if (gap) text += t("log_gap") + "\n";
      lines.forEach(function (line) { text += line + "\n"; });
      pre.appendChild(document.createTextNode(text));
      var all = pre.textContent.split("\n");
      if (all.length > LOG_KEEP + 1) pre.textContent = all.slice(all.length - LOG_KEEP - 1).join("\n");
      var empty = document.getElementById("log-empty");
      if (empty && pre.textContent) empty.hidden = true;
      if (stick || reset) pre.scrollTop = pre.scrollHeight;
    }
    function start() {
      es = new EventSource(url);
      es.addEventListener("lines", function (ev) {
        try {
          var m = JSON.parse(ev.data);
          append(m.lines || [], !!m.reset, !!m.gap);
          status.textContent = t("log_following");
          pre.setAttribute("data-live", "1");
        } catch (e) { /* ignore a bad event */ }
      });
      es.addEventListener("idle", function (ev) {
        var secs = 0;
        try { secs = JSON.parse(ev.data).idle_s || 0; } catch (e) { /* keep 0 */ }
        stop();
        follow.checked = false;
        status.textContent = t("log_idle", secs);
      });
      es.addEventListener("problem", function (ev) {
        try { status.textContent = t("log_problem", JSON.parse(ev.data).message); } catch (e) { /* ignore */ }
      });
      es.addEventListener("signedout", function (ev) {
        es.close();
        var why = "idle";
        try { why = JSON.parse(ev.data).reason || why; } catch (e) { /* keep "idle" */ }
        leaveForLogin(why);
      });
    }
    function stop() {
      if (es) es.close();
      es = null;
      status.textContent = t("log_paused");
      pre.removeAttribute("data-live");
    }
    follow.addEventListener("change", function () { if (follow.checked) start(); else stop(); });
    pre.scrollTop = pre.scrollHeight;
    start();
  }

  /* ---- the navigation on a phone: one button opens and closes it ---- */

  function setupNav() {
    var button = document.getElementById("nav-toggle");
    var nav = document.getElementById("nav");
    if (!button || !nav) return;
    function open(yes) {
      button.setAttribute("aria-expanded", yes ? "true" : "false");
    }
    button.hidden = false;
    button.parentNode.classList.add("menu");
    button.addEventListener("click", function () {
      open(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        open(false);
        button.focus();
      }
    });
  }

  /* back on this page from the history: it is not being left any more */
  window.addEventListener("pageshow", function () { leaving = false; });

  document.addEventListener("DOMContentLoaded", function () {
    setupNav();
    localTimes(document);
    setupForms();
    setupLeaving();
    setupContainers();
    setupActions();
    setupLog();
    live();
  });
})();
