// Uploading videos from /videos: drop files anywhere on the page (or use the Upload button), pick the
// library folder (remembered), then watch per-file progress in the tray. The uploads themselves
// belong to the tray, a shell part (upload_tray.js, imported here by the same URL, so the same
// instance): they carry on, and stay in sight, while the user browses other pages. Each upload is
// probed in the background; the results refresh when a probe finishes and again when its
// thumbnail is ready.
import { formatBytes } from "/static/js/format.js";
import { icon, toast } from "/static/js/ui.js";
import { enqueue, events } from "./upload_tray.js";

const ROOT_KEY = "obscura-videos-upload-root";

let pending = [];

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

export function installUpload({ root, signal, onChange: refresh }) {
  const dialog = root.querySelector("#vb-upload-dialog");
  const input = root.querySelector("#vb-upload-input");
  const overlay = root.querySelector("#vb-drop-overlay");
  if (!dialog || !input) return;
  pending = [];
  const on = (target, type, fn) => target.addEventListener(type, fn, { signal });
  let refreshTimer = 0;
  on(events, "change", () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refresh(), 250);
  });
  signal.addEventListener("abort", () => clearTimeout(refreshTimer));
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
      enqueue(pending, rootSelect.value);
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
