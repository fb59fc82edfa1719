// Resume position and plays: start where the viewer stopped (with a "start over" chip), save the
// position every 10 s of playback and on pause / leaving the page, and count one play once 10 s
// or 30 % of the video have been watched.

import { post } from "/static/js/api.js";
import { formatDuration } from "/static/js/format.js";

const SAVE_EVERY_S = 10;
const COUNT_AFTER_S = 10;
const COUNT_AFTER_FRACTION = 0.3;

export function installProgress(ctx) {
  const { video, data } = ctx;
  const url = (what) => `/api/videos/${encodeURIComponent(data.id)}/${what}`;
  const chip = ctx.q("resume-chip");
  let lastTime = null; // position at the previous timeupdate (null after a seek)
  let watched = 0; // seconds actually played on this page
  let unsaved = 0; // played seconds not yet sent
  let sinceSave = 0;
  let counted = false;
  let dirty = false; // the position changed since the last save

  // Sent with keepalive so it survives the page being closed (sendBeacon cannot send JSON with
  // the Content-Type the API insists on).
  function save() {
    if (!dirty && !unsaved) return;
    const body = { resumeTime: Math.max(0, video.ended ? ctx.duration() : video.currentTime) };
    if (unsaved > 0) body.playedSeconds = Math.round(unsaved * 100) / 100;
    unsaved = 0;
    sinceSave = 0;
    dirty = false;
    fetch(url("progress"), {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).catch(() => { /* offline: the next save carries the position */ });
  }

  async function countPlay() {
    counted = true;
    try {
      const detail = await post(url("play"));
      ctx.events.dispatchEvent(new CustomEvent("played", { detail }));
    } catch (err) {
      counted = false;
      console.warn("counting the play failed:", err);
    }
  }

  video.addEventListener("timeupdate", () => {
    const t = video.currentTime;
    if (!video.paused && !video.seeking && lastTime !== null) {
      const step = t - lastTime;
      if (step > 0 && step < 3) {
        watched += step;
        unsaved += step;
        sinceSave += step;
        dirty = true;
      }
    }
    lastTime = t;
    const d = ctx.duration();
    if (!counted && (watched >= COUNT_AFTER_S || (d && watched >= d * COUNT_AFTER_FRACTION))) countPlay();
    if (sinceSave >= SAVE_EVERY_S) save();
    if (!chip.hidden && watched > 8) chip.hidden = true;
  });
  video.addEventListener("seeking", () => {
    lastTime = null;
    dirty = true;
  });
  video.addEventListener("pause", save);
  video.addEventListener("ended", save);
  window.addEventListener("pagehide", save, { signal: ctx.signal });
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && save(), { signal: ctx.signal });

  // where to start: ?t=<seconds> wins over the saved position
  const param = ctx.url.searchParams.get("t");
  const requested = param === null || param === "" ? NaN : Number(param);
  const d = data.duration || 0;
  let start = 0;
  if (requested >= 0) start = d ? Math.min(requested, Math.max(0, d - 1)) : requested;
  else if (data.resumeTime > 0 && (!d || data.resumeTime < d - Math.min(5, 0.05 * d))) {
    start = data.resumeTime;
    ctx.q("resume-text").textContent = `Resumed at ${formatDuration(start)}`;
    chip.hidden = false;
  }
  ctx.q("start-over").addEventListener("click", () => {
    chip.hidden = true;
    ctx.seekTo(0);
    ctx.engine.startTime = 0;
    ctx.play();
  });
  return { start, save };
}
