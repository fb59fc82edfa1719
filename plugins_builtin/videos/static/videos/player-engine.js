// Playback engine of the video page: decides direct play vs HLS, attaches the source (hls.js is
// imported only when HLS is needed), exposes the HLS renditions and falls back to HLS when the
// browser refuses a file it was expected to play directly.
//
// Events (on the engine, an EventTarget): "mode" {mode}, "levels" {levels}, "level" {auto, index},
// "fatal" {message}.

const HLS_MODULE = "/static/vendor/hls.js/hls.min.mjs";
const HLS_MIME = "application/vnd.apple.mpegurl";
const START_MAX_HEIGHT = 360;

const CODEC_ALIASES = {
  avc: "h264", avc1: "h264", "h.264": "h264", x264: "h264",
  h265: "hevc", "h.265": "hevc", hvc1: "hevc", hev1: "hevc", x265: "hevc",
  vp08: "vp8", vp09: "vp9", av01: "av1", libdav1d: "av1",
  mp4a: "aac", mp3float: "mp3", libopus: "opus", libvorbis: "vorbis",
};
const MP4_BOXES = new Set(["mp4", "m4v", "mov"]);
const MP4_AUDIO = { "": "", aac: "mp4a.40.2", mp3: "mp4a.69", opus: "opus", flac: "flac" };
const WEBM_VIDEO = { vp8: "vp8", vp9: "vp9", av1: "av01.0.08M.08" };
const WEBM_AUDIO = { "": "", opus: "opus", vorbis: "vorbis" };

function codec(name) {
  const n = String(name ?? "").trim().toLowerCase();
  if (!n || n === "none") return "";
  return CODEC_ALIASES[n] ?? n;
}

function box(container) {
  const tokens = String(container ?? "").trim().toLowerCase().replace(/^\./, "").split(",").map((t) => t.trim());
  if (tokens.includes("mp4") || tokens.includes("mov")) return tokens.includes("mp4") ? "mp4" : "mov";
  return tokens[0] === "mkv" ? "matroska" : tokens[0];
}

// The MIME type (with codecs) a browser would need for this file, or null when the file is not a
// candidate for direct play at all (HEVC, Matroska, AVI, AC-3 audio …).
export function directMime({ container, videoCodec, audioCodec }) {
  const b = box(container), v = codec(videoCodec), a = codec(audioCodec);
  if (MP4_BOXES.has(b)) {
    if (v !== "h264" || !(a in MP4_AUDIO)) return null;
    return `video/mp4; codecs="avc1.640028${a ? ", " + MP4_AUDIO[a] : ""}"`;
  }
  if (b === "webm") {
    if (!(v in WEBM_VIDEO) || !(a in WEBM_AUDIO)) return null;
    return `video/webm; codecs="${WEBM_VIDEO[v]}${a ? ", " + WEBM_AUDIO[a] : ""}"`;
  }
  return null;
}

export function canPlayDirect(video, data) {
  const mime = directMime(data);
  return Boolean(mime) && video.canPlayType(mime) !== "";
}

export class Engine extends EventTarget {
  constructor(video, data, settings) {
    super();
    this.video = video;
    this.data = data;
    this.settings = settings;
    this.mode = null; // "direct" | "hls"
    this.hls = null; // the hls.js instance (null for direct or native HLS)
    this.native = false; // HLS played by the browser itself
    this.levels = [];
    this.loading = false; // hls.js fragment loading started
    this.fellBack = false;
    this.startTime = 0;
    this._retries = 0;
    this._mediaRecoveries = 0;
    this._onError = () => this._videoError();
    video.addEventListener("error", this._onError);
  }

  get hlsAvailable() {
    return Boolean(this.data.hlsUrl);
  }

  // What to play on page load: the library's default mode, overridden by what the browser can do.
  preferredMode() {
    if (!this.hlsAvailable) return "direct";
    if (this.settings.defaultPlaybackMode === "hls") return "hls";
    return canPlayDirect(this.video, this.data) ? "direct" : "hls";
  }

  get sourceUrl() {
    if (this.mode === "direct") return this.data.directStreamUrl;
    return this.mode === "hls" ? this.data.hlsUrl : null;
  }

  // Attach a source. `time`: where to start; `play`: start playing once attached.
  async load(mode, { time = 0, play = false } = {}) {
    this._teardown();
    this.mode = mode;
    this.startTime = time;
    this._retries = 0;
    this._mediaRecoveries = 0;
    this.dispatchEvent(new CustomEvent("mode", { detail: { mode } }));
    const video = this.video;
    if (mode === "direct") {
      video.preload = "metadata";
      video.src = this.data.directStreamUrl;
      this._seekWhenReady(time);
      if (play) this.play();
      return;
    }
    const { default: Hls } = await import(HLS_MODULE);
    if (this.mode !== mode) return; // switched again meanwhile
    if (Hls.isSupported()) {
      const hls = new Hls({
        autoStartLoad: false,
        startPosition: time > 0 ? time : -1,
        enableWorker: false, // the vendored ESM build has no inline worker
        capLevelToPlayerSize: true,
        enableWebVTT: false,
        enableCEA708Captions: false,
        startFragPrefetch: true,
        backBufferLength: 60,
        maxBufferLength: 30,
        // segments are encoded on demand: give the server time before calling a load a failure
        fragLoadPolicy: {
          default: {
            maxTimeToFirstByteMs: 30000,
            maxLoadTimeMs: 120000,
            timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
            errorRetry: { maxNumRetry: 4, retryDelayMs: 1000, maxRetryDelayMs: 8000 },
          },
        },
      });
      this.hls = hls;
      this.native = false;
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        this.levels = hls.levels.map((l, index) => ({ index, height: l.height, width: l.width, bitrate: l.bitrate }));
        // Segments are encoded when asked for: a small first one arrives (and plays) sooner, then
        // the bandwidth estimator moves up. Start at the best rendition no taller than 360p.
        const small = this.levels.filter((l) => l.height <= START_MAX_HEIGHT).at(-1) ?? this.levels[0];
        if (small && hls.manualLevel < 0) hls.startLevel = small.index;
        this.dispatchEvent(new CustomEvent("levels", { detail: { levels: this.levels } }));
        if (play || !video.paused) this.wantFull = true;
        if (this.wantLoad || this.wantFull) this.warm(this.wantFull);
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, () => this._levelEvent());
      hls.on(Hls.Events.ERROR, (_e, data) => this._hlsError(Hls, data));
      hls.loadSource(this.data.hlsUrl);
      hls.attachMedia(video);
      if (play) this.play();
    } else if (video.canPlayType(HLS_MIME)) {
      this.native = true;
      video.preload = "metadata";
      video.src = this.data.hlsUrl;
      this._seekWhenReady(time);
      if (play) this.play();
    } else {
      this._fatal("This browser can play neither the file nor an HLS stream.");
    }
  }

  // Start fetching media (HLS only: the manifest is loaded with the page, segments on demand).
  // `full`: playback is wanted, so buffer normally; else fetch just the first segment, so that a
  // press on play starts at once instead of waiting for the server to encode it. Called before the
  // manifest is parsed, it takes effect when it is.
  warm(full = false) {
    this.wantLoad = true;
    this.wantFull = this.wantFull || full;
    const hls = this.hls;
    if (!hls) return;
    hls.config.maxBufferLength = this.wantFull ? 30 : 6;
    hls.config.maxMaxBufferLength = this.wantFull ? 600 : 6;
    if (!this.loading && hls.levels.length) {
      this.loading = true;
      hls.startLoad(this.startTime > 0 ? this.startTime : -1);
    }
  }

  play() {
    this.warm(true);
    const p = this.video.play();
    return p ? p.catch((err) => {
      if (err?.name === "NotAllowedError") this.dispatchEvent(new CustomEvent("blocked"));
      else if (err?.name !== "AbortError") console.warn("play() failed:", err);
    }) : Promise.resolve();
  }

  // Switch between direct and HLS, keeping the position and the playing state.
  async switchMode(mode) {
    if (mode === this.mode) return;
    const video = this.video;
    const time = video.currentTime || this.startTime;
    const play = !video.paused || this.loading;
    await this.load(mode, { time, play: play && !video.ended });
  }

  async reload() {
    await this.load(this.mode ?? this.preferredMode(), { time: this.video.currentTime || this.startTime, play: true });
  }

  get autoLevel() {
    return this.hls ? this.hls.autoLevelEnabled : true;
  }

  get currentLevel() {
    return this.hls ? this.hls.currentLevel : -1;
  }

  // -1 = automatic (ABR), else an index into `levels`.
  setLevel(index) {
    const hls = this.hls;
    if (!hls) return;
    if (this.loading) hls.currentLevel = index;
    else {
      hls.loadLevel = index;
      if (index >= 0) hls.startLevel = index;
    }
    this._levelEvent();
  }

  levelLabel(index) {
    const l = this.levels[index];
    return l ? `${l.height}p` : "";
  }

  _levelEvent() {
    this.dispatchEvent(new CustomEvent("level", { detail: { auto: this.autoLevel, index: this.currentLevel } }));
  }

  _seekWhenReady(time) {
    if (!(time > 0)) return;
    const video = this.video;
    // the start may change before the metadata arrives ("start over" on the resume chip)
    const seek = () => { try { if (this.startTime > 0) video.currentTime = this.startTime; } catch { /* not seekable yet */ } };
    if (video.readyState >= 1) seek();
    else video.addEventListener("loadedmetadata", seek, { once: true });
  }

  _videoError() {
    const err = this.video.error;
    if (!err || this.hls) return; // hls.js reports its own errors
    const unsupported = err.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED || err.code === MediaError.MEDIA_ERR_DECODE;
    if (this.mode === "direct" && unsupported && this.hlsAvailable && !this.fellBack) {
      this.fellBack = true;
      const time = this.video.currentTime || this.startTime;
      this.dispatchEvent(new CustomEvent("fallback", { detail: { from: "direct", to: "hls" } }));
      this.load("hls", { time, play: true });
      return;
    }
    this._fatal(
      err.code === MediaError.MEDIA_ERR_NETWORK
        ? "The video stopped loading: the server cannot be reached."
        : "This video cannot be played. The file may be missing or damaged.",
    );
  }

  _hlsError(Hls, data) {
    if (!data.fatal) return;
    const hls = this.hls;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR && this._retries < 3) {
      this._retries += 1;
      setTimeout(() => hls === this.hls && hls.startLoad(), 1000 * this._retries);
      return;
    }
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && this._mediaRecoveries < 2) {
      this._mediaRecoveries += 1;
      if (this._mediaRecoveries === 2) hls.swapAudioCodec();
      hls.recoverMediaError();
      return;
    }
    const status = data.response?.code;
    this._fatal(
      status === 404
        ? "The video file is missing from disk."
        : `The stream could not be played (${data.details || data.type}).`,
    );
  }

  _fatal(message) {
    this.dispatchEvent(new CustomEvent("fatal", { detail: { message } }));
  }

  // Stop everything for good (the user left the page).
  destroy() {
    this.video.removeEventListener("error", this._onError);
    this.video.pause();
    this._teardown();
    this.mode = null;
  }

  _teardown() {
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.loading = false;
    this.wantLoad = this.wantFull = false;
    this.native = false;
    this.levels = [];
    const video = this.video;
    if (video.getAttribute("src")) {
      video.removeAttribute("src");
      video.load();
    }
  }
}
