// The persistent mini player: the audio plugin's shell part (templates/audio/player.html).
//
// The shell imports this module once per visit and page swaps never touch its element, so the
// <audio> keeps playing while the user browses. Pages talk to it by importing this same module
// (same URL, same instance): playTracks(), playNext(), addToQueue(), seekTo(), and `events`
// ("change" when the track or queue changes, "state" on play/pause, "time" as it plays).
//
// Streams: codecs browsers play are served as files with ranges (seek = currentTime). Others are a
// live MP3 transcode that cannot seek: seeking reloads the source with ?t=<seconds> and the shown
// time is that offset plus currentTime; the track's duration from the API is the timeline.
// The queue, the current track and its position are kept in localStorage and restored paused.

import { post } from "/static/js/api.js";
import { formatTime } from "/static/js/format.js";
import { escapeHtml, icon, toast } from "/static/js/ui.js";
import { Queue } from "./player-queue.js";
import { Waveform } from "./waveform.js";

const STORE = "obscura-audio-v1";
const PROGRESS_EVERY_MS = 10_000;
const SAVE_EVERY_MS = 3_000;
const RESTART_AFTER_S = 3; // "previous" restarts the track when it is further in than this
const TRANSCODE_SEEK_DELAY_MS = 250;

export const events = new EventTarget();

const root = document.querySelector("[data-audio-player]");
const $ = (name) => root.querySelector(`[data-ap="${name}"]`);
const $$ = (name) => [...root.querySelectorAll(`[data-ap="${name}"]`)];

let queue = new Queue();
let audio = null;
let waves = [];
let offset = 0; // start of the current transcoded source (seconds)
let loadedQid = null; // the queue entry whose source is in the <audio>
let pendingAt = 0; // where to start when a restored track is played
let counted = false; // a play was counted for this start of the track
let listened = 0; // seconds heard since the last progress report
let lastPos = null;
let preview = null; // the time shown while dragging on a waveform
let markers = [];
let seekTimer = 0;
let failures = 0;
let lastSave = 0;
let lastProgress = 0;
let lastPositionState = 0;

// ------------------------------------------------------------------------------------ public API

/** The current queue entry (a copy), or null. */
export function current() {
  const c = queue.current;
  return c ? { ...c } : null;
}

/** Where the current track is, in seconds (the offset of a transcode included). */
export function position() {
  if (!audio) return 0;
  if (preview !== null) return preview;
  if (!loadedQid) return pendingAt;
  return (isTranscoded() ? offset : 0) + (audio.currentTime || 0);
}

/** Playing or about to (play() was called and the data is on its way). */
export function isPlaying() {
  return Boolean(audio && !audio.paused && !audio.ended);
}

/** Replace the queue with `tracks` and play `tracks[start]` (from `at` seconds). */
export function playTracks(tracks, start = 0, { shuffle = queue.shuffle, at = 0 } = {}) {
  if (!audio || !tracks?.length) return;
  report();
  queue.replace(tracks, start, { shuffle });
  startCurrent({ at, play: true });
  changed();
}

/** Insert `tracks` right after the current one. */
export function playNext(tracks) {
  if (!audio || !tracks?.length) return;
  const empty = !queue.current;
  queue.playNext(tracks);
  if (empty) startCurrent({ play: true });
  changed();
}

/** Append `tracks` to the queue. */
export function addToQueue(tracks) {
  if (!audio || !tracks?.length) return;
  const empty = !queue.current;
  queue.append(tracks);
  if (empty) startCurrent({ play: true });
  changed();
}

export function play() {
  if (!audio || !queue.current) return Promise.resolve();
  if (loadedQid !== queue.current.qid) {
    // a restored (or failed) track goes on where it was: not a new start, no new play counted
    startCurrent({ at: pendingAt, play: true, keepCount: pendingAt > 0 });
    return Promise.resolve();
  }
  const started = audio.play();
  render();
  return started.catch((err) => {
    render();
    // AbortError: a newer source replaced this one; NotSupportedError is reported by onError
    if (err.name === "NotAllowedError") toast("The browser blocked playback; press play again.", "error");
  });
}

export function pause() {
  audio?.pause();
  render();
}

export function toggle() {
  if (isPlaying()) pause();
  else play();
}

/** Seek the current track to `t` seconds. */
export function seekTo(t) {
  const entry = queue.current;
  if (!audio || !entry) return;
  const d = duration();
  const target = Math.max(0, d ? Math.min(t, d - 0.25) : t);
  if (!loadedQid) {
    pendingAt = target;
    renderTime();
    save(true);
    return;
  }
  lastPos = null;
  if (!isTranscoded()) {
    try {
      audio.currentTime = target;
    } catch { /* not seekable yet */ }
    renderTime();
    return;
  }
  // a live transcode: restart the stream at the new position (debounced for key repeats)
  offset = target;
  preview = target;
  renderTime();
  clearTimeout(seekTimer);
  seekTimer = setTimeout(() => {
    preview = null;
    const resume = !audio.paused;
    setSource(entry, target);
    if (resume) play();
  }, TRANSCODE_SEEK_DELAY_MS);
}

export function next() {
  report();
  const entry = queue.next();
  if (!entry) return;
  startCurrent({ play: true });
  changed();
}

export function prev() {
  if (position() > RESTART_AFTER_S || !queue.hasPrev()) {
    seekTo(0);
    if (!isPlaying()) play();
    return;
  }
  report();
  queue.prev();
  startCurrent({ play: true });
  changed();
}

export function jump(qid) {
  if (!queue.items.some((e) => e.qid === qid)) return;
  report();
  queue.jump(qid);
  startCurrent({ play: true });
  changed();
}

/** Re-read the markers (and waveform) of the current track, e.g. after a page added one. */
export function refresh(trackId) {
  if (queue.current?.id === trackId) loadDetails(queue.current);
}

/** Stop, forget the queue and hide the player. */
export function close() {
  report();
  pause();
  if ($("full")?.open) $("full").close();
  queue.clear();
  loadedQid = null;
  audio?.removeAttribute("src");
  audio?.load();
  markers = [];
  changed();
}

// ------------------------------------------------------------------------------------ playback

function isTranscoded() {
  return Boolean(queue.current?.transcoded);
}

function duration() {
  const entry = queue.current;
  if (entry?.duration) return entry.duration;
  const d = audio?.duration;
  return isFinite(d) && d > 0 ? d + (isTranscoded() ? offset : 0) : 0;
}

function setSource(entry, at = 0) {
  loadedQid = entry.qid;
  lastPos = null;
  if (entry.transcoded) {
    offset = at > 0.5 ? at : 0;
    audio.src = offset ? `${entry.streamUrl}?t=${offset.toFixed(2)}` : entry.streamUrl;
  } else {
    offset = 0;
    audio.src = entry.streamUrl;
    if (at > 0.5) {
      audio.addEventListener("loadedmetadata", () => {
        if (loadedQid === entry.qid) audio.currentTime = at;
      }, { once: true });
    }
  }
  audio.load();
}

/** Load the current entry into the <audio> (from `at` seconds) and play it if asked. */
function startCurrent({ at = 0, play: autoplay = true, keepCount = false } = {}) {
  const entry = queue.current;
  clearTimeout(seekTimer);
  preview = null;
  if (!entry) return;
  if (!keepCount) counted = false;
  listened = 0;
  pendingAt = 0;
  setSource(entry, at);
  loadDetails(entry);
  if (autoplay) play();
  save(true);
}

async function loadDetails(entry) {
  markers = [];
  renderMarkers();
  for (const w of waves) {
    w.setMarkers([]);
    w.load(entry.waveformUrl);
  }
  try {
    const resp = await fetch(`/api/audio-tracks/${encodeURIComponent(entry.id)}`, { headers: { Accept: "application/json" } });
    if (!resp.ok) return;
    const { data } = await resp.json();
    if (queue.current?.qid !== entry.qid) return;
    markers = data.markers || [];
    if (data.duration && !entry.duration) entry.duration = data.duration;
    if (data.waveformUrl && !entry.waveformUrl) {
      entry.waveformUrl = data.waveformUrl;
      for (const w of waves) w.load(entry.waveformUrl);
    }
    for (const w of waves) {
      w.setDuration(duration());
      w.setMarkers(markers);
    }
    renderMarkers();
    renderTime();
  } catch { /* offline: the track plays without its markers */ }
}

function onEnded() {
  report();
  const entry = queue.next({ auto: true });
  if (entry) {
    startCurrent({ play: true });
    changed();
    return;
  }
  // the end of the queue: back to the start of the last track, paused
  loadedQid = null;
  pendingAt = 0;
  render();
  save(true);
}

function onError() {
  const entry = queue.current;
  if (!entry || !audio.getAttribute("src") || loadedQid !== entry.qid) return;
  failures += 1;
  pendingAt = position();
  loadedQid = null;
  render();
  const code = audio.error?.code;
  const why = code === 4 ? "its format cannot be played" : code === 2 ? "the connection failed" : "it could not be loaded";
  toast(`“${entry.title}” cannot be played: ${why}.`, "error", 6000);
  if (failures < 3 && queue.index + 1 < queue.length) {
    setTimeout(() => {
      if (queue.current?.qid === entry.qid) next();
    }, 1200);
  }
}

function onTime() {
  const pos = position();
  if (lastPos !== null && isPlaying()) {
    const delta = pos - lastPos;
    if (delta > 0 && delta < 3) listened += delta;
  }
  lastPos = pos;
  renderTime();
  const now = Date.now();
  if (now - lastProgress > PROGRESS_EVERY_MS && isPlaying()) report();
  if (now - lastSave > SAVE_EVERY_MS) save();
  if (now - lastPositionState > 1000) updatePositionState();
  events.dispatchEvent(new CustomEvent("time", { detail: { position: pos } }));
}

function onPlaying() {
  failures = 0;
  const entry = queue.current;
  if (entry && !counted) {
    counted = true;
    post(`/api/audio-tracks/${encodeURIComponent(entry.id)}/play`).catch(() => {});
  }
  lastProgress = lastProgress || Date.now();
  render();
  updatePositionState();
  events.dispatchEvent(new CustomEvent("state", { detail: { playing: true } }));
}

function onPause() {
  if (!audio.ended) report();
  render();
  save(true);
  events.dispatchEvent(new CustomEvent("state", { detail: { playing: false } }));
}

/** Send the resume position and the seconds heard since the last report. */
function report({ beacon = false } = {}) {
  const entry = queue.current;
  lastProgress = Date.now();
  if (!entry || !loadedQid || (!listened && !counted)) return;
  const body = JSON.stringify({ resumeTime: Math.max(0, position()), playedSeconds: Math.min(listened, 86400) });
  listened = 0;
  fetch(`/api/audio-tracks/${encodeURIComponent(entry.id)}/progress`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body,
    keepalive: beacon,
  }).catch(() => {});
}

// ------------------------------------------------------------------------------------ storage

function save(now = false) {
  if (!audio) return;
  lastSave = Date.now();
  const write = () => {
    try {
      if (!queue.length) {
        localStorage.removeItem(STORE);
        return;
      }
      localStorage.setItem(STORE, JSON.stringify({
        queue: queue.toJSON(),
        time: position(),
        counted,
        playing: isPlaying(),
        volume: audio.volume,
        muted: audio.muted,
        sfw: sfwMode(),
        savedAt: Date.now(),
      }));
    } catch { /* storage full or disabled: nothing to restore later */ }
  };
  if (now) write();
  else queueMicrotask(write);
}

function sfwMode() {
  return document.documentElement.dataset.sfw === "1";
}

function restore() {
  let data = null;
  try {
    data = JSON.parse(localStorage.getItem(STORE) || "null");
  } catch {
    data = null;
  }
  if (!data) return;
  if (sfwMode() && !data.sfw) {
    // saved outside SFW mode: its queue may name NSFW tracks the server now hides
    localStorage.removeItem(STORE);
    return;
  }
  if (typeof data.volume === "number") audio.volume = Math.min(1, Math.max(0, data.volume));
  audio.muted = Boolean(data.muted);
  queue = Queue.from(data.queue);
  if (!queue.current) return;
  const at = Math.max(0, Number(data.time) || 0);
  const wasCounted = Boolean(data.counted);
  // a link to a page that needs a full load: carry on if the browser lets us (a reload stays paused)
  const nav = performance.getEntriesByType?.("navigation")?.[0];
  counted = wasCounted;
  if (data.playing && nav?.type === "navigate" && Date.now() - (data.savedAt || 0) < 15_000) {
    startCurrent({ at, play: false, keepCount: true });
    audio.play().catch(() => render());
  } else {
    pendingAt = at;
    loadDetails(queue.current);
  }
  changed({ quiet: true });
}

// ------------------------------------------------------------------------------------ rendering

function announce(message) {
  const el = $("announce");
  if (!el) return;
  el.textContent = "";
  setTimeout(() => (el.textContent = message), 30);
}

function setDock() {
  const bar = root.querySelector(".ap-bar");
  const h = root.hidden ? 0 : Math.ceil(bar.getBoundingClientRect().height);
  document.documentElement.style.setProperty("--dock", `${h}px`);
}

function changed({ quiet = false } = {}) {
  render();
  renderQueue();
  save(true);
  if (!quiet) events.dispatchEvent(new CustomEvent("change", { detail: { current: current() } }));
}

function render() {
  const entry = queue.current;
  const wasHidden = root.hidden;
  root.hidden = !entry;
  if (wasHidden !== root.hidden) setDock();
  if (!entry) {
    setMediaSession(null);
    return;
  }
  const playing = isPlaying();
  root.classList.toggle("is-playing", playing);
  root.classList.toggle("is-busy", playing && audio.readyState < 3);
  for (const b of $$("play")) b.setAttribute("aria-label", playing ? "Pause" : "Play");
  for (const b of $$("shuffle")) b.setAttribute("aria-pressed", String(queue.shuffle));
  const repeatLabel = { off: "Repeat: off", all: "Repeat: all", one: "Repeat: this track" }[queue.repeat];
  for (const b of $$("repeat")) {
    b.setAttribute("aria-pressed", String(queue.repeat !== "off"));
    b.setAttribute("aria-label", repeatLabel);
    b.title = repeatLabel;
    b.dataset.mode = queue.repeat;
  }
  for (const b of $$("next")) b.disabled = !queue.hasNext();

  if (root.dataset.track !== entry.qid) {
    root.dataset.track = entry.qid;
    root.dataset.trackId = entry.id;
    $("title").textContent = entry.title;
    $("artist").textContent = entry.artist || entry.album || entry.libraryTitle || "";
    const link = $("link");
    link.textContent = entry.title;
    link.href = entry.url || "#";
    $("big-artist").textContent = entry.artist || "";
    const album = $("album");
    album.hidden = !entry.libraryId;
    album.textContent = entry.album || entry.libraryTitle || "";
    if (entry.libraryId) album.href = `/audio/libraries/${entry.libraryId}`;
    for (const [name, img] of [["cover", $("cover")], ["big-cover", $("big-cover")]]) {
      if (entry.coverUrl) {
        img.src = entry.coverUrl;
        img.hidden = false;
      } else {
        img.removeAttribute("src");
        img.hidden = true;
      }
      img.closest(name === "cover" ? ".ap-cover" : ".ap-now-cover").classList.toggle("has-cover", Boolean(entry.coverUrl));
    }
    $("from").textContent = entry.libraryTitle ? ` · ${entry.libraryTitle}` : "";
    for (const w of waves) w.setDuration(duration());
    setMediaSession(entry);
  }
  $("open").setAttribute("aria-label", `Open the player: ${entry.title}${entry.artist ? ` by ${entry.artist}` : ""}`);
  $("position").textContent = queue.length > 1 ? `${queue.index + 1} of ${queue.length}` : "";
  const count = $("count");
  count.hidden = queue.upNext.length === 0;
  count.textContent = String(queue.upNext.length);
  renderTime();
  if (navigator.mediaSession) navigator.mediaSession.playbackState = playing ? "playing" : "paused";
}

function renderTime() {
  const pos = position();
  const d = duration();
  for (const el of $$("now").concat($$("big-now"))) el.textContent = formatTime(pos);
  for (const el of $$("total").concat($$("big-total"))) el.textContent = formatTime(d);
  const line = $("line");
  if (line) line.style.width = d ? `${Math.min(100, (100 * pos) / d)}%` : "0%";
  for (const w of waves) {
    if (w.duration !== d) w.setDuration(d);
    w.setTime(pos);
  }
  const activeMarker = markers.findLast?.((m) => m.seconds <= pos + 0.25);
  for (const li of $("marker-list").children) li.classList.toggle("is-current", li.dataset.id === activeMarker?.id);
}

function renderQueue() {
  const list = $("queue-list");
  const upNext = queue.upNext;
  const cur = queue.current;
  const rows = [];
  if (cur) rows.push(queueRow(cur, true));
  for (const e of upNext) rows.push(queueRow(e, false));
  list.innerHTML = rows.join("");
  $("queue-empty").hidden = upNext.length > 0;
  $("upnext-count").textContent = upNext.length ? String(upNext.length) : "";
  $("clear").disabled = !upNext.length;
}

function queueRow(e, isCurrent) {
  const cover = e.coverUrl ? `<img src="${escapeHtml(e.coverUrl)}" alt="" loading="lazy">` : icon("music", "i i-s");
  const sub = [e.artist, e.album || e.libraryTitle].filter(Boolean).join(" · ");
  const actions = isCurrent
    ? `<span class="badge badge-accent">Now playing</span>`
    : `<button class="btn btn-ghost btn-icon" type="button" data-q="up" aria-label="Move “${escapeHtml(e.title)}” up" title="Move up">${icon("chevron-down", "i i-s ap-up")}</button>
       <button class="btn btn-ghost btn-icon" type="button" data-q="remove" aria-label="Remove “${escapeHtml(e.title)}” from the queue" title="Remove">${icon("x", "i i-s")}</button>`;
  return `<li class="ap-q${isCurrent ? " is-current" : ""}" data-qid="${escapeHtml(e.qid)}"${isCurrent ? ' aria-current="true"' : ""}>
    <button class="ap-q-main" type="button" data-q="jump"${isCurrent ? " disabled" : ""} aria-label="Play ${escapeHtml(e.title)}">
      <span class="ap-q-cover">${cover}</span>
      <span class="ap-q-text"><span class="ap-q-title">${escapeHtml(e.title)}</span><span class="ap-q-sub">${escapeHtml(sub)}</span></span>
      <span class="ap-q-dur">${e.duration ? formatTime(e.duration) : ""}</span>
    </button>${actions}</li>`;
}

function renderMarkers() {
  const list = $("marker-list");
  list.innerHTML = markers.map((m) => `<li data-id="${escapeHtml(m.id)}"><button class="ap-m" type="button" data-seconds="${m.seconds}" aria-label="Go to ${formatTime(m.seconds)}: ${escapeHtml(m.title)}">
      <span class="ap-m-time">${formatTime(m.seconds)}</span><span class="ap-m-title">${escapeHtml(m.title)}</span></button></li>`).join("");
  $("markers-empty").hidden = markers.length > 0;
  $("marker-count").textContent = markers.length ? String(markers.length) : "";
}

// ------------------------------------------------------------------------------------ media session

function setMediaSession(entry) {
  const ms = navigator.mediaSession;
  if (!ms) return;
  if (!entry) {
    ms.metadata = null;
    ms.playbackState = "none";
    return;
  }
  const artwork = entry.coverUrl
    ? [{ src: new URL(entry.coverUrl, location.href).href, sizes: "512x512", type: "image/jpeg" }]
    : [];
  try {
    ms.metadata = new MediaMetadata({
      title: entry.title,
      artist: entry.artist || "",
      album: entry.album || entry.libraryTitle || "",
      artwork,
    });
  } catch { /* MediaMetadata is missing in some browsers */ }
}

function updatePositionState() {
  const ms = navigator.mediaSession;
  const d = duration();
  lastPositionState = Date.now();
  if (!ms?.setPositionState || !d) return;
  try {
    ms.setPositionState({ duration: d, position: Math.min(d, position()), playbackRate: audio.playbackRate || 1 });
  } catch { /* position past the end while a transcode catches up */ }
}

function installMediaSession() {
  const ms = navigator.mediaSession;
  if (!ms) return;
  const handlers = {
    play: () => play(),
    pause: () => pause(),
    stop: () => pause(),
    previoustrack: () => prev(),
    nexttrack: () => next(),
    seekbackward: (d) => seekTo(position() - (d.seekOffset || 10)),
    seekforward: (d) => seekTo(position() + (d.seekOffset || 10)),
    seekto: (d) => seekTo(d.seekTime),
  };
  for (const [action, handler] of Object.entries(handlers)) {
    try {
      ms.setActionHandler(action, handler);
    } catch { /* this browser does not know the action */ }
  }
}

// ------------------------------------------------------------------------------------ wiring

function openFull(tab = "queue") {
  const dialog = $("full");
  selectTab(tab);
  if (!dialog.open) dialog.showModal();
  for (const w of waves) w.draw();
}

function selectTab(name) {
  for (const tab of root.querySelectorAll("[data-ap-tab]")) {
    const on = tab.dataset.apTab === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
  }
}

function install() {
  audio = $("audio");
  waves = [$("wave"), $("big-wave")].map((canvas) => new Waveform(canvas, {
    onSeek: (t) => seekTo(t),
    onPreview: (t) => {
      preview = t;
      renderTime();
    },
  }));

  audio.addEventListener("timeupdate", onTime);
  audio.addEventListener("playing", onPlaying);
  audio.addEventListener("pause", onPause);
  audio.addEventListener("ended", onEnded);
  audio.addEventListener("error", onError);
  audio.addEventListener("waiting", render);
  audio.addEventListener("canplay", render);
  audio.addEventListener("loadedmetadata", () => {
    for (const w of waves) w.setDuration(duration());
    renderTime();
  });
  audio.addEventListener("volumechange", () => {
    root.classList.toggle("is-muted", audio.muted || audio.volume === 0);
    $("volume").value = String(audio.muted ? 0 : audio.volume);
    $("mute").setAttribute("aria-label", audio.muted ? "Unmute" : "Mute");
    save();
  });

  root.addEventListener("click", (e) => {
    const el = e.target.closest("button[data-ap], button[data-q], button[data-ap-tab], button.ap-m");
    if (!el || !root.contains(el)) return;
    if (el.dataset.apTab) return selectTab(el.dataset.apTab);
    if (el.classList.contains("ap-m")) {
      seekTo(Number(el.dataset.seconds));
      if (!isPlaying()) play();
      return;
    }
    if (el.dataset.q) {
      const qid = el.closest("[data-qid]")?.dataset.qid;
      if (el.dataset.q === "jump") jump(qid);
      else if (el.dataset.q === "remove") {
        queue.remove(qid);
        changed();
      } else if (el.dataset.q === "up") {
        if (queue.move(qid, -1)) {
          changed();
          root.querySelector(`[data-qid="${CSS.escape(qid)}"] [data-q="up"]`)?.focus();
        }
      }
      return;
    }
    switch (el.dataset.ap) {
      case "play": toggle(); break;
      case "next": next(); break;
      case "prev": prev(); break;
      case "shuffle":
        queue.setShuffle(!queue.shuffle);
        changed();
        announce(queue.shuffle ? "Shuffle on" : "Shuffle off");
        break;
      case "repeat": {
        const mode = queue.cycleRepeat();
        changed();
        announce({ off: "Repeat off", all: "Repeat all", one: "Repeat this track" }[mode]);
        break;
      }
      case "mute": audio.muted = !audio.muted; break;
      case "open": case "expand": openFull("queue"); break;
      case "queue": openFull("queue"); break;
      case "collapse": $("full").close(); break;
      case "clear":
        queue.clearUpNext();
        changed();
        announce("Up next cleared");
        break;
      case "close": close(); break;
      default: break;
    }
  });
  $("volume").addEventListener("input", (e) => {
    audio.volume = Number(e.target.value);
    audio.muted = audio.volume === 0;
  });
  $("full").addEventListener("click", (e) => {
    if (e.target === e.currentTarget) e.currentTarget.close(); // the backdrop
  });
  root.querySelector(".ap-tabs").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    const tabs = [...root.querySelectorAll("[data-ap-tab]")];
    const at = tabs.findIndex((t) => t.getAttribute("aria-selected") === "true");
    const nextTab = tabs[(at + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    selectTab(nextTab.dataset.apTab);
    nextTab.focus();
  });

  // another player (a video) starts: this one steps aside
  document.addEventListener("play", (e) => {
    if (e.target !== audio && e.target instanceof HTMLMediaElement && isPlaying()) pause();
  }, true);
  // a page swap: the expanded view gives way to the new page
  document.addEventListener("obscura:navigated", () => {
    if ($("full").open) $("full").close();
  });
  window.addEventListener("pagehide", () => {
    report({ beacon: true });
    save(true);
  });
  new ResizeObserver(setDock).observe(root.querySelector(".ap-bar"));
  installMediaSession();
  restore();
  render();
  renderQueue();
}

if (root && !root.dataset.ready) {
  root.dataset.ready = "1";
  install();
}
