// Settings section "Import" (stash_import plugin): pick Stash's database with the server-side browser,
// map Stash's path prefixes to ours, check the file (version, counts, top folders), start a dry run
// or the import, follow its progress and read the report. Mounted by the Settings page
// (SettingsSection.module) with the section element and the page's abort signal; it polls
// /api/imports/stash every second only while a run is waiting or running.
import { get, post } from "/static/js/api.js";
import { formatBytes, formatCount, formatDateTime, plural } from "/static/js/format.js";
import { escapeHtml, icon, toast } from "/static/js/ui.js";

const POLL_MS = 1000;
const EXTENSIONS = ["sqlite", "db"];
const COUNT_LABELS = {
  scenes: "Scenes",
  files: "Files",
  performers: "Performers",
  studios: "Studios",
  tags: "Tags",
  markers: "Markers",
  galleries: "Galleries",
  images: "Images",
  groups: "Groups (movies)",
  saved_filters: "Saved filters",
};
// The report's entities in this order (the main ones first, then the links between them); others after.
const ENTITY_ORDER = ["scenes", "performers", "studios", "studio_parents", "tags", "tag_parents", "markers", "galleries",
  "images", "groups", "saved_filters", "links", "stash_ids"];
const STATUSES = [
  ["read", "Read"],
  ["created", "Created"],
  ["merged", "Merged"],
  ["updated", "Updated"],
  ["unchanged", "Unchanged"],
  ["skipped", "Skipped"],
];

const isPending = (run) => !!run && (run.status === "waiting" || run.status === "active");
const labelOf = (key) => COUNT_LABELS[key] || key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
const isDry = (run) => !!(run?.result?.dryRun ?? run?.payload?.dryRun);
const listHtml = (items, cls = "si-list") => `<ul class="${cls}">${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
const code = (text) => `<code>${escapeHtml(text)}</code>`;
const hasExtension = (path) => EXTENSIONS.some((ext) => path.toLowerCase().endsWith(`.${ext}`));

// ------------------------------------------------------------------------------------------ HTML

function checkHtml(data) {
  const counts = Object.entries(data.counts)
    .map(([key, n]) => `<div class="si-count"><dt>${escapeHtml(labelOf(key))}</dt><dd>${formatCount(n)}</dd></div>`)
    .join("");
  const folders = data.topFolders.length
    ? listHtml(
        data.topFolders.map((f) => {
          const badge = f.exists
            ? `<span class="badge badge-ok">${icon("check", "i i-s")}found</span>`
            : `<span class="badge badge-warn">${icon("alert", "i i-s")}not found here</span>`;
          const here = f.here !== f.stash ? ` <span class="muted" aria-hidden="true">→</span><span class="sr-only">becomes</span> ${code(f.here)}` : "";
          return `<span class="si-folder">${code(f.stash)}${here}</span> ${badge}`;
        }),
        "si-list si-folders",
      )
    : `<p class="muted small">The database names no folders.</p>`;
  const unused = data.unusedMappings.length
    ? `<p class="error-text form-error" role="alert" data-si-unused>${escapeHtml(
        `${data.unusedMappings.length === 1 ? "This mapping maps" : "These mappings map"} nothing (no path in the ` +
          `Stash database starts with ${data.unusedMappings.length === 1 ? "it" : "them"}): ` +
          data.unusedMappings.join(", "),
      )}</p>`
    : "";
  const missing = data.topFolders.filter((f) => !f.exists).length;
  const hint = missing
    ? `<p class="hint">No library folder can hold the files of a folder not found here, so they are skipped: map it to where it is on this server.</p>`
    : "";
  return `<div class="si-box" data-si-checked>
    <h3>Stash schema ${escapeHtml(data.schemaVersion)} <span class="muted si-file">${code(data.path)}</span></h3>
    <dl class="si-counts">${counts}</dl>
    <h4>Top folders</h4>${folders}${hint}${unused}</div>`;
}

function progressHtml(run) {
  const what = isDry(run) ? "Dry run" : "Importing";
  const waiting = run.status === "waiting";
  const label = waiting ? `${what}: waiting for a worker…` : `${what}: ${run.progress}%`;
  const note = run.progressNote ? `<span class="si-note">${escapeHtml(run.progressNote)}</span>` : "";
  return `<div class="si-progress" data-si-progress>
    <div class="si-progress-head"><span data-si-progress-label>${escapeHtml(label)}</span>
      <button class="btn btn-s" type="button" data-si-cancel>${icon("x", "i i-s")}Cancel</button></div>
    <div class="progress${waiting ? " is-idle" : ""}" role="progressbar" aria-valuemin="0" aria-valuemax="100"
      aria-valuenow="${run.progress}" aria-label="${escapeHtml(what)}"><i style="width:${run.progress}%"></i></div>${note}</div>`;
}

const rank = (key) => (ENTITY_ORDER.includes(key) ? ENTITY_ORDER.indexOf(key) : ENTITY_ORDER.length);
const ordered = (entities) => Object.entries(entities).sort(([a], [b]) => rank(a) - rank(b));

function entitiesHtml(entities) {
  const rows = ordered(entities);
  if (!rows.length) return `<p class="muted">Nothing was read.</p>`;
  const head = STATUSES.map(([, label]) => `<th scope="col">${label}</th>`).join("");
  const body = rows
    .map(([key, e]) => {
      const cells = STATUSES.map(
        ([k, label]) => `<td data-label="${label}" data-col="${k}"${k === "skipped" && e[k] ? ' class="is-skipped"' : ""}>${formatCount(e[k])}</td>`,
      ).join("");
      return `<tr data-entity="${escapeHtml(key)}"><th scope="row">${escapeHtml(e.label)}</th>${cells}</tr>`;
    })
    .join("");
  return `<div class="table-wrap"><table class="table si-table"><caption class="sr-only">What each Stash entity became</caption>
    <thead><tr><th scope="col">Entity</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function section(title, inner, attrs = "") {
  return `<div class="si-part"${attrs}><h4>${title}</h4>${inner}</div>`;
}

function reportHtml(run) {
  const r = run.result;
  const parts = [];
  const entities = ordered(r.entities).map(([, e]) => e);
  const skipped = entities.flatMap((e) =>
    Object.entries(e.skippedReasons).map(([why, n]) => `<strong>${escapeHtml(e.label)}</strong>: ${formatCount(n)} × ${escapeHtml(why)}`),
  );
  if (skipped.length) parts.push(section("Skipped", listHtml(skipped), " data-si-skipped"));
  const unmapped = entities
    .filter((e) => Object.keys(e.unmappedFields).length)
    .map(
      (e) =>
        `<strong>${escapeHtml(e.label)}</strong>: ${Object.entries(e.unmappedFields)
          .map(([f, n]) => `${code(f)} <span class="muted">(${formatCount(n)})</span>`)
          .join(", ")}`,
    );
  if (unmapped.length) {
    parts.push(
      section(
        "Fields with no home in Obscura",
        `<p class="hint">These values were read but have nowhere to go here; they stay in Stash.</p>${listHtml(unmapped)}`,
        " data-si-unmapped",
      ),
    );
  }
  if (r.rootsCreated.length) parts.push(section(r.dryRun ? "Library roots it would create" : "Library roots created", listHtml(r.rootsCreated.map(code)), " data-si-roots"));
  if (r.rootsUsed?.length) parts.push(section("Library roots used", listHtml([...new Set(r.rootsUsed)].map(code))));
  if (r.missingFolders.length) {
    parts.push(
      section(
        "Stash folders not found here",
        `<p class="hint">Map them to where they are on this server, then run the import again.</p>${listHtml(
          r.missingFolders.map((m) => `${code(m.stash)} <span class="muted">→</span> ${code(m.here)}`),
        )}`,
        " data-si-missing-folders",
      ),
    );
  }
  const unrooted = Object.entries(r.unmappedPaths);
  if (unrooted.length) {
    parts.push(
      section(
        "Files under no library root",
        listHtml(unrooted.map(([p, n]) => `${code(p)} <span class="muted">(${plural(n, "file")})</span>`)),
        " data-si-unrooted",
      ),
    );
  }
  if (r.missingFiles) parts.push(`<p class="si-line" data-si-missing-files>${escapeHtml(`${plural(r.missingFiles, "file is", "files are")} not on disk: imported as missing.`)}</p>`);
  const filters = r.savedFilters.filter((f) => !f.imported);
  const imported = r.savedFilters.length - filters.length;
  if (r.savedFilters.length) {
    const lines = filters.map(
      (f) => `<strong>${escapeHtml(f.name)}</strong>${f.problems.length ? listHtml(f.problems.map(escapeHtml), "si-list si-sublist") : ""}`,
    );
    const head = imported ? `<p class="si-line">${escapeHtml(`${plural(imported, "saved filter")} became dynamic collections.`)}</p>` : "";
    parts.push(section(filters.length ? "Saved filters not imported" : "Saved filters", head + (lines.length ? listHtml(lines) : ""), " data-si-filters"));
  }
  if (r.notes.length) parts.push(section("Notes", listHtml(r.notes.map(escapeHtml)), " data-si-notes"));
  if (r.warningCount) {
    const more = r.warningCount > r.warnings.length ? `<p class="hint">${escapeHtml(`and ${formatCount(r.warningCount - r.warnings.length)} more`)}</p>` : "";
    parts.push(
      `<details class="si-part si-warnings" data-si-warnings${r.warningCount <= 10 ? " open" : ""}><summary><h4>Warnings (${formatCount(
        r.warningCount,
      )})</h4></summary>${listHtml(r.warnings.map(escapeHtml))}${more}</details>`,
    );
  }
  return `${entitiesHtml(r.entities)}${parts.join("")}`;
}

function runHtml(run, latest) {
  const when = formatDateTime(run.finishedAt || run.createdAt);
  const dry = isDry(run) ? `<span class="badge badge-accent" data-si-dry>dry run</span>` : "";
  const file = run.result?.path || run.payload?.path || "";
  let title;
  let body = "";
  if (run.status === "completed" && run.result) {
    const r = run.result;
    title = r.dryRun ? "Dry run: nothing was written" : "Imported";
    const meta = [`Stash schema ${r.schemaVersion}`, `${r.seconds} s`, when].filter(Boolean).join(" · ");
    body = `<p class="muted small si-meta">${code(file)} · ${escapeHtml(meta)}</p>${reportHtml(run)}`;
  } else if (run.status === "failed") {
    title = isDry(run) ? "The dry run failed" : "The import failed";
    body = `<p class="muted small si-meta">${code(file)} · ${escapeHtml(when)}</p>
      <div class="notice is-error" role="alert" data-si-failed>${icon("alert", "i i-s")}<span>${escapeHtml(run.error || "Unknown error.")}</span></div>`;
  } else if (run.status === "cancelled" || run.status === "dismissed") {
    title = isDry(run) ? "The dry run was cancelled" : "The import was cancelled";
    const keep = isDry(run) ? "Nothing was written." : "What was imported before stays; run it again to go on.";
    body = `<p class="muted small si-meta">${code(file)} · ${escapeHtml(when)}</p><p class="si-line">${escapeHtml(keep)}</p>`;
  } else {
    return "";
  }
  return `<div class="si-report-head"><h3>${escapeHtml(latest ? title : `${title} (earlier run)`)}</h3>${dry}</div>${body}`;
}

function historyHtml(runs, shown) {
  const done = runs.filter((r) => !isPending(r));
  if (done.length < 2) return "";
  const items = done.map((r) => {
    const status = r.status === "completed" ? (isDry(r) ? "dry run" : "import") : r.status === "failed" ? "failed" : "cancelled";
    const text = `${formatDateTime(r.finishedAt || r.createdAt)} · ${status}`;
    const current = r.id === shown ? ' aria-current="true"' : "";
    return `<button type="button" class="btn btn-s btn-ghost" data-si-show="${escapeHtml(r.id)}"${current}>${escapeHtml(text)}</button>`;
  });
  return `<nav class="si-history" aria-label="Reports of earlier runs"><span class="muted small">Reports:</span> ${items.join(" ")}</nav>`;
}

// ------------------------------------------------------------------------------------------ mount

export function mount({ root, signal }) {
  const box = root.querySelector("[data-stash-import]");
  if (!box) return;
  let state = JSON.parse(box.querySelector("[data-stash-import-initial]").textContent);
  const form = box.querySelector("[data-si-form]");
  const pathInput = box.querySelector("#si-path");
  const createRoots = box.querySelector("#si-create-roots");
  const mapList = box.querySelector("[data-si-maps]");
  const errorEl = box.querySelector("[data-si-error]");
  const checkEl = box.querySelector("[data-si-check-result]");
  const runEl = box.querySelector("[data-si-run]");
  const reportEl = box.querySelector("[data-si-report]");
  const checkButton = box.querySelector("[data-si-check]");
  const startButtons = [...box.querySelectorAll("[data-si-start]")];
  let timer = null;
  let shownRun = null; // the run whose report is shown (null: the latest finished one)
  let reportKey = null;
  let mapSeq = 0;

  // ---------------------------------------------------------------------------- form & errors

  function showError(message, field = null) {
    errorEl.textContent = message || "";
    errorEl.hidden = !message;
    box.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    if (message && field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  function addMapRow(from = "", to = "", { focus = false } = {}) {
    const n = ++mapSeq;
    const li = document.createElement("li");
    li.className = "si-map";
    li.innerHTML = `<div class="field"><label for="si-map-${n}-from">Stash path</label>
        <input class="input mono" id="si-map-${n}-from" data-map-from autocomplete="off" spellcheck="false" autocapitalize="off" placeholder="/data"></div>
      <span class="si-arrow" aria-hidden="true">→</span>
      <div class="field"><label for="si-map-${n}-to">Path here</label>
        <input class="input mono" id="si-map-${n}-to" data-map-to autocomplete="off" spellcheck="false" autocapitalize="off" placeholder="/mnt/media"></div>
      <button class="btn btn-icon btn-ghost si-map-remove" type="button" data-map-remove aria-label="Remove this mapping" title="Remove this mapping">${icon("trash", "i i-s")}</button>`;
    li.querySelector("[data-map-from]").value = from;
    li.querySelector("[data-map-to]").value = to;
    mapList.append(li);
    if (focus) li.querySelector("[data-map-from]").focus();
    return li;
  }

  function removeMapRow(li) {
    const rows = [...mapList.children];
    const index = rows.indexOf(li);
    li.remove();
    if (!mapList.children.length) addMapRow();
    const next = mapList.children[Math.min(index, mapList.children.length - 1)];
    next?.querySelector("[data-map-from]")?.focus();
  }

  /** The request body, or null after showing what is wrong. */
  function body(dryRun = false) {
    showError("");
    const path = pathInput.value.trim();
    if (!path) {
      showError("Choose Stash's database file (stash-go.sqlite), or type its path.", pathInput);
      return null;
    }
    const pathMap = {};
    for (const [i, li] of [...mapList.children].entries()) {
      const from = li.querySelector("[data-map-from]");
      const to = li.querySelector("[data-map-to]");
      const a = from.value.trim();
      const b = to.value.trim();
      if (!a && !b) continue;
      if (!a || !b) {
        showError(`Mapping ${i + 1}: give both the Stash path and the path here, or remove it.`, a ? to : from);
        return null;
      }
      if (a in pathMap) {
        showError(`Mapping ${i + 1}: ${a} is mapped twice.`, from);
        return null;
      }
      pathMap[a] = b;
    }
    return { path, pathMap, dryRun, createRoots: createRoots.checked };
  }

  // ---------------------------------------------------------------------------- check

  async function check() {
    const req = body();
    if (!req) return;
    checkButton.disabled = true;
    checkButton.setAttribute("aria-busy", "true");
    try {
      const data = await post("/api/imports/stash/check", req);
      if (signal.aborted) return;
      checkEl.innerHTML = checkHtml(data);
    } catch (err) {
      if (signal.aborted) return;
      checkEl.innerHTML = "";
      showError(err.message, pathInput);
    } finally {
      checkButton.disabled = false;
      checkButton.removeAttribute("aria-busy");
    }
  }

  // ---------------------------------------------------------------------------- runs

  function latest() {
    return state.runs[0] || null;
  }

  function render() {
    const run = latest();
    const pending = isPending(run);
    startButtons.forEach((b) => (b.disabled = pending));
    if (pending) {
      if (!runEl.querySelector("[data-si-progress]")) runEl.innerHTML = progressHtml(run);
      else updateProgress(run);
    } else {
      runEl.innerHTML = "";
    }
    const finished = state.runs.filter((r) => !isPending(r));
    const shown = finished.find((r) => r.id === shownRun) || finished[0] || null;
    const key = shown ? `${shown.id}:${shown.status}:${state.runs.length}` : null;
    if (key !== reportKey) {
      reportKey = key;
      reportEl.innerHTML = shown ? runHtml(shown, shown === finished[0]) + historyHtml(state.runs, shown.id) : "";
      reportEl.dataset.runId = shown ? shown.id : "";
      reportEl.dataset.status = shown ? shown.status : "";
    }
    clearTimeout(timer);
    if (pending && !signal.aborted) timer = setTimeout(refresh, POLL_MS);
  }

  function updateProgress(run) {
    const what = isDry(run) ? "Dry run" : "Importing";
    const waiting = run.status === "waiting";
    const label = waiting ? `${what}: waiting for a worker…` : `${what}: ${run.progress}%`;
    const labelEl = runEl.querySelector("[data-si-progress-label]");
    if (labelEl.textContent !== label) labelEl.textContent = label;
    const bar = runEl.querySelector("[role=progressbar]");
    bar.classList.toggle("is-idle", waiting);
    bar.setAttribute("aria-valuenow", String(run.progress));
    bar.firstElementChild.style.width = `${run.progress}%`;
    let note = runEl.querySelector(".si-note");
    if (run.progressNote) {
      if (!note) {
        note = document.createElement("span");
        note.className = "si-note";
        runEl.querySelector("[data-si-progress]").append(note);
      }
      note.textContent = run.progressNote;
    } else note?.remove();
  }

  async function refresh() {
    const before = latest();
    try {
      state = await get("/api/imports/stash");
    } catch (err) {
      if (!signal.aborted) {
        toast(err.message, "error");
        clearTimeout(timer);
        timer = setTimeout(refresh, POLL_MS * 5);
      }
      return;
    }
    if (signal.aborted) return;
    const now = latest();
    if (isPending(before) && now && now.id === before.id && !isPending(now)) {
      shownRun = null;
      const what = isDry(now) ? "The dry run" : "The import";
      if (now.status === "completed") toast(`${what} finished.`, "ok");
      else if (now.status === "failed") toast(`${what} failed.`, "error");
    }
    render();
  }

  async function start(dryRun, button) {
    const req = body(dryRun);
    if (!req) return;
    startButtons.forEach((b) => (b.disabled = true));
    button.setAttribute("aria-busy", "true");
    try {
      await post("/api/imports/stash", req);
      shownRun = null;
    } catch (err) {
      if (!signal.aborted) showError(err.message, err.code === "mapping_unused" ? mapList.querySelector("[data-map-from]") : null);
    } finally {
      button.removeAttribute("aria-busy");
    }
    if (!signal.aborted) await refresh();
  }

  async function cancelRun(button) {
    const run = latest();
    if (!isPending(run)) return;
    button.disabled = true;
    try {
      await post(`/api/jobs/${encodeURIComponent(run.id)}/cancel`, {});
    } catch (err) {
      toast(err.message, "error");
    }
    await refresh();
  }

  // ---------------------------------------------------------------------------- file browser dialog

  const dialog = box.querySelector("#si-browse-dialog");
  const browseForm = dialog.querySelector("[data-si-browse-form]");
  const browsePath = dialog.querySelector("#si-browse-path");
  const crumbs = dialog.querySelector("[data-si-crumbs]");
  const list = dialog.querySelector("[data-si-list]");
  const status = dialog.querySelector("[data-si-status]");
  const upButton = dialog.querySelector("[data-si-up]");
  let current = null;
  let parent = null;
  let browseSeq = 0;
  let typedWhileBrowsing = false;

  function renderCrumbs(path) {
    const parts = path.split("/").filter(Boolean);
    const items = [{ name: "/", path: "/", label: "Root folder" }];
    parts.forEach((name, i) => items.push({ name, path: "/" + parts.slice(0, i + 1).join("/") }));
    crumbs.innerHTML = items
      .map((it, i) => {
        const aria = it.label ? ` aria-label="${it.label}"` : "";
        return i === items.length - 1
          ? `<li><span aria-current="location"${aria}>${escapeHtml(it.name)}</span></li>`
          : `<li><button type="button" class="crumb" data-path="${escapeHtml(it.path)}"${aria}>${escapeHtml(it.name)}</button></li>`;
      })
      .join("");
    crumbs.parentElement.scrollLeft = crumbs.parentElement.scrollWidth;
  }

  function renderEntries(dirs, files) {
    const folders = dirs.map(
      (d) => `<li><button type="button" class="folder-item" data-path="${escapeHtml(d.path)}" data-kind="folder">
        ${icon("folder", "i i-s")}<span>${escapeHtml(d.name)}</span>${icon("chevron-right", "i i-s chev")}</button></li>`,
    );
    const dbs = files.map(
      (f) => `<li><button type="button" class="folder-item si-file-item" data-path="${escapeHtml(f.path)}" data-kind="file"
        aria-label="${escapeHtml(`Choose ${f.name} (${formatBytes(f.size)})`)}">
        ${icon("layers", "i i-s")}<span>${escapeHtml(f.name)}</span><small class="muted">${escapeHtml(formatBytes(f.size))}</small></button></li>`,
    );
    list.innerHTML = [...dbs, ...folders].join("");
    const items = list.querySelectorAll(".folder-item");
    items.forEach((b, i) => (b.tabIndex = i ? -1 : 0));
  }

  /** List ``path`` in the dialog: true when shown, false on an error, undefined when a later call won. */
  async function browse(path, { focus = null } = {}) {
    const mine = ++browseSeq;
    typedWhileBrowsing = false;
    status.classList.remove("is-error");
    list.setAttribute("aria-busy", "true");
    try {
      const data = await get(`/api/libraries/browse?path=${encodeURIComponent(path)}&files=${EXTENSIONS.join(",")}`);
      if (mine !== browseSeq || signal.aborted) return undefined;
      current = data.path;
      parent = data.parentPath;
      if (!typedWhileBrowsing) browsePath.value = data.path; // never overwrite what the user typed meanwhile
      renderCrumbs(data.path);
      renderEntries(data.directories, data.files);
      upButton.disabled = !parent;
      const bits = [];
      if (data.files.length) bits.push(plural(data.files.length, "database file"));
      if (data.directories.length) bits.push(plural(data.directories.length, "sub-folder"));
      status.textContent = bits.length ? `${bits.join(" and ")} in ${data.path}` : `${data.path} has no sub-folders and no database files.`;
      if (focus === "list") (list.querySelector(".folder-item") || upButton).focus();
      else if (typeof focus === "string") {
        const back = [...list.querySelectorAll(".folder-item")].find((b) => b.dataset.path === focus);
        if (back) moveTo(back);
      }
      return true;
    } catch (err) {
      if (mine !== browseSeq || signal.aborted) return undefined;
      status.textContent = err.message;
      status.classList.add("is-error");
      return false;
    } finally {
      if (mine === browseSeq) list.removeAttribute("aria-busy");
    }
  }

  function moveTo(button) {
    list.querySelectorAll(".folder-item").forEach((b) => (b.tabIndex = b === button ? 0 : -1));
    button.focus();
    button.scrollIntoView({ block: "nearest" });
  }

  function goUp() {
    if (parent) browse(parent, { focus: current });
  }

  function pick(path) {
    pathInput.value = path;
    dialog.close();
    checkEl.innerHTML = "";
    showError("");
    pathInput.focus();
  }

  async function openDialog() {
    const typed = pathInput.value.trim();
    let start = current || "/";
    if (typed.startsWith("/")) start = hasExtension(typed) ? typed.replace(/\/[^/]*$/, "") || "/" : typed;
    dialog.showModal();
    browsePath.focus();
    const shown = await browse(start);
    // the folder of the typed path is not there: start at the top (unless the user typed meanwhile)
    if (shown === false && start !== "/" && !typedWhileBrowsing && dialog.open) browse("/");
  }

  function activate(item, byKeyboard) {
    if (item.dataset.kind === "file") pick(item.dataset.path);
    else browse(item.dataset.path, { focus: byKeyboard ? "list" : null });
  }

  list.addEventListener("click", (e) => {
    const item = e.target.closest(".folder-item");
    if (item) activate(item, e.detail === 0);
  });
  list.addEventListener("keydown", (e) => {
    const items = [...list.querySelectorAll(".folder-item")];
    const index = items.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (e.key === "ArrowDown") next = items[Math.min(index + 1, items.length - 1)];
    else if (e.key === "ArrowUp") next = items[Math.max(index - 1, 0)];
    else if (e.key === "Home") next = items[0];
    else if (e.key === "End") next = items[items.length - 1];
    else if (e.key === "ArrowRight") {
      e.preventDefault();
      if (items[index].dataset.kind === "folder") activate(items[index], true);
      return;
    } else if (e.key === "ArrowLeft" || e.key === "Backspace") {
      e.preventDefault();
      goUp();
      return;
    } else if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const letter = e.key.toLowerCase();
      const ordered = [...items.slice(index + 1), ...items.slice(0, index + 1)];
      next = ordered.find((b) => b.textContent.trim().toLowerCase().startsWith(letter)) || null;
    } else return;
    e.preventDefault();
    if (next) moveTo(next);
  });
  crumbs.addEventListener("click", (e) => {
    const crumb = e.target.closest(".crumb");
    if (crumb) browse(crumb.dataset.path);
  });
  upButton.addEventListener("click", goUp);
  browsePath.addEventListener("input", () => (typedWhileBrowsing = true));
  browseForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const typed = browsePath.value.trim() || "/";
    if (hasExtension(typed) && typed.startsWith("/")) pick(typed);
    else browse(typed, { focus: "list" });
  });
  dialog.querySelector("[data-si-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    if (document.activeElement === document.body) box.querySelector("[data-si-browse]").focus();
  });

  // ---------------------------------------------------------------------------- wiring

  box.querySelector("[data-si-browse]").addEventListener("click", openDialog);
  box.querySelector("[data-si-add-map]").addEventListener("click", () => addMapRow("", "", { focus: true }));
  mapList.addEventListener("click", (e) => {
    const remove = e.target.closest("[data-map-remove]");
    if (remove) removeMapRow(remove.closest(".si-map"));
  });
  form.addEventListener("input", (e) => {
    if (e.target.matches("input")) {
      e.target.removeAttribute("aria-invalid");
      if (!errorEl.hidden) showError("");
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    check();
  });
  startButtons.forEach((b) => b.addEventListener("click", () => start(b.dataset.siStart === "dry", b)));
  runEl.addEventListener("click", (e) => {
    const cancel = e.target.closest("[data-si-cancel]");
    if (cancel) cancelRun(cancel);
  });
  reportEl.addEventListener("click", (e) => {
    const show = e.target.closest("[data-si-show]");
    if (!show) return;
    shownRun = show.dataset.siShow;
    render();
    reportEl.querySelector(`[data-si-show="${CSS.escape(shownRun)}"]`)?.focus();
  });
  signal.addEventListener("abort", () => clearTimeout(timer));

  // The form starts as the last run left it (its file, mappings and option).
  const last = state.runs.find((r) => r.payload?.path);
  if (last) {
    pathInput.value = last.payload.path;
    if (typeof last.payload.createRoots === "boolean") createRoots.checked = last.payload.createRoots;
    for (const [from, to] of Object.entries(last.payload.pathMap || {})) addMapRow(from, to);
  }
  if (!mapList.children.length) addMapRow();
  render();
  box.dataset.ready = "true";
}
