// Uploading videos from /videos: drop files anywhere on the page (or use the Upload button), pick the
// library folder (remembered), then watch per-file progress in the tray. Each upload is probed in the
// background; the results refresh when a probe finishes and again when its thumbnail is ready.
// The tray moves out of the page to <body> so that uploads (and their progress) carry on while the
// user browses other pages (the shell swaps only .shell); back on /videos the page adopts it again.
import { get, upload } from "/static/js/api.js";
import { formatBytes } from "/static/js/format.js";
import { icon, toast } from "/static/js/ui.js";

const ROOT_KEY = "obscura-videos-upload-root";
const PARALLEL = 2;
const POLL_MS = 1000;

let pending = [];
let onChange = () => {};
let running = 0; // uploads in flight or being processed

const $ = (id) => document.getElementById(id);

function extensionOk(file, accept) {
  const dot = file.name.lastIndexOf(".");
  return dot > 0 && accept.includes(file.name.slice(dot).toLowerCase());
}

function renderPending(dialog) {
  const list = $("vb-upload-pending");
  list.replaceChildren(...pending.map((f, i) => {
    const li = document.createElement("li");
    li.className = "vb-upload-item";
    li.innerHTML = `${icon("film", "i i-s")}<span class="vb-upload-name"></span><span class="muted small"></span>
      <button type="button" class="btn btn-ghost btn-icon btn-s" aria-label="Remove">${icon("x", "i i-s")}</button>`;
    li.querySelector(".vb-upload-name").textContent = f.name;
    li.querySelector(".muted").textContent = formatBytes(f.size);
    li.querySelector("button").setAttribute("aria-label", `Remove ${f.name}`);
    li.querySelector("button").addEventListener("click", () => {
      pending.splice(i, 1);
      renderPending(dialog);
    });
    return li;
  }));
  const start = $("vb-upload-start");
  start.disabled = !pending.length || !$("vb-upload-root");
  start.lastChild.textContent = pending.length > 1 ? `Upload ${pending.length} files` : "Upload";
}

function addFiles(files, accept) {
  const skipped = [];
  for (const f of files) {
    if (extensionOk(f, accept)) pending.push(f);
    else skipped.push(f.name);
  }
  if (skipped.length) toast(`Not a video file Obscura indexes: ${skipped.join(", ")}`, "error", 6000);
}

function openDialog(dialog, files, accept) {
  if (files) addFiles(files, accept);
  renderPending(dialog);
  if (!dialog.open) dialog.showModal();
  const go = $("vb-upload-start");
  (pending.length && !go.disabled ? go : dialog.querySelector("[data-upload-pick]"))?.focus();
}

function trayItem(file) {
  const li = document.createElement("li");
  li.className = "vb-upload-item vb-upload-progress";
  li.innerHTML = `<div class="vb-upload-line">${icon("film", "i i-s")}<span class="vb-upload-name"></span><span class="vb-upload-state small muted">Waiting…</span></div>
    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><i style="width:0%"></i></div>`;
  li.querySelector(".vb-upload-name").textContent = file.name;
  li.querySelector(".progress").setAttribute("aria-label", `Upload of ${file.name}`);
  $("vb-upload-items").prepend(li);
  const bar = li.querySelector(".progress");
  const state = li.querySelector(".vb-upload-state");
  return {
    el: li,
    progress(fraction) {
      const pct = Math.round(fraction * 100);
      bar.setAttribute("aria-valuenow", String(pct));
      bar.firstElementChild.style.width = `${pct}%`;
      state.textContent = `${pct}%`;
    },
    status(text, kind = "") {
      state.textContent = text;
      li.dataset.state = kind;
    },
  };
}

async function waitForRun(runId, timeoutMs = 10 * 60_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const run = await get(`/api/jobs/${encodeURIComponent(runId)}`);
    if (!["waiting", "active"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return null;
}

async function waitForThumbnail(videoId, timeoutMs = 3 * 60_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 2 * POLL_MS));
    const video = await get(`/api/videos/${encodeURIComponent(videoId)}`);
    if (video.thumbnailUrl || video.previewError || video.probeError) return video;
  }
  return null;
}

let refreshTimer = 0;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => onChange(), 250);
}

async function send(file, rootId, tray) {
  const item = trayItem(file);
  tray.hidden = false;
  running += 1;
  const data = new FormData();
  data.append("libraryRootId", rootId);
  data.append("file", file, file.name);
  try {
    const done = await upload("/api/videos/upload", data, (f) => item.progress(f));
    item.progress(1);
    item.status("Processing…", "processing");
    const run = await waitForRun(done.jobRunId);
    if (run && run.status !== "completed") {
      item.status(`Added, but it could not be read: ${run.error || run.status}`, "error");
    } else {
      item.status("Added", "done");
    }
    refreshSoon();
    if (await waitForThumbnail(done.videoId)) refreshSoon();
    return true;
  } catch (err) {
    item.status(err.message || "Upload failed", "error");
    return false;
  } finally {
    running -= 1;
  }
}

async function start(files, rootId, tray) {
  const queue = [...files];
  let ok = 0;
  const worker = async () => {
    while (queue.length) if (await send(queue.shift(), rootId, tray)) ok += 1;
  };
  // transfers run two at a time; the slow part after each (probe, thumbnail) is only polled
  await Promise.all(Array.from({ length: Math.min(PARALLEL, files.length) }, worker));
  if (files.length > 1) toast(`${ok} of ${files.length} uploads finished.`, ok === files.length ? "ok" : "error");
}

/** Adopt the tray that outlived the last visit, or move this page's tray out to <body>. */
function adoptTray(root) {
  const fresh = root.querySelector("#vb-upload-tray");
  const kept = document.querySelector("body > #vb-upload-tray");
  if (kept) {
    fresh?.remove();
    return kept;
  }
  if (fresh) {
    document.body.append(fresh);
    fresh.querySelector("[data-tray-close]")?.addEventListener("click", () => { fresh.hidden = true; });
  }
  return fresh;
}

export function installUpload({ root, signal, onChange: refresh }) {
  const dialog = root.querySelector("#vb-upload-dialog");
  const input = root.querySelector("#vb-upload-input");
  const overlay = root.querySelector("#vb-drop-overlay");
  const tray = adoptTray(root);
  if (!dialog || !input || !tray) return;
  onChange = refresh;
  pending = [];
  const on = (target, type, fn) => target.addEventListener(type, fn, { signal });
  signal.addEventListener("abort", () => {
    onChange = () => {};
    if (!running) tray.remove(); // nothing left to follow: the next visit renders a fresh one
  });
  const accept = input.accept.split(",").filter((a) => a.startsWith("."));
  const rootSelect = $("vb-upload-root");

  if (rootSelect) {
    const saved = localStorage.getItem(ROOT_KEY);
    if (saved && [...rootSelect.options].some((o) => o.value === saved)) rootSelect.value = saved;
    on(rootSelect, "change", () => localStorage.setItem(ROOT_KEY, rootSelect.value));
  }

  on(document, "click", (e) => {
    if (e.target.closest?.("[data-upload-open]")) openDialog(dialog, null, accept);
    else if (e.target.closest?.("[data-upload-pick]")) input.click();
  });
  on(input, "change", () => {
    openDialog(dialog, [...input.files], accept);
    input.value = "";
  });
  on(dialog, "close", () => {
    if (dialog.returnValue === "upload" && pending.length && rootSelect) {
      localStorage.setItem(ROOT_KEY, rootSelect.value);
      start(pending, rootSelect.value, tray);
    }
    pending = [];
    dialog.returnValue = "";
  });

  // drag and drop anywhere on the page
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
  let depth = 0;
  const hide = () => {
    depth = 0;
    overlay.hidden = true;
    document.querySelector("[data-dropzone]")?.classList.remove("is-over");
  };
  on(window, "dragenter", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    if (dialog.open) document.querySelector("[data-dropzone]")?.classList.add("is-over");
    else overlay.hidden = false;
  });
  on(window, "dragover", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  });
  on(window, "dragleave", (e) => {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) hide();
  });
  on(window, "drop", (e) => {
    if (!e.dataTransfer?.files?.length) return;
    e.preventDefault();
    hide();
    openDialog(dialog, [...e.dataTransfer.files], accept);
  });
}
