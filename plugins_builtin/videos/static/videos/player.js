// The video page (/videos/<id>): builds the player from the JSON the server put in the page
// (#vp-data: the video detail, the library's playback and subtitle settings) and wires the
// modules together: engine (direct/HLS), controls, trickplay, markers, subtitles + transcript,
// resume/plays, and the side column. Keyboard shortcuts live here.
//
// A page module of the soft-navigation contract (js/navigate.js): mount({ root, signal, url }) runs
// on every visit; when `signal` aborts (the user leaves) the position is saved and the media torn down.

import { formatTime } from "/static/js/format.js";
import { installControls } from "./player-controls.js";
import { Engine } from "./player-engine.js";
import { installMarkers } from "./player-markers.js";
import { installProgress } from "./player-progress.js";
import { installSide } from "./player-side.js";
import { installSubtitles } from "./player-subtitles.js";
import { Trickplay } from "./player-trickplay.js";

export function mount({ root: main = document, signal = new AbortController().signal, url = new URL(location.href) } = {}) {
  const root = main.querySelector("#vp");
  const payload = main.querySelector("#vp-data");
  if (!root || !payload) return;
  const { video: data, settings } = JSON.parse(payload.textContent);
  const video = root.querySelector("video");
  const announcer = root.querySelector('[data-vp="announce"]');
  let announceTimer = 0;

  const ctx = {
    root,
    video,
    signal,
    url,
    data,
    settings,
    events: new EventTarget(),
    trickplay: null,
    q: (name) => root.querySelector(`[data-vp="${name}"]`),
    duration() {
      const d = video.duration;
      return isFinite(d) && d > 0 ? d : data.duration || 0;
    },
    // polite screen-reader announcements (cleared so a repeated message is read again)
    announce(message) {
      clearTimeout(announceTimer);
      announcer.textContent = "";
      announceTimer = setTimeout(() => (announcer.textContent = message), 30);
    },
    play() {
      return ctx.engine.play();
    },
    togglePlay() {
      if (video.paused || video.ended) {
        ctx.play();
        ctx.announce("Playing");
      } else {
        video.pause();
        ctx.announce("Paused");
      }
    },
    seekTo(t, { announce = true } = {}) {
      const d = ctx.duration();
      const target = Math.max(0, d ? Math.min(t, d - 0.05) : t);
      if (video.readyState < 1 || !ctx.engine.loading && ctx.engine.hls) ctx.engine.startTime = target;
      try {
        video.currentTime = target;
      } catch { /* not seekable yet: startTime covers it */ }
      ctx.controls?.renderTime(target);
      if (announce) ctx.announce(`${formatTime(target)} of ${formatTime(d)}`);
    },
    skip(delta) {
      ctx.seekTo((video.currentTime || 0) + delta, { announce: false });
      ctx.announce(`${delta < 0 ? "Back" : "Forward"} ${Math.abs(delta)} seconds, ${formatTime(video.currentTime)}`);
    },
    toggleMute() {
      if (video.muted || video.volume === 0) {
        video.muted = false;
        if (video.volume === 0) video.volume = 0.5;
        ctx.announce(`Unmuted, volume ${Math.round(video.volume * 100)}%`);
      } else {
        video.muted = true;
        ctx.announce("Muted");
      }
    },
    async toggleFullscreen() {
      try {
        if (document.fullscreenElement) await document.exitFullscreen();
        else if (root.requestFullscreen) {
          await root.requestFullscreen({ navigationUI: "hide" });
          screen.orientation?.lock?.("landscape").catch(() => {});
        } else video.webkitEnterFullscreen?.();
      } catch { /* refused (e.g. not from a user gesture) */ }
    },
  };

  ctx.engine = new Engine(video, data, settings);
  ctx.controls = installControls(ctx);
  ctx.markers = installMarkers(ctx);
  ctx.subtitles = installSubtitles(ctx);
  const progress = installProgress(ctx);
  installSide(ctx);

  if (data.trickplayVttUrl) {
    Trickplay.load(data.trickplayVttUrl)
      .then((tp) => (ctx.trickplay = tp))
      .catch((err) => console.warn("no trickplay:", err.message));
  }

  // attach the source now (direct: metadata only; HLS: the manifest only, segments on play)
  const autoplay = url.searchParams.get("autoplay") === "1";
  ctx.engine.load(ctx.engine.preferredMode(), { time: progress.start, play: autoplay });
  // HLS: segments are encoded on demand, so only a sign of intent (the pointer or focus on the
  // player, a touch) has the first segment encoded and fetched ahead of the press on play;
  // merely opening the page costs the server nothing
  const warm = () => ctx.engine.warm(false);
  for (const type of ["pointerenter", "focusin", "touchstart"]) {
    root.addEventListener(type, warm, { signal, once: true, passive: true });
  }

  installKeyboard(ctx);
  window.obscuraPlayer = ctx; // for debugging and the browser tests
  root.dataset.ready = "true";

  signal.addEventListener("abort", () => {
    progress.save();
    clearTimeout(announceTimer);
    ctx.engine.destroy();
    if (window.obscuraPlayer === ctx) delete window.obscuraPlayer;
  }, { once: true });
}

// ------------------------------------------------------------------ keyboard
const TEXT_INPUT = /^(text|search|email|url|tel|password|number|date|datetime-local|month|time|week)$/;

function typing(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && TEXT_INPUT.test(el.type || "text");
}

function installKeyboard(ctx) {
  const { root, signal } = ctx;
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    const el = document.activeElement;
    if (typing(el)) return;
    const inMenu = el?.closest?.('[role="menu"]');
    const onControl = el && el !== document.body && el !== root && el.matches?.("button, a, summary, [role=tab], [role=menuitem], [role=menuitemradio], input");
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    let handled = true;
    switch (key) {
      case " ":
        if (onControl || inMenu) return; // Space activates the focused button
        ctx.togglePlay();
        break;
      case "k":
        ctx.togglePlay();
        break;
      case "ArrowLeft":
      case "ArrowRight": {
        if (inMenu || el?.matches?.('input[type="range"], [role="tab"]')) return;
        ctx.skip(key === "ArrowLeft" ? -5 : 5);
        break;
      }
      case "j":
        ctx.skip(-10);
        break;
      case "l":
        ctx.skip(10);
        break;
      case "f":
        ctx.toggleFullscreen();
        break;
      case "m":
        if (e.shiftKey) ctx.markers.add();
        else ctx.toggleMute();
        break;
      case "c":
        ctx.subtitles.toggle();
        break;
      default:
        if (/^[0-9]$/.test(key) && !inMenu) ctx.seekTo((ctx.duration() * Number(key)) / 10);
        else handled = false;
    }
    if (handled) {
      e.preventDefault();
      ctx.controls.poke();
    }
  }, { signal });
}
