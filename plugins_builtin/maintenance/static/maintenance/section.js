// Settings section "Generated files" (library-maintenance plugin): move generated files between the
// data folder and the videos' folders, follow the move, find orphans and delete the chosen ones.
// Mounted by the Settings page (SettingsSection.module) with the section element and the page's
// abort signal; it polls /api/maintenance/status only while a run is waiting or running.
import { get, post } from "/static/js/api.js";
import { formatBytes, formatDateTime, plural } from "/static/js/format.js";
import { confirmDialog, escapeHtml, icon, toast } from "/static/js/ui.js";

const POLL_MS = 1000;
const isPending = (run) => !!run && (run.status === "waiting" || run.status === "active");
const whereLabel = (dedicated) => (dedicated ? "in Obscura's data folder" : "next to each video");
const moveLabel = (dedicated) => `Move files ${dedicated ? "to the data folder" : "next to the videos"}`;
const PAGES = { video: "/videos/", image: "/images/", "audio-track": "/audio/tracks/", "audio-library": "/audio/libraries/" };
const KINDS = { video: "video", image: "image", "audio-track": "track", "audio-library": "audio library" };
const pageOf = (item) => (PAGES[item.entityType] ? PAGES[item.entityType] + encodeURIComponent(item.entityId) : null);

function progressHtml(run, what) {
  const note = run.progressNote ? `<span class="run-note">${escapeHtml(run.progressNote)}</span>` : "";
  const label = run.status === "waiting" ? `${what}: waiting for a worker…` : `${what}: ${run.progress}%`;
  return `<div class="maint-progress"><span>${escapeHtml(label)}</span>
    <div class="progress${run.status === "waiting" ? " is-idle" : ""}" role="progressbar" aria-valuemin="0"
      aria-valuemax="100" aria-valuenow="${run.progress}" aria-label="${escapeHtml(what)}"><i style="width:${run.progress}%"></i></div>${note}</div>`;
}

function failedHtml(run, what) {
  const why = run.status === "cancelled" ? "was cancelled" : `failed: ${run.error || "unknown error"}`;
  return `<p class="maint-note is-error">${escapeHtml(`The last ${what} ${why}.`)}</p>`;
}

function migrationHtml(run) {
  if (!run) return "";
  if (isPending(run)) return progressHtml(run, "Moving files");
  const r = run.result;
  if (run.status !== "completed" || !r) return failedHtml(run, "move");
  const where = r.targetDedicated ? "the data folder" : "the videos' folders";
  const parts = [`${plural(r.moved, "file")} moved to ${where} (${formatBytes(r.bytesMoved)})`];
  if (r.alreadyThere || r.deduplicated) parts.push(`${r.alreadyThere + r.deduplicated} already there`);
  if (r.keptInCache) parts.push(`${r.keptInCache} kept in the data folder (folder not writable)`);
  if (r.notOurs) parts.push(`${r.notOurs} left alone (not made by Obscura)`);
  if (r.failed) parts.push(`${r.failed} failed`);
  let html = `<p class="maint-note${r.failed ? " is-error" : ""}" data-migration-summary>${escapeHtml(
    (r.cancelled ? "Stopped before the end: " : "") + parts.join(", ") + ".",
  )}</p>`;
  if (r.readOnlyFolders?.length) {
    html += `<details class="maint-details"><summary>Folders Obscura cannot write to (${r.readOnlyFolders.length})</summary>
      <ul>${r.readOnlyFolders.map((f) => `<li><code>${escapeHtml(f)}</code></li>`).join("")}</ul></details>`;
  }
  if (r.failures?.length) {
    html += `<details class="maint-details" open><summary>Files not moved (${r.failed})</summary><ul>${r.failures
      .map((f) => `<li><strong>${escapeHtml(f.label)}</strong> · ${escapeHtml(f.key)}: ${escapeHtml(f.reason)}</li>`)
      .join("")}</ul></details>`;
  }
  return html;
}

function orphansHtml(run) {
  if (!run) return "";
  if (isPending(run)) return progressHtml(run, "Looking for orphans");
  const r = run.result;
  if (run.status !== "completed" || !r) return failedHtml(run, "orphan search");
  const when = formatDateTime(run.finishedAt || run.createdAt);
  const parts = [
    `${plural(r.orphanFolders, "orphaned folder")} (${formatBytes(r.orphanBytes)})`,
    `${plural(r.vanishedRows, "item")} whose file is missing`,
  ];
  let text = `Last search (${when}): ${parts.join(", ")}.`;
  if (r.offlineRoots?.length) text += ` ${plural(r.offlineRoots.length, "library folder")} offline, not counted.`;
  return `<p class="maint-note" data-orphans-summary>${escapeHtml(text)}</p>`;
}

function reportHtml(result, deleted) {
  const folders = result.folders.filter((f) => !deleted.has(f.folder));
  let html = "";
  if (folders.length) {
    html += `<div class="maint-report-head"><h3>Orphaned folders</h3>
      <label class="check-all"><input type="checkbox" data-select-all> Select all</label></div>
      <div class="table-wrap"><table class="table maint-table"><thead><tr><th scope="col"><span class="sr-only">Select</span></th>
      <th scope="col">Folder</th><th scope="col">Kind</th><th scope="col">Files</th><th scope="col">Size</th></tr></thead><tbody>
      ${folders
        .map(
          (f, i) => `<tr><td><input type="checkbox" id="orphan-${i}" data-orphan="${escapeHtml(f.folder)}" data-bytes="${f.bytes}"
            aria-label="Select ${escapeHtml(f.folder)}"></td><td data-label="Folder"><code>${escapeHtml(f.folder)}</code></td>
            <td data-label="Kind">${escapeHtml(f.entityType)}</td><td data-label="Files">${f.files}</td>
            <td data-label="Size">${formatBytes(f.bytes)}</td></tr>`,
        )
        .join("")}</tbody></table></div>
      <div class="form-actions maint-actions"><span class="muted small" data-selection>Nothing selected.</span>
      <button class="btn btn-danger" type="button" data-delete-orphans disabled>${icon("trash", "i i-s")}Delete selected</button></div>`;
  }
  if (result.vanished.length) {
    html += `<h3>Files that vanished</h3><p class="muted small">These stay in the library, with what was generated
      for them, until the folder is scanned again or you delete them from their page.</p>
      <ul class="maint-vanished">${result.vanished
        .map((v) => {
          const page = pageOf(v);
          const title = page ? `<a href="${page}">${escapeHtml(v.label)}</a>` : escapeHtml(v.label);
          return `<li>${title} <span class="muted">(${escapeHtml(KINDS[v.entityType] || v.entityType)})</span>
            <code>${escapeHtml(v.path)}</code> <span class="muted">${formatBytes(v.bytes)} generated</span></li>`;
        })
        .join("")}</ul>`;
  }
  if (!html) html = `<p class="muted">No orphans: every generated folder belongs to an item, and every item's file is there.</p>`;
  return html;
}

export function mount({ root, signal }) {
  const box = root.querySelector("[data-maintenance]");
  if (!box) return;
  let state = JSON.parse(box.querySelector("[data-maintenance-initial]").textContent);
  const moveButton = box.querySelector("[data-maint-action=migrate]");
  const orphansButton = box.querySelector("[data-maint-action=orphans]");
  const migrationEl = box.querySelector("[data-run=migration]");
  const orphansEl = box.querySelector("[data-run=orphans]");
  const report = box.querySelector("[data-orphan-report]");
  const deleted = new Set();
  let timer = null;
  let shownReport = null;

  function render() {
    box.dataset.dedicated = String(state.dedicated);
    box.querySelector("[data-layout-label]").textContent = whereLabel(state.dedicated);
    box.querySelector("[data-move-label]").textContent = moveLabel(state.dedicated);
    moveButton.dataset.targetDedicated = String(state.dedicated);
    moveButton.disabled = isPending(state.migration);
    orphansButton.disabled = isPending(state.orphans);
    migrationEl.innerHTML = migrationHtml(state.migration);
    orphansEl.innerHTML = orphansHtml(state.orphans);
    const run = state.orphans;
    const result = run && run.status === "completed" ? run.result : null;
    const key = result ? `${run.id}:${deleted.size}` : null;
    if (key !== shownReport) {
      shownReport = key;
      report.hidden = !result;
      report.innerHTML = result ? reportHtml(result, deleted) : "";
      updateSelection();
    }
    clearTimeout(timer);
    if (isPending(state.migration) || isPending(state.orphans)) timer = setTimeout(refresh, POLL_MS);
  }

  async function refresh() {
    try {
      state = await get("/api/maintenance/status");
    } catch (err) {
      if (!signal.aborted) toast(err.message, "error");
      return;
    }
    if (!signal.aborted) render();
  }

  async function startMove(targetDedicated) {
    moveButton.disabled = true;
    try {
      await post("/api/jobs/migrate-asset-storage", { targetDedicated });
      toast(`Moving generated files ${targetDedicated ? "to the data folder" : "next to the videos"}.`, "ok");
    } catch (err) {
      toast(err.message, "error");
    }
    await refresh();
  }

  function selected() {
    return [...report.querySelectorAll("[data-orphan]:checked")];
  }

  function updateSelection() {
    const boxes = selected();
    const label = report.querySelector("[data-selection]");
    const button = report.querySelector("[data-delete-orphans]");
    if (!label || !button) return;
    const bytes = boxes.reduce((n, b) => n + Number(b.dataset.bytes), 0);
    label.textContent = boxes.length ? `${plural(boxes.length, "folder")} selected (${formatBytes(bytes)}).` : "Nothing selected.";
    button.disabled = !boxes.length;
  }

  async function deleteSelected() {
    const boxes = selected();
    if (!boxes.length) return;
    const ok = await confirmDialog({
      title: `Delete ${plural(boxes.length, "folder")}?`,
      message:
        "These generated folders belong to no video. Deleting them frees space in Obscura's data folder; " +
        "your media files are not touched.",
      confirmLabel: "Delete folders",
      danger: true,
    });
    if (!ok) return;
    try {
      const data = await post("/api/maintenance/orphans/delete", { folders: boxes.map((b) => b.dataset.orphan) });
      data.deleted.forEach((f) => deleted.add(f));
      toast(`Deleted ${plural(data.deleted.length, "folder")}, ${formatBytes(data.freedBytes)} freed.`, "ok");
    } catch (err) {
      toast(err.message, "error");
    }
    render();
  }

  moveButton.addEventListener("click", async () => {
    const target = state.dedicated;
    const ok = await confirmDialog({
      title: moveLabel(target) + "?",
      message: target
        ? "Generated files beside your videos are moved into Obscura's data folder."
        : "Generated files are moved beside your videos (named <video>-thumb.jpg, -preview.mp4…). " +
          "Folders Obscura cannot write to keep theirs in the data folder.",
      confirmLabel: "Move files",
    });
    if (ok) startMove(target);
  });

  orphansButton.addEventListener("click", async () => {
    orphansButton.disabled = true;
    try {
      await post("/api/maintenance/orphans/scan", {});
    } catch (err) {
      toast(err.message, "error");
    }
    await refresh();
  });

  report.addEventListener("change", (e) => {
    if (e.target.matches("[data-select-all]")) {
      report.querySelectorAll("[data-orphan]").forEach((b) => (b.checked = e.target.checked));
    }
    updateSelection();
  });
  report.addEventListener("click", (e) => {
    if (e.target.closest("[data-delete-orphans]")) deleteSelected();
  });

  // Saving "Dedicated metadata storage" in the form above offers to move the existing files.
  document.addEventListener(
    "obscura:settings-saved",
    async (e) => {
      const { saved, changed } = e.detail || {};
      if (!changed?.includes("metadataStorageDedicated") || !saved) return;
      state = { ...state, dedicated: !!saved.metadataStorageDedicated };
      render();
      const go = await confirmDialog({
        title: "Move the existing generated files?",
        message:
          `New files are now kept ${whereLabel(state.dedicated)}. Move the ones made before ` +
          "so each lives in one place? Until then Obscura still finds them where they are.",
        confirmLabel: "Move files",
      });
      if (go) startMove(state.dedicated);
    },
    { signal },
  );

  signal.addEventListener("abort", () => clearTimeout(timer));
  render();
  box.dataset.ready = "true";
}
