// Subtitles: the page's native <track kind="subtitles"> elements (one per subtitle track, same-origin
// WebVTT) switched through their TextTrack's `mode`; automatic selection from the library settings
// (preferred languages, where "en" and "eng" are the same language); the look of the captions
// (style, size, position, opacity); and the transcript panel: the cues of a track, the current one
// highlighted and kept in view, a click seeks to it.

import { get } from "/static/js/api.js";
import { formatTime } from "/static/js/format.js";
import { escapeHtml } from "/static/js/ui.js";

const STORE_KEY = "obscura-subtitles";
const strip = (text) => String(text ?? "").replace(/<[^>]+>/g, "").replace(/\{\\[^}]*\}/g, "");

function remembered(value) {
  try {
    if (value === undefined) return localStorage.getItem(STORE_KEY);
    localStorage.setItem(STORE_KEY, value);
  } catch { /* private mode */ }
  return null;
}

export function installSubtitles(ctx) {
  const { root, video, settings } = ctx;
  const tracks = ctx.data.tracks ?? [];
  const elements = new Map([...video.querySelectorAll("track[data-track-id]")].map((el) => [el.dataset.trackId, el]));
  let lastChosen = null;

  // ---------------------------------------------------------------- look
  root.dataset.subStyle = settings.subtitleStyle || "stylized";
  root.style.setProperty("--vp-sub-scale", String(settings.subtitleFontScale || 1));
  root.style.setProperty("--vp-sub-opacity", String(settings.subtitleOpacity ?? 1));
  const position = Number(settings.subtitlePositionPercent);

  // Place every cue at the configured height (percent from the top, bottom edge of the cue box).
  function layout(track) {
    if (!track?.cues || !(position > 0 && position <= 100)) return;
    for (const cue of track.cues) {
      if (cue.vpPlaced || !("snapToLines" in cue)) continue;
      cue.vpPlaced = true;
      if (cue.line !== "auto" && cue.snapToLines === false) continue; // the file placed it itself
      cue.snapToLines = false;
      if ("lineAlign" in cue) {
        cue.lineAlign = "end";
        cue.line = position;
      } else {
        const lines = strip(cue.text).split("\n").length;
        cue.line = Math.max(0, position - 6 * lines);
      }
    }
  }
  for (const el of elements.values()) {
    el.addEventListener("load", () => layout(el.track));
    if (el.readyState === 2) layout(el.track);
  }

  // ---------------------------------------------------------------- selection
  function match(languages) {
    for (const want of languages) {
      const exact = tracks.find((t) => t.srclang === want);
      if (exact) return exact.id;
      const base = want.split("-")[0];
      const loose = tracks.find((t) => t.srclang.split("-")[0] === base);
      if (loose) return loose.id;
    }
    return null;
  }
  const best = () => match(settings.subtitlesPreferredLanguages ?? []) ?? tracks.find((t) => t.isDefault)?.id ?? null;

  const api = {
    tracks,
    current: null,
    select(id, { announce = true, remember = false } = {}) {
      const track = tracks.find((t) => t.id === id) ?? null;
      id = track ? track.id : null;
      for (const [trackId, el] of elements) {
        el.track.mode = trackId === id ? "showing" : "disabled";
        if (trackId === id) layout(el.track);
      }
      api.current = id;
      if (id) lastChosen = id;
      if (remember) remembered(track ? track.srclang : "off");
      if (announce) ctx.announce(track ? `Subtitles: ${track.label}` : "Subtitles off");
      ctx.events.dispatchEvent(new CustomEvent("captions", { detail: { id } }));
      if (id) transcript.load(id);
    },
    toggle() {
      if (!tracks.length) {
        ctx.announce("This video has no subtitles");
        return;
      }
      api.select(api.current ? null : lastChosen ?? best() ?? tracks[0].id, { remember: true });
    },
    textTrack(id) {
      return elements.get(id)?.track ?? null;
    },
  };

  // ---------------------------------------------------------------- transcript
  const list = document.querySelector('[data-vp="transcript"]');
  const picker = document.querySelector('[data-vp="transcript-track"]');
  const follow = document.querySelector('[data-vp="transcript-follow"]');
  const transcript = {
    id: null,
    cues: [],
    active: -1,
    pausedUntil: 0,
    async load(id) {
      if (!list || !id || transcript.id === id) return;
      const track = tracks.find((t) => t.id === id);
      if (!track) return;
      transcript.id = id;
      if (picker) picker.value = id;
      list.setAttribute("aria-busy", "true");
      list.innerHTML = `<li class="vp-transcript-note"><span class="spinner"></span> Loading the transcript…</li>`;
      let cues;
      try {
        cues = await get(track.cuesUrl);
      } catch (err) {
        if (transcript.id === id) {
          list.innerHTML = `<li class="vp-transcript-note">The transcript could not be loaded: ${escapeHtml(err.message)}</li>`;
          list.removeAttribute("aria-busy");
          transcript.id = null;
        }
        return;
      }
      if (transcript.id !== id) return;
      transcript.cues = cues;
      transcript.active = -1;
      list.innerHTML = cues.length
        ? cues.map((c, i) => `<li><button type="button" class="vp-cue" data-i="${i}" aria-label="${formatTime(c.start)}: ${escapeHtml(strip(c.text).replace(/\n/g, " "))}">`
            + `<time>${formatTime(c.start)}</time><span>${escapeHtml(strip(c.text))}</span></button></li>`).join("")
        : `<li class="vp-transcript-note">This track has no cues.</li>`;
      list.removeAttribute("aria-busy");
      transcript.sync(true);
    },
    indexAt(t) {
      const cues = transcript.cues;
      let lo = 0, hi = cues.length - 1, found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cues[mid].start <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
      }
      // overlapping cues: the latest one that still covers t
      for (let i = found; i >= 0 && i > found - 4; i--) if (cues[i].end > t) return i;
      return -1;
    },
    sync(force = false) {
      if (!list || !transcript.cues.length) return;
      const i = transcript.indexAt(video.currentTime);
      if (i === transcript.active && !force) return;
      list.querySelector(".vp-cue.is-active")?.classList.remove("is-active");
      list.querySelector('.vp-cue[aria-current="true"]')?.removeAttribute("aria-current");
      transcript.active = i;
      if (i < 0) return;
      const el = list.querySelector(`.vp-cue[data-i="${i}"]`);
      el.classList.add("is-active");
      el.setAttribute("aria-current", "true");
      transcript.reveal(el);
    },
    reveal(el, smooth = true) {
      if (!el || !follow?.checked || Date.now() < transcript.pausedUntil || list.closest("[hidden]")) return;
      const top = el.offsetTop - list.clientHeight * 0.3;
      list.scrollTo({ top: Math.max(0, top), behavior: smooth ? "smooth" : "auto" });
    },
  };
  if (list) {
    list.addEventListener("click", (e) => {
      const button = e.target.closest(".vp-cue");
      if (!button) return;
      const cue = transcript.cues[Number(button.dataset.i)];
      if (cue) ctx.seekTo(cue.start + 0.01);
    });
    const pause = () => (transcript.pausedUntil = Date.now() + 5000);
    list.addEventListener("wheel", pause, { passive: true });
    list.addEventListener("touchmove", pause, { passive: true });
    picker?.addEventListener("change", () => transcript.load(picker.value));
    follow?.addEventListener("change", () => {
      transcript.pausedUntil = 0;
      transcript.reveal(list.querySelector(".vp-cue.is-active"));
    });
    video.addEventListener("timeupdate", () => transcript.sync());
    video.addEventListener("seeked", () => transcript.sync());
    ctx.events.addEventListener("tab", (e) => {
      if (e.detail.tab !== "transcript") return;
      transcript.load(api.current ?? picker?.value ?? best() ?? tracks[0]?.id);
      requestAnimationFrame(() => transcript.reveal(list.querySelector(".vp-cue.is-active"), false));
    });
  }
  api.transcript = transcript;

  // ---------------------------------------------------------------- initial choice
  if (picker && tracks.length) picker.value = best() ?? tracks[0].id;
  const saved = remembered();
  let initial = null;
  if (saved && saved !== "off") initial = match([saved]);
  if (!initial && saved !== "off" && settings.subtitlesAutoEnable) initial = best();
  if (initial) api.select(initial, { announce: false });
  else ctx.events.dispatchEvent(new CustomEvent("captions", { detail: { id: null } }));
  return api;
}
