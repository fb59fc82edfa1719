// Trickplay: the WebVTT index of a thumbnail sprite (cues "start --> end" whose text is
// "<spriteUrl>#xywh=x,y,w,h"), looked up by time while the seek bar is hovered or dragged.

const TIME = /^(?:(\d+):)?(\d{1,2}):(\d{2}(?:[.,]\d+)?)$/;

function seconds(stamp) {
  const m = TIME.exec(stamp.trim());
  if (!m) return NaN;
  return Number(m[1] || 0) * 3600 + Number(m[2]) * 60 + Number(m[3].replace(",", "."));
}

// Parse a trickplay VTT into [{start, end, url, x, y, w, h}] (sorted by start); `base` resolves
// relative sprite URLs.
export function parseTrickplay(text, base = location.href) {
  const cues = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.includes("-->")) continue;
    const [a, b] = line.split("-->");
    const start = seconds(a), end = seconds(b.trim().split(/\s+/)[0]);
    let j = i + 1;
    while (j < lines.length && !lines[j].trim()) j++;
    const target = (lines[j] || "").trim();
    const hash = target.indexOf("#xywh=");
    if (!isFinite(start) || !isFinite(end) || hash < 0) continue;
    const [x, y, w, h] = target.slice(hash + 6).split(",").map(Number);
    if ([x, y, w, h].some((n) => !isFinite(n))) continue;
    cues.push({ start, end, url: new URL(target.slice(0, hash), base).href, x, y, w, h });
    i = j;
  }
  cues.sort((p, q) => p.start - q.start);
  return cues;
}

export class Trickplay {
  constructor(cues) {
    this.cues = cues;
    // each sprite's size, for scaling tiles (the furthest tile edge of that image)
    this.sheets = new Map();
    for (const c of cues) {
      const s = this.sheets.get(c.url) ?? { w: 0, h: 0 };
      this.sheets.set(c.url, { w: Math.max(s.w, c.x + c.w), h: Math.max(s.h, c.y + c.h) });
    }
    this._preloaded = false;
  }

  static async load(url) {
    const res = await fetch(url, { headers: { Accept: "text/vtt" } });
    if (!res.ok) throw new Error(`trickplay index answered ${res.status}`);
    const cues = parseTrickplay(await res.text(), new URL(url, location.href).href);
    return cues.length ? new Trickplay(cues) : null;
  }

  // The cue covering `t` (the nearest one before it in a gap, the first before the first cue).
  at(t) {
    const cues = this.cues;
    let lo = 0, hi = cues.length - 1, found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cues[mid].start <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return cues[found];
  }

  preload() {
    if (this._preloaded) return;
    this._preloaded = true;
    for (const url of this.sheets.keys()) {
      const img = new Image();
      img.decoding = "async";
      img.src = url;
    }
  }

  // Show the tile for `t` in `el`, `width` CSS pixels wide (height follows the tile's aspect).
  paint(el, t, width) {
    const cue = this.at(t);
    if (!cue) return false;
    const scale = width / cue.w;
    el.style.width = `${Math.round(cue.w * scale)}px`;
    el.style.height = `${Math.round(cue.h * scale)}px`;
    el.style.backgroundImage = `url("${cue.url}")`;
    const sheet = this.sheets.get(cue.url);
    el.style.backgroundSize = `${sheet.w * scale}px ${sheet.h * scale}px`;
    el.style.backgroundPosition = `${-cue.x * scale}px ${-cue.y * scale}px`;
    return true;
  }
}
