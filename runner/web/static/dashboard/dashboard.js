// tikrunner dashboard (runner/web/dashboard.py). Reads the public API of this origin only and
// refreshes by short polling. Every value from the API reaches the page as text (textContent,
// text nodes, attributes): never as HTML.
"use strict";

(() => {
  const API = "/api/v1";
  const POLL_MS = 2000;
  const PAGE_SIZE = 20;
  const LOG_TAIL = 2000;
  const TOKEN_KEY = "tikrunner.token";
  const SCRIPTS = ["post", "follow", "unfollow", "comment", "account_warmup", "like", "message",
    "profile", "super_marketing", "scrape_user"];
  const STATUSES = ["pending", "running", "completed", "failed"];

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    generation: 0, // bumped on every navigation: late answers of an earlier view are dropped
    timer: null,
    lastTotal: {}, // tasks view: total seen per filter, to ask for the newest page at once
    shot: null, // {key, url}: the object URL of the screenshot shown
    hierarchy: null, // {key, text}
  };

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  const $ = (id) => document.getElementById(id);

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  // -- the API ---------------------------------------------------------------------------------

  async function api(path, { method = "GET", as = "json" } = {}) {
    const headers = {};
    const sent = state.token;
    if (sent) headers.Authorization = `Bearer ${sent}`;
    if (method !== "GET") headers["Content-Type"] = "application/json";
    const response = await fetch(API + path, { method, headers, cache: "no-store" });
    if (!response.ok) {
      let code = response.status;
      let message = `${response.status} ${response.statusText}`;
      try {
        const body = await response.json();
        code = body.code;
        message = body.message;
      } catch (_) { /* not the envelope */ }
      // (a late answer to a call made with an older token says nothing of the current one)
      if (code === 40301 && /token/i.test(message) && sent === state.token) askToken(Boolean(sent));
      throw new ApiError(response.status, code, message);
    }
    if (as === "text") return response.text();
    if (as === "blob") return response.blob();
    return (await response.json()).data;
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== null && value !== undefined && value !== "") q.set(key, value);
    }
    const text = q.toString();
    return text ? `?${text}` : "";
  }

  // -- the token -------------------------------------------------------------------------------

  function takeTokenFromAddress() {
    const url = new URL(location.href);
    const token = url.searchParams.get("token");
    if (token === null) return;
    url.searchParams.delete("token");
    if (token) {
      state.token = token;
      sessionStorage.setItem(TOKEN_KEY, token);
    }
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  function askToken(wrong) {
    const form = $("token-form");
    form.hidden = false;
    form.querySelector("label").textContent = wrong
      ? "The API token was refused: enter the runner's API token"
      : "This runner needs its API token";
    if (document.activeElement !== $("token-input")) $("token-input").focus();
  }

  function useToken(event) {
    event.preventDefault();
    state.token = $("token-input").value.trim();
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $("token-input").value = "";
    $("token-form").hidden = true;
    navigate();
  }

  // -- shared pieces ---------------------------------------------------------------------------

  const badge = (text, kind) => h("span", { class: `badge s-${kind || text}` }, text ?? "?");

  const dash = (value) => (value === null || value === undefined || value === "" ? "—" : value);

  function cell(label, ...children) {
    return h("td", { "data-label": label }, ...children);
  }

  function progressOf(task) {
    const p = task && task.progress;
    if (!p || typeof p !== "object") return null;
    const parts = [];
    if (typeof p.fraction === "number" && Number.isFinite(p.fraction)) {
      const f = Math.min(1, Math.max(0, p.fraction));
      parts.push(h("progress", { max: "1", value: String(f) }), `${Math.round(f * 100)}% `);
    }
    if (p.text) parts.push(String(p.text));
    return parts.length ? h("span", { class: "progress" }, parts) : null;
  }

  const taskLink = (task) => h("a", { href: `#/task/${task.id}` }, `#${task.id}`);

  function table(columns, rows, empty) {
    const head = h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.num ? "num" : null }, c.title))));
    const body = h("tbody", null);
    if (!rows.length) {
      body.append(h("tr", null, h("td", { colspan: columns.length, class: "muted" }, empty)));
    }
    for (const row of rows) {
      body.append(h("tr", null, columns.map((c) => {
        const td = cell(c.title, c.value(row));
        if (c.num) td.className = "num";
        if (c.wrap) td.classList.add("wrap");
        return td;
      })));
    }
    return h("table", { class: "cards" }, head, body);
  }

  function pager(page, pages, total, shown, hrefOf, newestFirst) {
    const prevLabel = newestFirst ? "← Newer" : "← Previous";
    const nextLabel = newestFirst ? "Older →" : "Next →";
    return h("div", { class: "pager" },
      page > 1 ? h("a", { href: hrefOf(page - 1) }, prevLabel) : h("span", { class: "muted" }, prevLabel),
      h("span", { class: "muted" }, `${shown} of ${total.toLocaleString()}`),
      page < pages ? h("a", { href: hrefOf(page + 1) }, nextLabel) : h("span", { class: "muted" }, nextLabel));
  }

  function setView(...children) {
    $("view").dataset.frame = "";
    $("view").replaceChildren(...children);
  }

  // The view's frame (title, filters, empty boxes) is built once per page shown; a refresh
  // only replaces the boxes' contents, so focus, scroll and open details stay as they are.
  function frame(key, build) {
    const view = $("view");
    if (view.dataset.frame === key) return false;
    view.replaceChildren(...build());
    view.dataset.frame = key;
    return true;
  }

  const fill = (id, ...children) => $(id).replaceChildren(...children);

  // A list's page (phones, accounts): its title with the count, a filter box (?q=) and the table.
  function listView(name, title, route, count, content) {
    frame(name, () => [
      h("h1", { id: `${name}-title` }),
      h("div", { class: "filters" }, h("input", {
        id: `${name}-search`, type: "search", placeholder: `Filter ${name}`, value: route.params.get("q") || "",
        "aria-label": `Filter ${name}`,
        onchange: (e) => { location.hash = `#/${name}${query({ q: e.target.value })}`; },
      })),
      h("div", { id: name }),
    ]);
    $(`${name}-title`).textContent = `${title} (${count})`;
    fill(name, content);
  }

  // -- stats (every view) ----------------------------------------------------------------------

  async function loadStats() {
    const s = await api("/task/stats");
    const links = [h("a", { href: "#/tasks" }, `${s.total.toLocaleString()} tasks`)];
    STATUSES.forEach((name, status) => {
      links.push(h("a", { href: `#/tasks?status=${status}`, class: `s-${name}` },
        `${s[name].toLocaleString()} ${name}`));
    });
    $("stats").replaceChildren(...links);
  }

  // -- phones ----------------------------------------------------------------------------------

  async function phonesView(route, live) {
    const devices = await api("/devices");
    if (!live()) return;
    const search = (route.params.get("q") || "").toLowerCase();
    const shown = devices.list.filter((d) => !search
      || [d.serial, d.model, d.state, d.language, d.runner].some((v) => v && String(v).toLowerCase().includes(search)));
    // Several runners on one store: say which one holds each phone.
    const runners = new Set(devices.list.map((d) => d.runner).filter(Boolean));
    const runnerColumn = runners.size > 1 ? [{ title: "Runner", value: (d) => dash(d.runner) }] : [];
    const columns = [
      { title: "Serial", value: (d) => h("strong", null, d.serial), wrap: true },
      ...runnerColumn,
      { title: "State", value: (d) => badge(d.state) },
      { title: "Model", value: (d) => dash(d.model) },
      { title: "Android", value: (d) => dash(d.android_version) },
      { title: "TikTok", value: (d) => dash(d.tiktok_version) },
      { title: "Language", value: (d) => dash(d.language) },
      {
        title: "Running task",
        value: (d) => (d.running_task
          ? h("span", null, taskLink(d.running_task), " ", d.running_task.script_name)
          : h("span", { class: "muted" }, "idle")),
      },
      { title: "Progress", value: (d) => progressOf(d.running_task) || "—" },
      { title: "Waiting", value: (d) => String(d.waiting_tasks), num: true },
      {
        title: "Health",
        value: (d) => (d.health && d.health.last_error
          ? h("span", { class: "s-failed" }, d.health.last_error)
          : h("span", { class: "muted" }, d.health && d.health.uiautomator ? "ok" : "—")),
        wrap: true,
      },
      { title: "Last seen", value: (d) => dash(d.last_seen) },
    ];
    listView("phones", "Phones", route, devices.total, table(columns, shown, "No phone known yet."));
  }

  // -- accounts --------------------------------------------------------------------------------

  // A local time "YYYY-MM-DD HH:MM:SS" to the minute, as the remarks say it; today's without
  // its date (as the CLI's views).
  function minute(value) {
    if (typeof value !== "string") return "";
    const [date, clock] = value.split(" ");
    const now = new Date();
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    const short = (clock || "").slice(0, 5);
    return date === today && short ? short : `${date} ${short}`.trim();
  }

  // What holds an account's tasks back now: [text, kind] pieces (as `tikrunner accounts`).
  function accountState(a) {
    const s = a.safety;
    const held = [];
    if (a.status === 0) held.push(["disabled", "gone"]);
    if (!s) return held.length ? held : [["—", "gone"]];
    if (s.cool_down) {
      held.push([`cooling down until ${minute(s.cool_down.until)} (${s.cool_down.reason})`, "failed"]);
    }
    if (s.working_now === false) {
      held.push([`outside working hours${s.working_next ? ` (next ${minute(s.working_next)})` : ""}`, "pending"]);
    }
    for (const [kind, c] of Object.entries(s.limits || {})) {
      if (c.per_hour !== null && c.hour >= c.per_hour) held.push([`at ${kind} limit ${c.per_hour}/hour`, "pending"]);
      if (c.per_day !== null && c.day >= c.per_day) held.push([`at ${kind} limit ${c.per_day}/day`, "pending"]);
    }
    return held.length ? held : [["ready", "completed"]];
  }

  // Each kind's counts against its limits, one a line: "follow 12/30h 40/150d", "like 3 today".
  function accountCounts(a) {
    const kinds = Object.entries((a.safety && a.safety.limits) || {});
    if (!kinds.length) return "—";
    return h("span", { class: "counts" }, kinds.map(([kind, c]) => {
      const parts = [];
      if (c.per_hour !== null) parts.push(`${c.hour}/${c.per_hour}h`);
      if (c.per_day !== null) parts.push(`${c.day}/${c.per_day}d`);
      const full = (c.per_hour !== null && c.hour >= c.per_hour) || (c.per_day !== null && c.day >= c.per_day);
      return h("span", { class: full ? "s-failed" : null, "data-kind": kind },
        `${kind} ${parts.length ? parts.join(" ") : `${c.day} today`}`);
    }));
  }

  async function accountsView(route, live) {
    const list = [];
    for (let page = 1; ; page += 1) {
      const data = await api(`/accounts${query({ page, page_size: 100 })}`);
      list.push(...data.list);
      if (page * 100 >= data.total) break;
    }
    if (!live()) return;
    const search = (route.params.get("q") || "").toLowerCase();
    const shown = list.filter((a) => !search
      || [a.username, a.device, a.runner, ...(a.tags || [])].some((v) => v && String(v).toLowerCase().includes(search)));
    const runners = new Set(list.map((a) => a.runner).filter(Boolean));
    const runnerColumn = runners.size > 1 ? [{ title: "Runner", value: (a) => dash(a.runner) }] : [];
    const columns = [
      { title: "Account", value: (a) => h("strong", null, a.username), wrap: true },
      {
        title: "Phone",
        value: (a) => (a.device
          ? h("span", null, a.device, a.device_online ? "" : h("span", { class: "muted" }, " (offline)"))
          : "—"),
        wrap: true,
      },
      ...runnerColumn,
      {
        title: "State",
        value: (a) => h("span", { class: "held" }, accountState(a).map(([text, kind]) => h("span", { class: `s-${kind}` }, text))),
        wrap: true,
      },
      { title: "Actions", value: accountCounts, wrap: true },
      {
        title: "Working hours",
        value: (a) => (a.safety && a.safety.working_hours
          ? a.safety.working_hours.map((s) => s.join(", ")).join("; ")
          : h("span", { class: "muted" }, a.safety ? "any time" : "—")),
        wrap: true,
      },
      { title: "Tags", value: (a) => dash((a.tags || []).join(", ")), wrap: true },
    ];
    listView("accounts", "Accounts", route, list.length, table(columns, shown, "No account in the inventory."));
  }

  // -- tasks -----------------------------------------------------------------------------------

  function tasksForm(params) {
    const status = h("select", { name: "status", "aria-label": "Status" },
      h("option", { value: "" }, "any status"),
      STATUSES.map((name, i) => h("option", { value: String(i), selected: params.get("status") === String(i) }, name)));
    const field = (name, label, extra) => h("label", null, label,
      h("input", { name, value: params.get(name) || "", ...extra }));
    const form = h("form", { class: "filters", id: "task-filters" },
      h("label", null, "Status", status),
      field("script_name", "Script", { list: "scripts", placeholder: "any" }),
      h("datalist", { id: "scripts" }, SCRIPTS.map((s) => h("option", { value: s }))),
      field("serial", "Serial", { placeholder: "any" }),
      field("manifest", "Manifest", { placeholder: "any" }),
      h("button", { type: "submit" }, "Filter"));
    const apply = (event) => {
      if (event) event.preventDefault();
      const data = new FormData(form);
      const chosen = {};
      for (const key of ["status", "script_name", "serial", "manifest"]) chosen[key] = (data.get(key) || "").trim();
      location.hash = `#/tasks${query(chosen)}`;
    };
    form.addEventListener("submit", apply);
    status.addEventListener("change", apply);
    return form;
  }

  async function tasksView(route, live, first) {
    const p = route.params;
    const filters = {
      status: p.get("status"), script_name: p.get("script_name"), serial: p.get("serial"),
      manifest: p.get("manifest"),
    };
    const key = JSON.stringify(filters);
    // Newest first: page 1 here is the API's last page (id order), read backwards.
    const asked = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
    const apiPage = (total) => Math.max(1, Math.ceil(total / PAGE_SIZE) - asked + 1);
    let known = state.lastTotal[key];
    let data = await api(`/task${query({ ...filters, page: apiPage(known ?? 0), page_size: PAGE_SIZE })}`);
    if (apiPage(data.total) !== data.page) {
      data = await api(`/task${query({ ...filters, page: apiPage(data.total), page_size: PAGE_SIZE })}`);
    }
    if (!live()) return;
    known = state.lastTotal[key] = data.total;
    const rows = [...data.list].reverse();
    const columns = [
      { title: "Task", value: taskLink },
      { title: "Status", value: (t) => badge(t.status_text) },
      { title: "Script", value: (t) => t.script_name },
      { title: "Serial", value: (t) => dash(t.serial), wrap: true },
      { title: "Account", value: (t) => dash(t.username), wrap: true },
      {
        title: "Manifest",
        value: (t) => (t.manifest ? h("a", { href: `#/tasks${query({ manifest: t.manifest })}` }, t.manifest) : "—"),
        wrap: true,
      },
      { title: "Start", value: (t) => dash(t.start_time) },
      { title: "End", value: (t) => dash(t.end_time) },
      { title: "Retries", value: (t) => String(t.retry_count), num: true },
      {
        // while it runs, how far it is; once ended, why (the last progress if it said nothing)
        title: "Progress / remark",
        value: (t) => (t.status === 1 ? progressOf(t) || "—" : t.remark || progressOf(t) || "—"),
        wrap: true,
      },
    ];
    const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
    const firstRow = (data.page - 1) * PAGE_SIZE + 1;
    const shown = data.list.length ? `${firstRow}–${firstRow + data.list.length - 1}` : "0";
    const hrefOf = (n) => `#/tasks${query({ ...filters, page: n })}`;
    frame(`tasks:${key}`, () => [
      h("h1", null, "Tasks"), tasksForm(p), h("div", { id: "tasks" }), h("div", { id: "tasks-pager" }),
    ]);
    fill("tasks", table(columns, rows, "No task matches."));
    fill("tasks-pager", pager(asked, pages, data.total, shown, hrefOf, true));
  }

  // -- one task --------------------------------------------------------------------------------

  function forget() {
    if (state.shot) URL.revokeObjectURL(state.shot.url);
    state.shot = null;
    state.hierarchy = null;
  }

  async function act(id, what) {
    try {
      await api(`/task/${id}/${what}`, { method: "POST" });
      hideBanner();
    } catch (e) {
      showBanner(`${what} task ${id}: ${e.message}`);
    }
    refresh(false);
  }

  async function taskView(route, live) {
    const id = parseInt(route.arg, 10);
    if (!Number.isSafeInteger(id) || id < 0) throw new ApiError(404, 40401, `no task ${route.arg}`);
    const [task, log, artifacts] = await Promise.all([
      api(`/task/${id}`), api(`/task/${id}/log?tail=${LOG_TAIL}`, { as: "text" }), api(`/task/${id}/artifacts`),
    ]);
    const byName = Object.fromEntries(artifacts.map((a) => [a.name, a]));
    const image = artifacts.find((a) => /\.(png|jpe?g)$/i.test(a.name));
    const xml = byName["hierarchy.xml"];
    if (image && (!state.shot || state.shot.key !== `${image.url}:${image.size}`)) {
      const blob = await api(image.url.replace(API, ""), { as: "blob" });
      forget();
      state.shot = { key: `${image.url}:${image.size}`, url: URL.createObjectURL(blob) };
    }
    if (xml && (!state.hierarchy || state.hierarchy.key !== `${xml.url}:${xml.size}`)) {
      const text = await api(xml.url.replace(API, ""), { as: "text" });
      // one element a line, still the file's text (shown with textContent, never parsed)
      state.hierarchy = { key: `${xml.url}:${xml.size}`, text: text.replace(/>\s*</g, ">\n<") };
    }
    if (!live()) return;
    frame(`task:${id}`, () => [
      h("h1", { id: "task-title" }),
      h("div", { class: "actions" },
        h("button", { id: "stop", class: "danger", disabled: true, onclick: () => act(id, "stop") }, "Stop"),
        h("button", { id: "retry", disabled: true, onclick: () => act(id, "retry") }, "Retry")),
      h("div", { class: "grid2" },
        h("section", null, h("h2", null, "Fields"), h("dl", { class: "fields", id: "task-fields" })),
        h("section", null, h("h2", null, "Screenshot"), h("div", { class: "shot", id: "task-shot" }))),
      h("h2", null, "Log"), h("pre", { id: "task-log" }),
      h("h2", null, "Files"), h("ul", { id: "task-files" }),
      h("div", { id: "task-xml" }),
    ]);
    const logBox = $("task-log");
    const atBottom = logBox.scrollTop + logBox.clientHeight >= logBox.scrollHeight - 4;
    const fields = [
      ["Status", badge(task.status_text)],
      ["Script", task.script_name],
      ["Serial", dash(task.serial)],
      ["Account", dash(task.username)],
      ["Manifest", task.manifest ? h("a", { href: `#/tasks${query({ manifest: task.manifest })}` }, task.manifest) : "—"],
      ["Source", dash(task.source)],
      ["Step", dash(task.step)],
      ["Job", String(task.job_count)],
      ["Created", dash(task.create_time)],
      ["Started", dash(task.start_time)],
      ["Ended", dash(task.end_time)],
      ["Retries", String(task.retry_count)],
      ["Progress", progressOf(task) || "—"],
      ["Progress updated", dash(task.progress && task.progress.updated)],
      ["Remark", dash(task.remark)],
      ["Script config", h("pre", null, JSON.stringify(task.script_config, null, 2))],
    ];
    fill("task-title", `Task #${task.id} `, badge(task.status_text));
    $("stop").disabled = !(task.status === 0 || task.status === 1);
    $("retry").disabled = task.status !== 3;
    fill("task-fields", ...fields.flatMap(([name, value]) => [h("dt", null, name), h("dd", null, value)]));
    if (logBox.textContent !== (log || "(no log yet)")) {
      logBox.textContent = log || "(no log yet)";
      if (atBottom) logBox.scrollTop = logBox.scrollHeight;
    }
    fill("task-files", ...artifacts.map((a) => h("li", null, `${a.name} (${a.size.toLocaleString()} bytes)`)));
    const img = $("screenshot");
    if (state.shot && image) {
      if (!img || img.getAttribute("src") !== state.shot.url) {
        fill("task-shot", h("img", { id: "screenshot", src: state.shot.url, alt: `screenshot of task ${id}` }));
      }
    } else if (img || !$("task-shot").childNodes.length) {
      fill("task-shot", h("p", { class: "muted" }, "No screenshot (a failed task keeps one)."));
    }
    const box = $("task-xml");
    if (state.hierarchy && xml) {
      if (box.dataset.key !== state.hierarchy.key) {
        box.dataset.key = state.hierarchy.key;
        fill("task-xml", h("details", { id: "hierarchy" }, h("summary", null, "Hierarchy (hierarchy.xml)"),
          h("pre", null, state.hierarchy.text)));
      }
    } else if (box.dataset.key !== "") {
      box.dataset.key = "";
      fill("task-xml", h("p", { class: "muted" }, "No hierarchy (a failed task keeps one)."));
    }
  }

  // -- manifests -------------------------------------------------------------------------------

  async function manifestsView(route, live) {
    const page = Math.max(1, parseInt(route.params.get("page") || "1", 10) || 1);
    const data = await api(`/manifests${query({ page, page_size: PAGE_SIZE })}`);
    if (!live()) return;
    const c = (name) => (m) => String(m.counts[name]);
    const columns = [
      { title: "Manifest", value: (m) => h("a", { href: `#/tasks${query({ manifest: m.name })}` }, m.name), wrap: true },
      { title: "Phase", value: (m) => badge(m.phase) },
      { title: "Source", value: (m) => m.source },
      { title: "Kind", value: (m) => dash(m.kind) },
      { title: "Tasks", value: c("total"), num: true },
      { title: "Pending", value: c("pending"), num: true },
      { title: "Running", value: c("running"), num: true },
      { title: "Completed", value: c("completed"), num: true },
      { title: "Failed", value: c("failed"), num: true },
      { title: "Last", value: (m) => dash(m.last_time) },
      { title: "File", value: (m) => dash(m.file), wrap: true },
      {
        title: "Error",
        value: (m) => (m.error ? h("span", { class: "s-failed" }, m.error.code ? `${m.error.code}: ${m.error.message}` : m.error.message) : "—"),
        wrap: true,
      },
    ];
    const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
    const from = (page - 1) * PAGE_SIZE + 1;
    const shown = data.list.length ? `${from}–${from + data.list.length - 1}` : "0";
    frame("manifests", () => [h("h1", null, "Manifests"), h("div", { id: "manifests" }), h("div", { id: "manifests-pager" })]);
    fill("manifests", table(columns, data.list, "No manifest yet."));
    fill("manifests-pager", pager(page, pages, data.total, shown, (n) => `#/manifests${query({ page: n })}`, false));
  }

  // -- routing and polling ---------------------------------------------------------------------

  const VIEWS = {
    phones: phonesView, accounts: accountsView, tasks: tasksView, task: taskView, manifests: manifestsView,
  };

  function route() {
    const raw = location.hash.replace(/^#\/?/, "");
    const cut = raw.indexOf("?");
    const path = cut < 0 ? raw : raw.slice(0, cut);
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const view = VIEWS[parts[0]] ? parts[0] : "phones";
    return { view, arg: parts[1], params: new URLSearchParams(cut < 0 ? "" : raw.slice(cut + 1)) };
  }

  function showBanner(text) {
    const banner = $("banner");
    banner.textContent = text;
    banner.hidden = false;
  }

  function hideBanner() {
    $("banner").hidden = true;
  }

  async function refresh(first) {
    clearTimeout(state.timer);
    const generation = state.generation;
    const live = () => generation === state.generation;
    const r = route();
    for (const link of document.querySelectorAll("nav a")) {
      link.classList.toggle("active", link.dataset.view === (r.view === "task" ? "tasks" : r.view));
    }
    try {
      await Promise.all([loadStats(), VIEWS[r.view](r, live, first)]);
      if (!live()) return;
      hideBanner();
      $("token-form").hidden = true;
      $("updated").textContent = `Updated ${new Date().toLocaleTimeString()} · every ${POLL_MS / 1000} s`;
    } catch (e) {
      if (!live()) return;
      showBanner(e instanceof ApiError || e instanceof TypeError ? e.message : String(e));
      if (first) setView(h("p", { class: "muted" }, "Nothing to show."));
    }
    if (live() && !document.hidden) state.timer = setTimeout(() => refresh(false), POLL_MS);
  }

  function navigate() {
    state.generation += 1;
    $("view").dataset.frame = "";
    forget();
    refresh(true);
  }

  takeTokenFromAddress();
  $("token-form").addEventListener("submit", useToken);
  window.addEventListener("hashchange", navigate);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh(false);
  });
  navigate();
})();
