// Formatting for page modules: durations and playback times, sizes, dates, counts and stars. Each
// writes a value the way the server's templates do, so what a page updates in place reads like what
// it rendered. Import from here (ui.js re-exports formatDuration and formatBytes for older code).

/** 75 → "1:15", 3725 → "1:02:05"; "" when there is no duration. */
export function formatDuration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "";
  const s = Math.floor(seconds % 60), m = Math.floor(seconds / 60) % 60, h = Math.floor(seconds / 3600);
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? h + ":" : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** A position in a video or a track: like formatDuration, but never empty ("0:00" at the start or unknown). */
export function formatTime(seconds) {
  return formatDuration(Math.max(0, seconds || 0)) || "0:00";
}

/** 1_234_567 → "1.2 MB" (decimal units); "" when unknown. */
export function formatBytes(bytes) {
  if (bytes == null) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0, n = bytes;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(n < 10 && i ? 1 : 0)} ${units[i]}`;
}

/** 12345 → "12,345". */
export function formatCount(n) {
  return Number(n ?? 0).toLocaleString("en-US");
}

/** plural(1, "track") → "1 track"; plural(1200, "gallery", "galleries") → "1,200 galleries". */
export function plural(n, word, words = `${word}s`) {
  return `${formatCount(n)} ${n === 1 ? word : words}`;
}

/** "2024-03-04" → "Mar 4, 2024" (a calendar day, as the server writes it). */
export function formatDay(iso) {
  if (!iso) return "";
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** An instant (ISO string, Date or epoch ms) in the user's time zone and locale: "Mar 4, 2024, 9:41 PM". */
export function formatDateTime(value) {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? "" : dateTime.format(d);
}

/**
 * The read-only stars of a 0–100 rating, as the server's macros render them; `cls` is the plugin's
 * class for them (vb-stars, im-stars…). "" when there is no rating.
 */
export function starsHtml(rating, cls) {
  if (rating === null || rating === undefined) return "";
  const n = Math.max(0, Math.min(5, Math.round(rating / 20)));
  return `<span class="${cls}" role="img" aria-label="${n} of 5 stars">${"★".repeat(n)}<span>${"★".repeat(5 - n)}</span></span>`;
}
