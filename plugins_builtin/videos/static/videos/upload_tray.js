// The videos upload tray: the videos plugin's shell part (templates/videos/upload_tray.html).
//
// The shell imports this module once per visit and page swaps never touch its element, so files keep
// uploading, and their progress stays in sight, while the user browses other pages. This module owns
// the uploads: the queue (two transfers at a time), each file's XHR with its progress, then the
// probe and thumbnail that follow in the background. The browse page's dialog (upload.js) hands
// files over by importing this same module (same URL, same instance): enqueue(files, rootId).
// `events` fires "change" ({ videoId, stage: "added" | "thumbnail" }) so an open browse page can
// refresh its results.
//
// When the user moves to another page and nothing is uploading or being processed any more, the
// finished entries are dropped and the tray hides; while uploads run it stays, on every page.

import { get, upload } from "/static/js/api.js";
import { icon, toast } from "/static/js/ui.js";

const PARALLEL = 2;
const POLL_MS = 1000;

export const events = new EventTarget();

const queue = []; // { file, rootId, item, settle }: not started yet
let transfers = 0; // XHRs in flight
let running = 0; // uploads queued, in flight or being processed

const tray = document.getElementById("vb-upload-tray");
const list = document.getElementById("vb-upload-items");

tray?.querySelector("[data-tray-close]")?.addEventListener("click", () => {
  tray.hidden = true;
});

document.addEventListener("obscura:navigated", () => {
  if (running || !tray) return;
  list.replaceChildren();
  tray.hidden = true;
});

function trayItem(file) {
  const li = document.createElement("li");
  li.className = "vb-upload-item vb-upload-progress";
  li.innerHTML = `<div class="vb-upload-line">${icon("film", "i i-s")}<span class="vb-upload-name"></span><span class="vb-upload-state small muted">Waiting…</span></div>
    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><i style="width:0%"></i></div>`;
  li.querySelector(".vb-upload-name").textContent = file.name;
  li.querySelector(".progress").setAttribute("aria-label", `Upload of ${file.name}`);
  list.prepend(li);
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

const changed = (videoId, stage) => events.dispatchEvent(new CustomEvent("change", { detail: { videoId, stage } }));

/** Transfer one file; resolves once it is sent (or failed), then follows its processing. */
async function transfer({ file, rootId, item }) {
  const data = new FormData();
  data.append("libraryRootId", rootId);
  data.append("file", file, file.name);
  let done;
  try {
    done = await upload("/api/videos/upload", data, (f) => item.progress(f));
  } catch (err) {
    item.status(err.message || "Upload failed", "error");
    return null;
  }
  item.progress(1);
  item.status("Processing…", "processing");
  return done;
}

async function follow(item, done) {
  try {
    const run = await waitForRun(done.jobRunId);
    if (run && run.status !== "completed") {
      item.status(`Added, but it could not be read: ${run.error || run.status}`, "error");
    } else {
      item.status("Added", "done");
    }
    changed(done.videoId, "added");
    if (await waitForThumbnail(done.videoId)) changed(done.videoId, "thumbnail");
    return true;
  } catch (err) {
    item.status(err.message || "Upload failed", "error");
    return false;
  }
}

/** Start queued transfers while fewer than PARALLEL run; the probe and thumbnail after each are only polled. */
function pump() {
  while (transfers < PARALLEL && queue.length) {
    const job = queue.shift();
    transfers += 1;
    transfer(job)
      .then((done) => {
        transfers -= 1;
        pump();
        return done ? follow(job.item, done) : false;
      })
      .then((ok) => job.settle(ok))
      .finally(() => {
        running -= 1;
      });
  }
}

/**
 * Upload ``files`` into the library root ``rootId``: each gets a line in the tray at once and is
 * sent when a slot is free. Resolves to how many were added once all of them are settled.
 */
export async function enqueue(files, rootId) {
  files = [...files];
  if (!files.length) return 0;
  if (tray) tray.hidden = false;
  const settled = files.map((file) => {
    running += 1;
    return new Promise((settle) => {
      queue.push({ file, rootId, item: trayItem(file), settle });
    });
  });
  pump();
  const ok = (await Promise.all(settled)).filter(Boolean).length;
  if (files.length > 1) toast(`${ok} of ${files.length} uploads finished.`, ok === files.length ? "ok" : "error");
  return ok;
}
