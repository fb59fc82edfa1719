// A waveform seek bar on a <canvas role="slider">, drawn from audiowaveform JSON peaks
// ({sample_rate, samples_per_pixel, length, bits: 8, data: [min0, max0, min1, max1, …]}).
//
// The peaks are resampled to one bar per 3 CSS pixels (the min and max of every source point the
// bar covers), drawn at the device pixel ratio; the played part is in the accent colour, markers
// are ticks on top. Until a waveform exists it is a plain progress bar. Pointer: click or drag to
// seek (the time follows the pointer while dragging). Keyboard: ←/→ 5 s, PageUp/PageDown 30 s,
// Home/End.

import { formatTime } from "/static/js/format.js";

const BAR = 2; // CSS px per bar
const GAP = 1;
const MAX_GAIN = 4; // quiet recordings are scaled up, but never more than this
const CACHED = 16; // waveforms kept decoded (the most recently used)
const cache = new Map(); // url -> Promise<{mins, maxs, peak}>, oldest first

/** Fetch and decode a waveform document (cached by URL; a failed load is forgotten). */
export function loadPeaks(url) {
  if (!url) return Promise.resolve(null);
  if (cache.has(url)) {
    const hit = cache.get(url);
    cache.delete(url); // most recently used last
    cache.set(url, hit);
  } else {
    const job = fetch(url, { headers: { Accept: "application/json" } })
      .then((resp) => (resp.ok ? resp.json() : null))
      .then((doc) => (doc ? decode(doc) : null))
      .catch(() => null);
    job.then((peaks) => peaks || cache.delete(url));
    cache.set(url, job);
    while (cache.size > CACHED) cache.delete(cache.keys().next().value);
  }
  return cache.get(url);
}

/** `{mins, maxs, peak}` in -1…1 from the document (8- or 16-bit, one channel or the first). */
export function decode(doc) {
  const data = Array.isArray(doc?.data) ? doc.data : [];
  const channels = Math.max(1, doc.channels || 1);
  const full = doc.bits === 16 ? 32768 : 128;
  const n = Math.floor(data.length / (2 * channels));
  const mins = new Float32Array(n);
  const maxs = new Float32Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const lo = data[i * 2 * channels] / full;
    const hi = data[i * 2 * channels + 1] / full;
    mins[i] = lo;
    maxs[i] = hi;
    peak = Math.max(peak, Math.abs(lo), Math.abs(hi));
  }
  return { mins, maxs, peak };
}

/** The peaks resampled to `columns` bars: `[lo, hi]` pairs in -1…1 (normalised, gain capped). */
export function resample(peaks, columns) {
  const out = new Float32Array(columns * 2);
  const n = peaks?.mins.length || 0;
  if (!n || columns <= 0) return out;
  const gain = peaks.peak > 0 ? Math.min(MAX_GAIN, 0.95 / peaks.peak) : 1;
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * n) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / columns));
    let lo = 0;
    let hi = 0;
    for (let i = from; i < to && i < n; i++) {
      if (peaks.mins[i] < lo) lo = peaks.mins[i];
      if (peaks.maxs[i] > hi) hi = peaks.maxs[i];
    }
    out[c * 2] = Math.max(-1, lo * gain);
    out[c * 2 + 1] = Math.min(1, hi * gain);
  }
  return out;
}

function cssVar(el, name, fallback) {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export class Waveform {
  /**
   * @param {HTMLCanvasElement} canvas  a canvas with role="slider" (labelled in the HTML)
   * @param {{onSeek?: (t: number) => void, onPreview?: (t: number|null) => void}} options
   */
  constructor(canvas, { onSeek, onPreview } = {}) {
    this.canvas = canvas;
    this.onSeek = onSeek || (() => {});
    this.onPreview = onPreview || (() => {});
    this.peaks = null;
    this.columns = null;
    this.duration = 0;
    this.time = 0;
    this.markers = [];
    this.hover = null; // x in CSS px while the pointer is over the canvas
    this.drag = null; // time while dragging
    this.loading = null;
    this.frame = 0;
    this.lastValue = -1;
    this.abort = new AbortController();
    const opts = { signal: this.abort.signal };
    canvas.addEventListener("pointerdown", (e) => this.pointerDown(e), opts);
    canvas.addEventListener("pointermove", (e) => this.pointerMove(e), opts);
    canvas.addEventListener("pointerup", (e) => this.pointerUp(e), opts);
    canvas.addEventListener("pointercancel", () => this.cancelDrag(), opts);
    canvas.addEventListener("pointerleave", () => { this.hover = null; this.draw(); }, opts);
    canvas.addEventListener("keydown", (e) => this.key(e), opts);
    this.resizer = new ResizeObserver(() => { this.columns = null; this.draw(); });
    this.resizer.observe(canvas);
    this.themeWatch = new MutationObserver(() => this.draw());
    this.themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  }

  destroy() {
    this.abort.abort();
    this.resizer.disconnect();
    this.themeWatch.disconnect();
    cancelAnimationFrame(this.frame);
  }

  /** Show the waveform at `url` (null: a plain bar). Resolves when drawn. */
  async load(url) {
    this.url = url || null;
    if (!url) {
      this.setPeaks(null);
      return null;
    }
    const want = url;
    const peaks = await loadPeaks(url);
    if (this.url === want) this.setPeaks(peaks);
    return peaks;
  }

  setPeaks(peaks) {
    this.peaks = peaks;
    this.columns = null;
    this.canvas.dataset.waveform = peaks ? "peaks" : "bar";
    this.draw();
  }

  setDuration(seconds) {
    this.duration = isFinite(seconds) && seconds > 0 ? seconds : 0;
    this.canvas.setAttribute("aria-valuemax", String(Math.round(this.duration)));
    this.lastValue = -1;
    this.setTime(this.time);
  }

  setTime(seconds) {
    this.time = Math.max(0, seconds || 0);
    const whole = Math.floor(this.time);
    if (whole !== this.lastValue && this.drag === null) {
      this.lastValue = whole;
      this.canvas.setAttribute("aria-valuenow", String(whole));
      this.canvas.setAttribute("aria-valuetext", `${formatTime(this.time)} of ${formatTime(this.duration)}`);
    }
    this.draw();
  }

  setMarkers(markers) {
    this.markers = Array.isArray(markers) ? markers : [];
    this.draw();
  }

  // ------------------------------------------------------------------ input

  timeAt(clientX) {
    const rect = this.canvas.getBoundingClientRect();
    const f = rect.width ? Math.min(1, Math.max(0, (clientX - rect.left) / rect.width)) : 0;
    return f * this.duration;
  }

  pointerDown(e) {
    if (e.button !== 0 || !this.duration) return;
    e.preventDefault();
    this.canvas.focus({ preventScroll: true });
    this.canvas.setPointerCapture?.(e.pointerId);
    this.drag = this.timeAt(e.clientX);
    this.onPreview(this.drag);
    this.draw();
  }

  pointerMove(e) {
    const rect = this.canvas.getBoundingClientRect();
    this.hover = e.clientX - rect.left;
    if (this.drag !== null) {
      this.drag = this.timeAt(e.clientX);
      this.onPreview(this.drag);
    }
    this.draw();
  }

  pointerUp(e) {
    if (this.drag === null) return;
    const t = this.timeAt(e.clientX);
    this.drag = null;
    this.onPreview(null);
    this.lastValue = -1;
    this.time = t;
    this.onSeek(t);
    this.setTime(t);
  }

  cancelDrag() {
    if (this.drag === null) return;
    this.drag = null;
    this.onPreview(null);
    this.draw();
  }

  key(e) {
    if (!this.duration) return;
    const steps = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -30, PageUp: 30 };
    let t;
    if (e.key in steps) t = this.time + steps[e.key];
    else if (e.key === "Home") t = 0;
    else if (e.key === "End") t = Math.max(0, this.duration - 1);
    else return;
    e.preventDefault();
    t = Math.min(this.duration, Math.max(0, t));
    this.onSeek(t);
    this.setTime(t);
  }

  // ------------------------------------------------------------------ drawing

  draw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  paint() {
    const canvas = this.canvas;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      this.columns = null;
    }
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    const accent = cssVar(canvas, "--accent", "#d9a95c");
    const muted = cssVar(canvas, "--muted", "#8f98a8");
    // [colour, alpha] of the played, hovered and remaining parts
    const played = [accent, 1];
    const rest = [muted, 0.42];
    const hovered = [muted, 0.8];
    const paintWith = ([color, alpha]) => {
      ctx.fillStyle = color;
      ctx.globalAlpha = alpha;
    };
    const shown = this.drag ?? this.time;
    const playedX = this.duration ? (Math.min(shown, this.duration) / this.duration) * w : 0;
    const hoverX = this.hover === null ? -1 : this.hover * dpr;

    if (!this.peaks) {
      // no waveform (yet): a plain rounded bar
      const bh = Math.max(2, Math.round(4 * dpr));
      const y = Math.round((h - bh) / 2);
      paintWith(rest);
      roundRect(ctx, 0, y, w, bh, bh / 2);
      if (hoverX > playedX) {
        paintWith(hovered);
        roundRect(ctx, 0, y, hoverX, bh, bh / 2);
      }
      paintWith(played);
      roundRect(ctx, 0, y, playedX, bh, bh / 2);
    } else {
      const step = (BAR + GAP) * dpr;
      const count = Math.max(1, Math.floor(w / step));
      if (!this.columns || this.columns.length !== count * 2) this.columns = resample(this.peaks, count);
      const barW = Math.max(1, Math.round(BAR * dpr));
      const mid = h / 2;
      const half = h / 2 - dpr;
      const minH = Math.max(1, Math.round(dpr));
      for (let c = 0; c < count; c++) {
        const x = Math.round(c * step);
        const top = Math.round(mid - this.columns[c * 2 + 1] * half);
        const bottom = Math.round(mid - this.columns[c * 2] * half);
        const bh = Math.max(minH, bottom - top);
        const y = bottom - top < minH ? Math.round(mid - minH / 2) : top;
        const center = x + barW / 2;
        paintWith(center <= playedX ? played : center <= hoverX ? hovered : rest);
        ctx.fillRect(x, y, barW, bh);
      }
    }

    if (this.duration && this.markers.length) {
      paintWith([cssVar(canvas, "--fg", "#e9ebf0"), 0.85]);
      const size = 4 * dpr;
      for (const m of this.markers) {
        const x = Math.round((Math.min(m.seconds, this.duration) / this.duration) * (w - dpr));
        ctx.fillRect(x, 0, Math.max(1, Math.round(dpr)), h);
        ctx.beginPath();
        ctx.moveTo(x - size + dpr / 2, 0);
        ctx.lineTo(x + size + dpr / 2, 0);
        ctx.lineTo(x + dpr / 2, size * 1.2);
        ctx.fill();
      }
    }
    if (this.drag !== null || (hoverX >= 0 && this.duration)) {
      paintWith(played);
      ctx.fillRect(Math.round(this.drag !== null ? playedX : hoverX), 0, Math.max(1, Math.round(dpr)), h);
    }
    ctx.globalAlpha = 1;
    this.tooltip(hoverX, w);
  }

  /** The time (and the marker there, if any) under the pointer, as the canvas's title. */
  tooltip(hoverX, w) {
    if (hoverX < 0 || !this.duration) {
      this.canvas.removeAttribute("title");
      return;
    }
    const t = (hoverX / w) * this.duration;
    const near = this.markers.find((m) => Math.abs(((m.seconds / this.duration) * w) - hoverX) < 6 * (window.devicePixelRatio || 1));
    this.canvas.title = near ? `${formatTime(t)} · ${near.title}` : formatTime(t);
  }
}

function roundRect(ctx, x, y, w, h, r) {
  if (w <= 0) return;
  ctx.beginPath();
  if (ctx.roundRect) ctx.roundRect(x, y, w, h, Math.min(r, w / 2));
  else ctx.rect(x, y, w, h);
  ctx.fill();
}
