// The custom controls of the video page: play/pause, seek bar (buffered ranges, marker ticks,
// trickplay preview), time, volume, speed/quality/playback-mode menu, subtitles menu, picture in
// picture, full screen, auto-hiding, the big play button, spinner, error and end screens.

import { formatTime } from "/static/js/format.js";
import { icon, toast } from "/static/js/ui.js";
import { canPlayDirect } from "./player-engine.js";

const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
const HIDE_AFTER_MS = 2600;
const SNAP_PX = 7;

const speedLabel = (r) => (r === 1 ? "Normal" : `${r}×`);

function store(key, value) {
  try {
    if (value === undefined) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch { /* private mode */ }
  return null;
}

// A menu button with a role="menu" panel: arrow keys move between items, Escape closes and gives
// focus back to the button, a click outside closes it.
class Menu {
  constructor(button, panel, render, onChange, signal) {
    this.button = button;
    this.panel = panel;
    this.render = render;
    this.onChange = onChange;
    this.isOpen = false;
    button.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    button.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        this.open();
      }
    });
    panel.addEventListener("keydown", (e) => this._key(e));
    document.addEventListener("pointerdown", (e) => {
      if (this.isOpen && !panel.contains(e.target) && !button.contains(e.target)) this.close(false);
    }, { signal });
  }

  get items() {
    return [...this.panel.querySelectorAll('[role^="menuitem"]')].filter((el) => !el.hidden && !el.disabled);
  }

  open(view) {
    this.render(view);
    this.panel.hidden = false;
    this.isOpen = true;
    this.button.setAttribute("aria-expanded", "true");
    this.focusItem();
    this.onChange?.(true);
  }

  refresh(view) {
    if (!this.isOpen) return;
    const focusedValue = document.activeElement?.dataset?.key;
    this.render(view);
    this.focusItem(focusedValue);
  }

  focusItem(key) {
    const items = this.items;
    const target = (key && items.find((el) => el.dataset.key === key))
      || items.find((el) => el.getAttribute("aria-checked") === "true")
      || items[0];
    target?.focus();
  }

  close(returnFocus = true) {
    if (!this.isOpen) return;
    this.panel.hidden = true;
    this.isOpen = false;
    this.button.setAttribute("aria-expanded", "false");
    if (returnFocus) this.button.focus();
    this.onChange?.(false);
  }

  _key(e) {
    const items = this.items;
    const at = items.indexOf(document.activeElement);
    const move = (i) => { e.preventDefault(); items[(i + items.length) % items.length]?.focus(); };
    if (e.key === "ArrowDown") move(at + 1);
    else if (e.key === "ArrowUp") move(at - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(items.length - 1);
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); this.close(); }
    else if (e.key === "Tab") this.close(false);
    else if (e.key === "ArrowLeft") this.panel.querySelector("[data-back]")?.click();
    else if (e.key === "ArrowRight" && document.activeElement?.dataset.view) document.activeElement.click();
  }
}

function item({ key, label, hint = "", checked = null, view = null, back = false, disabled = false }) {
  const role = checked === null ? "menuitem" : "menuitemradio";
  const attrs = [
    `type="button"`, `role="${role}"`, `class="vp-mi${back ? " vp-mi-back" : ""}"`, `data-key="${key}"`,
    checked === null ? "" : `aria-checked="${checked}"`, view ? `data-view="${view}" aria-haspopup="menu"` : "",
    back ? "data-back" : "", disabled ? "disabled" : "",
  ].join(" ");
  const lead = back
    ? `<svg class="i i-s" aria-hidden="true"><use href="#vp-i-back-arrow"/></svg>`
    : checked === null ? "" : `<span class="vp-mi-check" aria-hidden="true">${icon("check", "i i-s")}</span>`;
  const tail = view ? `<span class="vp-mi-hint">${hint}</span>${icon("chevron-right", "i i-s")}` : hint ? `<span class="vp-mi-hint">${hint}</span>` : "";
  return `<button ${attrs}>${lead}<span class="vp-mi-label">${label}</span>${tail}</button>`;
}

export function installControls(ctx) {
  const { root, video, engine, q } = ctx;
  const seek = q("seek"), knob = q("knob"), played = q("played"), buffered = q("buffered"), hoverfill = q("hoverfill");
  const preview = q("preview"), previewImg = q("preview-img"), previewTime = q("preview-time"), previewTitle = q("preview-title");
  const playBtn = q("play"), muteBtn = q("mute"), volume = q("volume"), fsBtn = q("fullscreen"), pipBtn = q("pip");
  const currentEl = q("current"), durationEl = q("duration"), badge = q("mode-badge");
  const errorBox = root.querySelector(".vp-error");

  let dragging = false, scrubTime = null, hideTimer = 0, overControls = false, rafId = 0, lastValueNow = -1;

  // ---------------------------------------------------------------- state & time
  function setState(state) {
    root.dataset.state = state;
    const playing = state === "playing";
    playBtn.setAttribute("aria-label", playing ? "Pause" : "Play");
    playBtn.title = playing ? "Pause (K)" : "Play (K)";
    playBtn.querySelector("use").setAttribute("href", `/static/icons.svg#${playing ? "pause" : "play"}`);
    q("endcard").hidden = state !== "ended";
  }

  function renderTime(t = video.currentTime) {
    const d = ctx.duration();
    const shown = scrubTime ?? t;
    const frac = d ? Math.min(1, Math.max(0, shown / d)) : 0;
    played.style.transform = `scaleX(${frac})`;
    knob.style.left = `${frac * 100}%`;
    currentEl.textContent = formatTime(shown);
    const now = Math.floor(shown);
    if (now !== lastValueNow) {
      lastValueNow = now;
      seek.setAttribute("aria-valuenow", String(now));
      seek.setAttribute("aria-valuetext", `${formatTime(shown)} of ${formatTime(d)}`);
    }
  }

  function renderDuration() {
    const d = ctx.duration();
    durationEl.textContent = formatTime(d);
    seek.setAttribute("aria-valuemax", String(Math.round(d)));
    lastValueNow = -1;
    renderTime();
    ctx.events.dispatchEvent(new CustomEvent("duration", { detail: { duration: d } }));
  }

  function renderBuffered() {
    const d = ctx.duration();
    const ranges = video.buffered;
    let html = "";
    for (let i = 0; d && i < ranges.length; i++) {
      const start = ranges.start(i) / d, end = Math.min(1, ranges.end(i) / d);
      html += `<i style="left:${(start * 100).toFixed(3)}%;width:${((end - start) * 100).toFixed(3)}%"></i>`;
    }
    if (buffered.innerHTML !== html) buffered.innerHTML = html;
  }

  function loop() {
    renderTime();
    rafId = video.paused ? 0 : requestAnimationFrame(loop);
  }

  video.addEventListener("play", () => {
    setState("playing");
    errorBox.hidden = true;
    if (!rafId) rafId = requestAnimationFrame(loop);
    poke();
  });
  video.addEventListener("pause", () => {
    if (!video.ended) setState("paused");
    showControls();
  });
  video.addEventListener("ended", () => { setState("ended"); showControls(); });
  video.addEventListener("playing", () => (root.dataset.waiting = "false"));
  video.addEventListener("waiting", () => (root.dataset.waiting = "true"));
  video.addEventListener("seeking", () => { if (!video.paused) root.dataset.waiting = "true"; renderTime(); });
  video.addEventListener("seeked", () => { if (video.readyState >= 3) root.dataset.waiting = "false"; renderTime(); });
  video.addEventListener("canplay", () => (root.dataset.waiting = "false"));
  video.addEventListener("timeupdate", () => { if (video.paused) renderTime(); });
  video.addEventListener("progress", renderBuffered);
  video.addEventListener("durationchange", renderDuration);
  video.addEventListener("loadedmetadata", () => { renderDuration(); renderBuffered(); });
  video.addEventListener("volumechange", renderVolume);
  video.addEventListener("ratechange", () => settingsMenu.refresh());

  // ---------------------------------------------------------------- buttons
  const bigPlay = q("bigplay");
  bigPlay.addEventListener("click", () => ctx.togglePlay());
  playBtn.addEventListener("click", () => ctx.togglePlay());
  q("back").addEventListener("click", () => ctx.skip(-10));
  q("forward").addEventListener("click", () => ctx.skip(10));
  q("replay").addEventListener("click", () => { video.currentTime = 0; ctx.play(); });
  q("marker").addEventListener("click", () => ctx.markers.add());
  q("retry").addEventListener("click", () => { errorBox.hidden = true; engine.reload(); });

  // the picture itself: click toggles playback (a tap on a touch screen first reveals the controls)
  let lastPointer = "mouse";
  video.addEventListener("pointerdown", (e) => (lastPointer = e.pointerType));
  video.addEventListener("click", () => {
    if (lastPointer === "touch" && root.dataset.controls === "hidden") { showControls(); poke(); return; }
    ctx.togglePlay();
  });
  video.addEventListener("dblclick", () => ctx.toggleFullscreen());

  // ---------------------------------------------------------------- volume
  const savedVolume = Number(store("obscura-volume"));
  if (store("obscura-volume") !== null && isFinite(savedVolume)) video.volume = Math.min(1, Math.max(0, savedVolume));
  video.muted = store("obscura-muted") === "true";
  function renderVolume() {
    const silent = video.muted || video.volume === 0;
    muteBtn.setAttribute("aria-label", silent ? "Unmute" : "Mute");
    muteBtn.title = silent ? "Unmute (M)" : "Mute (M)";
    muteBtn.querySelector("use").setAttribute("href", `/static/icons.svg#${silent ? "mute" : "volume"}`);
    volume.value = String(video.muted ? 0 : video.volume);
    volume.setAttribute("aria-valuetext", video.muted ? "Muted" : `${Math.round(video.volume * 100)}%`);
    volume.style.setProperty("--vp-fill", `${(video.muted ? 0 : video.volume) * 100}%`);
    store("obscura-volume", String(video.volume));
    store("obscura-muted", String(video.muted));
  }
  muteBtn.addEventListener("click", () => ctx.toggleMute());
  volume.addEventListener("input", () => {
    const v = Number(volume.value);
    video.volume = v;
    video.muted = v === 0;
  });
  renderVolume();

  // ---------------------------------------------------------------- seek bar
  function timeAt(clientX) {
    const rect = seek.getBoundingClientRect();
    const frac = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
    return { frac, t: frac * ctx.duration(), x: frac * rect.width, width: rect.width };
  }

  // A marker near the pointer (ticks are small; within SNAP_PX the marker's exact time wins).
  function snap(x, width) {
    const d = ctx.duration();
    if (!d) return null;
    let best = null;
    for (const m of ctx.markers?.list() ?? []) {
      const dx = Math.abs((m.seconds / d) * width - x);
      if (dx <= SNAP_PX && (!best || dx < best.dx)) best = { dx, marker: m };
    }
    return best?.marker ?? null;
  }

  function showPreview(clientX) {
    const { t: raw, x, width } = timeAt(clientX);
    const marker = snap(x, width);
    const t = marker ? marker.seconds : raw;
    const tileWidth = root.clientWidth < 520 ? 128 : 184;
    const hasImage = ctx.trickplay ? ctx.trickplay.paint(previewImg, t, tileWidth) : false;
    previewImg.hidden = !hasImage;
    previewTime.textContent = formatTime(t);
    previewTitle.textContent = marker ? marker.title : "";
    previewTitle.hidden = !marker;
    preview.hidden = false;
    const half = (hasImage ? tileWidth : preview.offsetWidth) / 2;
    const left = Math.min(width - half, Math.max(half, marker ? (marker.seconds / ctx.duration()) * width : x));
    preview.style.left = `${left}px`;
    hoverfill.style.transform = `scaleX(${width ? x / width : 0})`;
    return t;
  }

  function hidePreview() {
    preview.hidden = true;
    hoverfill.style.transform = "scaleX(0)";
  }

  seek.addEventListener("pointerenter", () => ctx.trickplay?.preload());
  seek.addEventListener("pointermove", (e) => {
    const t = showPreview(e.clientX);
    if (dragging) {
      scrubTime = t;
      renderTime();
    }
  });
  seek.addEventListener("pointerleave", () => { if (!dragging) hidePreview(); });
  seek.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    seek.focus({ preventScroll: true });
    dragging = true;
    root.dataset.scrubbing = "true";
    seek.setPointerCapture(e.pointerId);
    const tick = e.target.closest(".vp-tick");
    const marker = tick ? ctx.markers?.byId(tick.dataset.markerId) : null;
    scrubTime = marker ? marker.seconds : showPreview(e.clientX);
    if (marker) showPreview(e.clientX);
    renderTime();
  });
  const endDrag = (e, commit) => {
    if (!dragging) return;
    dragging = false;
    delete root.dataset.scrubbing;
    const t = scrubTime;
    scrubTime = null;
    if (commit && t !== null) ctx.seekTo(t, { announce: false });
    if (e.pointerType !== "mouse") hidePreview();
    renderTime();
    poke();
  };
  seek.addEventListener("pointerup", (e) => endDrag(e, true));
  seek.addEventListener("pointercancel", (e) => endDrag(e, false));
  seek.addEventListener("lostpointercapture", (e) => endDrag(e, true));
  seek.addEventListener("keydown", (e) => {
    const d = ctx.duration();
    const keys = { Home: 0, End: d, PageUp: video.currentTime + d / 10, PageDown: video.currentTime - d / 10,
      ArrowUp: video.currentTime + 5, ArrowDown: video.currentTime - 5 };
    if (e.key in keys && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      ctx.seekTo(keys[e.key]);
    }
  });

  // ---------------------------------------------------------------- settings menu (quality, speed, mode)
  const settingsMenu = new Menu(q("settings"), root.querySelector("#vp-settings-menu"), (view) => {
    const panel = settingsMenu.panel;
    view = view ?? settingsMenu.view ?? "main";
    settingsMenu.view = view;
    const levels = engine.levels;
    const hlsActive = engine.mode === "hls" && engine.hls;
    const qualityHint = !hlsActive
      ? engine.mode === "direct" ? `Original${ctx.data.height ? " · " + ctx.data.height + "p" : ""}` : "Auto"
      : engine.autoLevel ? `Auto${engine.currentLevel >= 0 ? " · " + engine.levelLabel(engine.currentLevel) : ""}`
        : engine.levelLabel(engine.currentLevel) || "Auto";
    let html = "";
    if (view === "main") {
      html += item({ key: "quality", label: "Quality", hint: qualityHint, view: "quality" });
      html += item({ key: "speed", label: "Speed", hint: speedLabel(video.playbackRate), view: "speed" });
      if (engine.hlsAvailable) {
        html += item({ key: "mode", label: "Playback", hint: engine.mode === "hls" ? "HLS" : "Direct", view: "mode" });
      }
    } else if (view === "quality") {
      html += item({ key: "back", label: "Quality", back: true });
      if (hlsActive && levels.length) {
        html += item({ key: "level:-1", label: "Auto", hint: engine.autoLevel && engine.currentLevel >= 0 ? engine.levelLabel(engine.currentLevel) : "", checked: engine.autoLevel });
        [...levels].sort((a, b) => b.height - a.height).forEach((l) => {
          html += item({ key: `level:${l.index}`, label: `${l.height}p`, hint: `${(l.bitrate / 1e6).toFixed(1)} Mb/s`, checked: !engine.autoLevel && engine.hls.manualLevel === l.index });
        });
      } else {
        html += item({ key: "original", label: qualityHint, checked: true });
        if (engine.hlsAvailable) html += `<p class="vp-mi-note">Switch playback to HLS to pick a lower quality.</p>`;
      }
    } else if (view === "speed") {
      html += item({ key: "back", label: "Speed", back: true });
      for (const r of SPEEDS) html += item({ key: `speed:${r}`, label: speedLabel(r), checked: video.playbackRate === r });
    } else if (view === "mode") {
      html += item({ key: "back", label: "Playback", back: true });
      const directHint = canPlayDirect(video, ctx.data) ? "the file as it is" : "may not play here";
      html += item({ key: "mode:direct", label: "Direct", hint: directHint, checked: engine.mode === "direct" });
      html += item({ key: "mode:hls", label: "HLS", hint: "converted on the fly", checked: engine.mode === "hls" });
    }
    panel.innerHTML = html;
    panel.dataset.view = view;
  }, onMenu, ctx.signal);
  settingsMenu.panel.addEventListener("click", (e) => {
    const el = e.target.closest("[data-key]");
    if (!el) return;
    const key = el.dataset.key;
    if (el.dataset.view) { settingsMenu.view = el.dataset.view; settingsMenu.refresh(); settingsMenu.focusItem(); return; }
    if (key === "back") { const from = settingsMenu.view; settingsMenu.view = "main"; settingsMenu.refresh(); settingsMenu.focusItem(from); return; }
    if (key.startsWith("speed:")) {
      video.playbackRate = Number(key.slice(6));
      ctx.announce(`Speed ${speedLabel(video.playbackRate)}`);
    } else if (key.startsWith("level:")) {
      const index = Number(key.slice(6));
      engine.setLevel(index);
      ctx.announce(index < 0 ? "Quality automatic" : `Quality ${engine.levelLabel(index)}`);
    } else if (key.startsWith("mode:")) {
      const mode = key.slice(5);
      if (mode !== engine.mode) {
        engine.switchMode(mode);
        ctx.announce(mode === "hls" ? "Playing through HLS" : "Playing the file directly");
      }
    } else return;
    settingsMenu.view = "main";
    settingsMenu.close();
  });
  settingsMenu.button.addEventListener("click", () => { if (!settingsMenu.isOpen) settingsMenu.view = "main"; }, true);

  // ---------------------------------------------------------------- subtitles menu
  const captionsBtn = q("captions");
  const captionsMenu = new Menu(captionsBtn, root.querySelector("#vp-captions-menu"), () => {
    const subs = ctx.subtitles;
    const current = subs?.current ?? null;
    let html = item({ key: "track:", label: "Off", checked: current === null });
    for (const t of subs?.tracks ?? []) html += item({ key: `track:${t.id}`, label: t.label, checked: current === t.id });
    if (subs?.tracks.length) html += `<hr class="vp-mi-sep">` + item({ key: "transcript", label: "Show transcript" });
    captionsMenu.panel.innerHTML = html;
  }, onMenu, ctx.signal);
  captionsMenu.panel.addEventListener("click", (e) => {
    const el = e.target.closest("[data-key]");
    if (!el) return;
    if (el.dataset.key === "transcript") {
      captionsMenu.close(false);
      ctx.events.dispatchEvent(new CustomEvent("show-tab", { detail: { tab: "transcript" } }));
      return;
    }
    ctx.subtitles?.select(el.dataset.key.slice(6) || null, { remember: true });
    captionsMenu.close();
  });
  ctx.events.addEventListener("captions", (e) => {
    captionsBtn.setAttribute("aria-pressed", String(Boolean(e.detail.id)));
    captionsMenu.refresh();
  });

  function onMenu(open) {
    root.dataset.menu = open ? "open" : "";
    if (open) showControls();
    else poke();
  }

  // engine changes: modes, levels, errors
  function renderBadge() {
    if (engine.mode === "hls") {
      const label = engine.currentLevel >= 0 ? engine.levelLabel(engine.currentLevel) : "";
      badge.textContent = `HLS${label ? " · " + label : ""}`;
      badge.hidden = false;
    } else badge.hidden = true;
    root.dataset.mode = engine.mode ?? "none";
  }
  engine.addEventListener("mode", () => { renderBadge(); settingsMenu.refresh(); });
  engine.addEventListener("levels", () => { renderBadge(); settingsMenu.refresh(); });
  engine.addEventListener("level", () => { renderBadge(); settingsMenu.refresh(); });
  engine.addEventListener("fallback", () => {
    toast("This browser can't play the file as it is, so it is streamed through HLS instead.", "info", 6000);
    ctx.announce("Switched to HLS streaming");
  });
  engine.addEventListener("blocked", () => setState(video.currentTime ? "paused" : "idle"));
  engine.addEventListener("fatal", (e) => {
    root.dataset.waiting = "false";
    errorBox.querySelector(".vp-error-text").textContent = e.detail.message;
    errorBox.hidden = false;
    setState("paused");
  });

  // ---------------------------------------------------------------- full screen & picture in picture
  const fsTarget = root;
  const canFullscreen = Boolean(fsTarget.requestFullscreen || video.webkitEnterFullscreen);
  if (!canFullscreen) fsBtn.hidden = true;
  document.addEventListener("fullscreenchange", () => {
    const on = document.fullscreenElement === fsTarget;
    root.dataset.fullscreen = String(on);
    fsBtn.setAttribute("aria-label", on ? "Exit full screen" : "Full screen");
    fsBtn.title = on ? "Exit full screen (F)" : "Full screen (F)";
    fsBtn.querySelector("use").setAttribute("href", on ? "#vp-i-shrink" : "/static/icons.svg#expand");
    ctx.announce(on ? "Full screen" : "Left full screen");
  }, { signal: ctx.signal });

  if (document.pictureInPictureEnabled && video.requestPictureInPicture) {
    pipBtn.hidden = false;
    pipBtn.addEventListener("click", async () => {
      try {
        if (document.pictureInPictureElement) await document.exitPictureInPicture();
        else await video.requestPictureInPicture();
      } catch (err) {
        toast(`Picture in picture is not available: ${err.message}`, "error");
      }
    });
    video.addEventListener("enterpictureinpicture", () => pipBtn.setAttribute("aria-pressed", "true"));
    video.addEventListener("leavepictureinpicture", () => pipBtn.setAttribute("aria-pressed", "false"));
  }
  fsBtn.addEventListener("click", () => ctx.toggleFullscreen());

  // ---------------------------------------------------------------- auto-hide
  function showControls() {
    root.dataset.controls = "shown";
    clearTimeout(hideTimer);
  }
  function poke() {
    showControls();
    hideTimer = setTimeout(() => {
      const keyboardInside = root.querySelector(".vp-controls :focus-visible");
      if (!video.paused && !dragging && !overControls && !settingsMenu.isOpen && !captionsMenu.isOpen && !keyboardInside) {
        root.dataset.controls = "hidden";
        hidePreview();
      }
    }, HIDE_AFTER_MS);
  }
  root.addEventListener("pointermove", (e) => { if (e.pointerType === "mouse") poke(); });
  root.addEventListener("pointerleave", () => { if (!video.paused) { clearTimeout(hideTimer); hideTimer = setTimeout(poke, 0); } });
  root.addEventListener("focusin", poke);
  const controls = q("controls");
  controls.addEventListener("pointerenter", (e) => { if (e.pointerType === "mouse") overControls = true; });
  controls.addEventListener("pointerleave", () => { overControls = false; poke(); });
  controls.addEventListener("pointerdown", poke);

  ctx.signal.addEventListener("abort", () => {
    clearTimeout(hideTimer);
    cancelAnimationFrame(rafId);
  });

  setState("idle");
  renderDuration();
  renderBadge();
  return { setState, renderTime, renderDuration, poke, showControls, settingsMenu, captionsMenu, renderBadge };
}
