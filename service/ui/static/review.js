// Raqib's moderator page: reads and acts through the JSON review API with the session cookie and
// its CSRF token. No framework, no CDN; every text node is set with textContent (no HTML injection).
"use strict";

const T = JSON.parse(document.getElementById("strings").textContent);
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const PAGE = document.body.dataset.page;
const LANG = document.body.dataset.lang;
const CATEGORIES = ["offensive", "hate", "vulgar", "violence", "spam", "sexual"];
const REFRESH_MS = 5000;
const PAGE_SIZE = 50;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "style") Object.assign(node.style, value); // CSSOM: allowed by the page's CSP
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body) {
  const headers = { "X-CSRF-Token": CSRF, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.location.assign("/review/signin");
    throw new Error("signed out");
  }
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(data && data.message ? data.message : `HTTP ${response.status}`);
  return data;
}

function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(LANG === "ar" ? "ar-MA" : LANG, { dateStyle: "short", timeStyle: "short" });
}

function label(key) {
  return T[key] || key;
}

function showError(target, error) {
  target.replaceChildren(el("p", { class: "error", role: "alert" }, `${T.error}: ${error.message}`));
}

// Bars: one row per [name, value] with value in [0, max]; drawn with CSS so right-to-left works.
function bars(target, rows, max, format) {
  if (!rows.length) {
    target.replaceChildren(el("p", { class: "muted" }, T.no_data));
    return;
  }
  const top = max || Math.max(1, ...rows.map((r) => r[1] || 0));
  target.replaceChildren(
    ...rows.map(([name, value]) => {
      const pct = Math.round(((value || 0) / top) * 100);
      const shown = value === null || value === undefined ? "—" : format ? format(value) : value;
      return el("div", { class: "bar-row" },
        el("span", { class: "bar-label", title: name }, name),
        el("span", { class: "bar-track", role: "img", "aria-label": `${name}: ${shown}` },
          el("span", { class: "bar-fill", style: { inlineSize: `${pct}%` } })),
        el("span", { class: "bar-value" }, shown));
    }),
  );
}

// Columns: one column per day, stacked by series; the tallest day fills the height.
function columns(target, days, series) {
  const totals = days.map(([, row]) => series.reduce((sum, s) => sum + (row[s] || 0), 0));
  const top = Math.max(1, ...totals);
  target.replaceChildren(
    el("div", { class: "columns" }, days.map(([day, row], i) =>
      el("div", { class: "column", role: "img", "aria-label": `${day}: ${series.map((s) => `${label(s)} ${row[s] || 0}`).join(", ")}` },
        el("div", { class: "stack", style: { blockSize: `${Math.round((totals[i] / top) * 100)}%` } },
          series.map((s) => el("span", { class: `seg seg-${s}`, style: { flexGrow: String(row[s] || 0) } }))),
        el("span", { class: "column-label", title: day }, day.slice(8))))),  // the day of the month: never split
    el("p", { class: "legend" }, series.map((s) => el("span", { class: `key seg-${s}` }, label(s)))),
  );
}

// The queue: filters, counts per status, live refresh.
function queuePage() {
  const form = document.getElementById("filters");
  const list = document.getElementById("queue");
  const counts = document.getElementById("counts");
  const params = new URLSearchParams(window.location.search);
  for (const select of form.elements) if (params.get(select.name)) select.value = params.get(select.name);

  // Pages follow the API's cursor: cursors[i] opens page i (null: the first); the live refresh
  // reloads the page shown.
  const previous = document.getElementById("previous-page");
  const next = document.getElementById("next-page");
  let cursors = [null];
  let shown = 0;

  async function refresh() {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const select of form.elements) if (select.value) query.set(select.name, select.value);
    if (cursors[shown]) query.set("cursor", cursors[shown]);
    try {
      const [page, stats] = await Promise.all([api("GET", `/v1/review/queue?${query}`), api("GET", "/v1/review/stats")]);
      counts.textContent = `${T.pending}: ${stats.queue.pending} · ${T.hidden}: ${stats.queue.hidden} · ${T.held}: ${stats.queue.held}`;
      list.replaceChildren(...(page.items.length ? page.items.map(queueEntry) : [el("li", { class: "muted" }, T.empty_queue)]));
      cursors = cursors.slice(0, shown + 1);
      if (page.next_cursor) cursors.push(page.next_cursor);
      next.disabled = !page.next_cursor;
      previous.disabled = shown === 0;
      document.getElementById("page-number").textContent = `${T.page} ${shown + 1}`;
      document.getElementById("updated").textContent = when(new Date().toISOString());
    } catch (error) {
      showError(list, error);
    }
    list.setAttribute("aria-busy", "false");
  }
  form.addEventListener("change", () => {
    const query = new URLSearchParams();
    for (const select of form.elements) if (select.value) query.set(select.name, select.value);
    history.replaceState(null, "", `?${query}`);
    cursors = [null];
    shown = 0;
    refresh();
  });
  next.addEventListener("click", () => { shown += 1; refresh(); });
  previous.addEventListener("click", () => { shown = Math.max(0, shown - 1); refresh(); });
  refresh();
  setInterval(() => document.visibilityState === "visible" && refresh(), REFRESH_MS);
}

function queueEntry(entry) {
  const reasons = Object.entries(entry.reasons).map(([r, n]) => `${label(r)} ×${n}`).join("، ");
  return el("li", { class: "entry", "data-item-id": entry.item_id },
    el("a", { href: `/review/items/${encodeURIComponent(entry.item_id)}` }, entry.item_id),
    el("span", { class: `badge ${entry.status}` }, label(entry.status)),
    el("span", {}, label(entry.item_type)),
    entry.excerpt ? el("span", { class: "excerpt", dir: "auto" }, entry.excerpt) : null,
    el("span", {}, `${T.reports}: ${entry.reports}`),
    el("span", { class: "muted" }, reasons),
    // an image's queue score is its highest of every category (sexual included), a comment's its offensive score
    entry.offensive !== null
      ? el("span", {}, `${entry.item_type === "image" ? T.top_score : T.offensive}: ${Math.round(entry.offensive * 100)}%`)
      : null,
    entry.claimed_by ? el("span", { class: "claimed" }, `${T.claimed_by}: ${entry.claimed_by}`) : null,
    el("time", { class: "muted", datetime: entry.waiting_since }, when(entry.waiting_since)));
}

// A reported image, blurred until the moderator asks to see it (moderators' wellbeing); the
// operator may turn blurring off (RAQIB_UI_BLUR_IMAGES=false).
function preview(src, alt, blurred) {
  const img = el("img", { src, alt, class: blurred ? "preview blurred" : "preview" });
  if (!blurred) return img;
  const toggle = el("button", { type: "button", class: "reveal", "aria-pressed": "false" }, T.show_image);
  const flip = () => {
    const hidden = img.classList.toggle("blurred");
    toggle.textContent = hidden ? T.show_image : T.hide_image;
    toggle.setAttribute("aria-pressed", String(!hidden));
  };
  toggle.addEventListener("click", flip);
  img.addEventListener("click", () => img.classList.contains("blurred") && flip());
  return el("figure", { class: "image" }, img, el("figcaption", { class: "muted" }, T.blurred_note, " ", toggle));
}

// One item: content, scores, reports, history; claim and decide.
function itemPage() {
  const root = document.getElementById("item");
  const id = root.dataset.itemId;
  const base = `/v1/review/items/${encodeURIComponent(id)}`;
  const form = document.getElementById("decide");
  const outcome = document.getElementById("outcome");

  async function load() {
    try {
      render(await api("GET", base));
    } catch (error) {
      showError(document.getElementById("content"), error);
    }
    root.setAttribute("aria-busy", "false");
  }

  function render(item) {
    const status = document.getElementById("item-status");
    status.textContent = label(item.status);
    status.className = `badge ${item.status}`;
    document.getElementById("claim").textContent = item.claim ? `${T.claimed_by}: ${item.claim.claimed_by}` : "";
    const content = [];
    if (item.text) {
      content.push(el("h2", {}, T.text), el("h3", {}, T.original), el("p", { class: "text", dir: "auto" }, item.text));
      if (item.text_normalized && item.text_normalized !== item.text) {
        content.push(el("h3", {}, T.normalized), el("p", { class: "text", dir: "auto" }, item.text_normalized));
      }
    }
    if (item.image && item.image.url) {
      content.push(el("p", {}, el("a", { href: item.image.url, rel: "noopener noreferrer", target: "_blank", dir: "ltr" }, item.image.url)));
    }
    const image = item.image_analysis;
    if (image) {
      if (image.preview_url) content.push(preview(image.preview_url, `${T.image} ${item.item_id}`, root.dataset.blur === "true"));
      if (image.ocr_text) content.push(el("h3", {}, T.text_in_image), el("p", { class: "text", dir: "auto" }, image.ocr_text));
      if (image.bank_match) content.push(el("p", { class: "warning" }, `${T.bank_match}: ${image.bank_match.entry} (${image.bank_match.distance})`));
      if (image.image_error) content.push(el("p", { class: "error" }, image.image_error));
    }
    document.getElementById("content").replaceChildren(...content);
    const scores = item.scores || {};
    bars(document.getElementById("scores"), CATEGORIES.filter((c) => c in scores).map((c) => [label(c), scores[c]]), 1,
      (v) => `${Math.round(v * 100)}%`);
    document.getElementById("reports").replaceChildren(...item.reports_list.map((r) =>
      el("li", {}, el("strong", {}, label(r.reason)), " · ", `${T.reporter}: ${r.reporter_id}`,
        r.reporter_trust ? ` · ${T.trust}: ${Number(r.reporter_trust.weight).toFixed(2)}` : "", " · ", when(r.at),
        r.note ? el("p", { class: "note", dir: "auto" }, r.note) : null)));
    renderAppeal(item);
    if (item.author_id) loadAuthor(item.author_id);
    document.getElementById("history").replaceChildren(...item.history.map((h) =>
      el("li", {}, el("time", { datetime: h.at }, when(h.at)), " ", el("code", {}, h.type), " ",
        h.from !== h.to ? `${label(h.from)} → ${label(h.to)}` : "", " · ", h.actor,
        h.rule ? el("span", { class: "rule", title: h.rule }, ` · ${label(`rule_${h.rule}`)}`) : "")));
  }

  // The moderator always picks the reason: nothing is decided on a default.
  function codeFor(action) {
    const select = document.getElementById("reason_code");
    const chosen = select.selectedOptions[0];
    if (!chosen || !chosen.value) throw new Error(T.reason_required);
    const removing = action === "remove" || action === "uphold";
    if (chosen.dataset.for !== (removing ? "remove" : "keep")) throw new Error(T.reason_mismatch);
    return chosen.value;
  }

  async function decide(action) {
    let code;
    try {
      code = codeFor(action);
    } catch (error) {
      showError(outcome, error);
      document.getElementById("reason_code").focus();
      return;
    }
    const body = { action, reason_code: code, override: document.getElementById("override").checked };
    const note = document.getElementById("note").value.trim();
    if (note) body.note = note;
    try {
      const result = await api("POST", `${base}/decision`, body);
      const s = result.statement;
      outcome.replaceChildren(
        el("p", { class: "ok" }, `${T.decided}: ${label(action)} → ${label(result.status)}`),
        el("h3", {}, T.statement),
        el("p", { lang: "ar", dir: "rtl" }, s.explanation.ar),
        el("p", { lang: "fr", dir: "ltr" }, s.explanation.fr));
      load();
    } catch (error) {
      showError(outcome, error);
    }
  }

  function renderAppeal(item) {
    const card = document.getElementById("appeal-card");
    card.hidden = !item.appeal;
    if (!item.appeal) return;
    document.getElementById("appeal").textContent = `${label(item.appeal.state)} · ${item.appeal.statement || ""}`;
    for (const button of card.querySelectorAll("button")) button.disabled = item.appeal.state !== "pending";
  }

  async function loadAuthor(authorId) {
    try {
      const a = await api("GET", `/v1/authors/${encodeURIComponent(authorId)}`);
      document.getElementById("author-card").hidden = false;
      document.getElementById("author-id").textContent = a.author_id;
      const sanction = a.sanction ? `${label(a.sanction.action)}${a.sanction.until ? ` → ${when(a.sanction.until)}` : ""}` : "—";
      document.getElementById("author-summary").textContent =
        `${T.strikes}: ${a.strikes} · ${T.sanction}: ${sanction} · ${T.submitted}: ${a.counts.submitted} · ` +
        `${T.removed}: ${a.counts.removed}`;
      document.getElementById("author-items").replaceChildren(...a.recent_items.slice(0, 5).map((i) =>
        el("li", {}, el("a", { href: `/review/items/${encodeURIComponent(i.item_id)}` }, i.item_id), " · ",
          label(i.status), i.excerpt ? el("span", { class: "muted", dir: "auto" }, ` · ${i.excerpt}`) : "")));
    } catch (error) {
      document.getElementById("author-card").hidden = true;
    }
  }

  async function sanctionAuthor(action) {
    if (!window.confirm(`${T.confirm_sanction} (${label(action)})`)) return;
    const body = { action };
    if (action === "suspend") body.duration_s = 7 * 86400;
    try {
      await api("POST", `/v1/authors/${encodeURIComponent(document.getElementById("author-id").textContent)}/sanction`, body);
      load();
    } catch (error) {
      showError(outcome, error);
    }
  }

  async function claim() {
    try {
      await api("POST", `${base}/claim`, {});
      load();
    } catch (error) {
      showError(outcome, error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    decide(event.submitter ? event.submitter.value : "remove");
  });
  document.getElementById("claim-button").addEventListener("click", claim);
  for (const button of document.querySelectorAll("[data-sanction]")) {
    button.addEventListener("click", () => sanctionAuthor(button.dataset.sanction));
  }
  for (const button of document.querySelectorAll("[data-appeal]")) {
    button.addEventListener("click", () => decide(button.dataset.appeal));
  }
  document.addEventListener("keydown", (event) => {
    const t = event.target;
    const typing = t.tagName === "TEXTAREA" || t.tagName === "SELECT" || (t.tagName === "INPUT" && !["checkbox", "radio"].includes(t.type));
    if (event.ctrlKey || event.metaKey || event.altKey || typing) return;
    const actions = { r: "remove", s: "restore", d: "dismiss", a: "approve" };
    const key = event.key.toLowerCase();
    if (actions[key]) decide(actions[key]);
    else if (key === "c") claim();
    else if (key === "q") window.location.assign("/review/queue");
  });
  load();
}

// Statistics: queue size, decisions per day, median time to decision, auto-hide precision.
async function statsPage() {
  try {
    const stats = await api("GET", "/v1/review/stats");
    bars(document.getElementById("chart-queue"), [[T.pending, stats.queue.pending], [T.hidden, stats.queue.hidden]]);
    const days = Object.entries(stats.decisions_per_day);
    columns(document.getElementById("chart-decisions"), days, ["remove", "restore", "dismiss"]);
    bars(document.getElementById("chart-median"), days.filter(([, row]) => row.median_time_to_decision_s !== null)
      .map(([day, row]) => [`${day.slice(8)}/${day.slice(5, 7)}`, row.median_time_to_decision_s]));
    bars(document.getElementById("chart-precision"), Object.entries(stats.auto_hide)
      .map(([reason, row]) => [label(reason), row.precision]), 1, (v) => `${Math.round(v * 100)}%`);
  } catch (error) {
    showError(document.getElementById("chart-queue"), error);
  }
}

// Transparency (admin sessions): the DSA report over the chosen period, as figures and charts,
// and the same period's CSV.
function transparencyPage() {
  const form = document.getElementById("period");
  if (!form) return; // a moderator's session: the page says the report is for admin keys
  const csv = document.getElementById("csv");
  const figures = document.getElementById("key-figures");
  const entries = (counts, names) => Object.entries(counts || {}).map(([key, value]) => [names(key), value]);
  const category = (key) => T[`tc_${key}`] || key.replace("STATEMENT_CATEGORY_", "");
  const percent = (v) => `${Math.round(v * 100)}%`;

  async function load() {
    const period = new URLSearchParams({ from: form.elements.from.value, to: form.elements.to.value });
    csv.href = `/v1/transparency/report?${period}&format=csv`;
    try {
      const r = await api("GET", `/v1/transparency/report?${period}`);
      const shown = (v) => (v === null || v === undefined ? "—" : v);
      figures.replaceChildren(...[
        [T.notices_total, r.notices.total], [T.notices_acted, r.notices.acted_on],
        [T.notices_median, shown(r.notices.median_time_to_action_s)], [T.actions_total, r.actions.total],
        [T.appeals_total, r.appeals.received], [T.appeals_median, shown(r.appeals.median_time_to_decision_s)],
        [T.sanctions_total, r.sanctions.total],
      ].map(([name, value]) => el("div", { class: "figure" }, el("dt", {}, name), el("dd", {}, String(value)))));
      bars(document.getElementById("chart-notice-sources"), entries(r.notices.by_source, label));
      bars(document.getElementById("chart-notice-categories"), entries(r.notices.by_category, category));
      bars(document.getElementById("chart-grounds"), entries(r.actions.by_ground, label));
      bars(document.getElementById("chart-automation"), entries(r.actions.by_automation, label));
      bars(document.getElementById("chart-restrictions"), entries(r.actions.by_restriction, (k) => T[`tr_${k}`] || k));
      bars(document.getElementById("chart-action-categories"), entries(r.actions.by_category, category));
      bars(document.getElementById("chart-appeals"),
        [[T.received, r.appeals.received], [T.upheld, r.appeals.upheld], [T.reversed, r.appeals.reversed]]);
      bars(document.getElementById("chart-auto-hide"), Object.entries(r.automated_means.auto_hide)
        .map(([reason, row]) => [label(reason), row.precision]), 1, percent);
      bars(document.getElementById("chart-model"), entries(r.automated_means.model_dev_macro_f1, label), 1,
        (v) => v.toFixed(3));
    } catch (error) {
      showError(figures, error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  load();
}

({ queue: queuePage, item: itemPage, stats: statsPage, transparency: transparencyPage })[PAGE]?.();
