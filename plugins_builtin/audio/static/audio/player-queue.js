// The mini player's queue: the tracks in play order, the current position, shuffle and repeat.
//
// `items` is the play order itself. Shuffling keeps the user's order in `base` (queue ids) so that
// turning shuffle off puts the remaining tracks back in that order. Every entry gets its own queue
// id (`qid`): the same track may be queued twice. No DOM here; player.js renders it.

const REPEATS = ["off", "all", "one"];
let counter = 0;
const qid = () => `q${Date.now().toString(36)}${(counter++).toString(36)}`;

function shuffled(list) {
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export class Queue {
  constructor() {
    this.items = [];
    this.index = -1;
    this.base = null; // queue ids in the user's order while shuffled
    this.shuffle = false;
    this.repeat = "off";
  }

  get current() {
    return this.items[this.index] ?? null;
  }

  /** The entries after the current one (what plays next, in order). */
  get upNext() {
    return this.items.slice(this.index + 1);
  }

  get length() {
    return this.items.length;
  }

  static entry(track) {
    return { ...track, qid: qid() };
  }

  /** Replace the queue with `tracks`, starting at `start` (shuffled after it when asked). */
  replace(tracks, start = 0, { shuffle = this.shuffle } = {}) {
    const entries = tracks.map(Queue.entry);
    const first = Math.min(Math.max(start, 0), Math.max(entries.length - 1, 0));
    this.shuffle = Boolean(shuffle);
    if (this.shuffle && entries.length) {
      this.base = entries.map((e) => e.qid);
      const head = entries[first];
      this.items = [head, ...shuffled(entries.filter((e) => e !== head))];
      this.index = 0;
    } else {
      this.base = null;
      this.items = entries;
      this.index = entries.length ? first : -1;
    }
    return this.current;
  }

  /** Insert right after the current entry (in play order and in the user's order). */
  playNext(tracks) {
    const entries = tracks.map(Queue.entry);
    const cur = this.current;
    this.items.splice(this.index + 1, 0, ...entries);
    if (this.base) {
      const at = cur ? this.base.indexOf(cur.qid) + 1 : this.base.length;
      this.base.splice(at, 0, ...entries.map((e) => e.qid));
    }
    if (this.index < 0 && entries.length) this.index = 0;
    return entries;
  }

  /** Append to the end of the queue. */
  append(tracks) {
    const entries = tracks.map(Queue.entry);
    this.items.push(...entries);
    if (this.base) this.base.push(...entries.map((e) => e.qid));
    if (this.index < 0 && entries.length) this.index = 0;
    return entries;
  }

  remove(id) {
    const at = this.items.findIndex((e) => e.qid === id);
    if (at < 0) return;
    this.items.splice(at, 1);
    if (this.base) this.base = this.base.filter((q) => q !== id);
    if (at < this.index) this.index -= 1;
    else if (at === this.index) this.index = Math.min(this.index, this.items.length - 1);
  }

  /** Move an upcoming entry by `delta` places (not before the current one). */
  move(id, delta) {
    const at = this.items.findIndex((e) => e.qid === id);
    const to = at + delta;
    if (at <= this.index || to <= this.index || to >= this.items.length) return false;
    const [entry] = this.items.splice(at, 1);
    this.items.splice(to, 0, entry);
    return true;
  }

  /** Forget everything after the current entry. */
  clearUpNext() {
    const keep = this.current;
    this.items = keep ? [keep] : [];
    this.index = keep ? 0 : -1;
    if (this.base) this.base = keep ? [keep.qid] : null;
  }

  clear() {
    this.items = [];
    this.index = -1;
    this.base = null;
  }

  jump(id) {
    const at = this.items.findIndex((e) => e.qid === id);
    if (at >= 0) this.index = at;
    return this.current;
  }

  hasNext() {
    return this.index + 1 < this.items.length || (this.repeat === "all" && this.items.length > 0);
  }

  hasPrev() {
    return this.index > 0 || (this.repeat === "all" && this.items.length > 1);
  }

  /**
   * The entry after the current one, or null at the end. `auto` is the end of a track: "repeat one"
   * then plays the same entry again; the user's Next button always moves on.
   */
  next({ auto = false } = {}) {
    if (!this.items.length) return null;
    if (auto && this.repeat === "one") return this.current;
    if (this.index + 1 < this.items.length) {
      this.index += 1;
      return this.current;
    }
    if (this.repeat !== "off") {
      if (this.shuffle && this.items.length > 2) {
        // a new round in a new order, not starting with the track just heard
        const last = this.current;
        const rest = shuffled(this.items.filter((e) => e !== last));
        this.items = [...rest, last];
      }
      this.index = 0;
      return this.current;
    }
    return null;
  }

  prev() {
    if (this.index > 0) this.index -= 1;
    else if (this.repeat === "all" && this.items.length > 1) this.index = this.items.length - 1;
    else return null;
    return this.current;
  }

  setShuffle(on) {
    on = Boolean(on);
    if (on === this.shuffle) return;
    this.shuffle = on;
    const cur = this.current;
    if (on) {
      this.base = this.items.map((e) => e.qid);
      const before = this.items.slice(0, this.index + 1);
      this.items = [...before, ...shuffled(this.items.slice(this.index + 1))];
      return;
    }
    // back to the user's order (entries added while shuffled are already in `base`)
    const byId = new Map(this.items.map((e) => [e.qid, e]));
    const ordered = (this.base || []).map((id) => byId.get(id)).filter(Boolean);
    const missing = this.items.filter((e) => !ordered.includes(e));
    this.items = [...ordered, ...missing];
    this.base = null;
    this.index = cur ? this.items.indexOf(cur) : -1;
  }

  cycleRepeat() {
    this.repeat = REPEATS[(REPEATS.indexOf(this.repeat) + 1) % REPEATS.length];
    return this.repeat;
  }

  toJSON() {
    return { items: this.items, index: this.index, base: this.base, shuffle: this.shuffle, repeat: this.repeat };
  }

  static from(data) {
    const q = new Queue();
    if (!data || !Array.isArray(data.items)) return q;
    q.items = data.items.filter((e) => e && typeof e.id === "string" && typeof e.qid === "string");
    q.index = Number.isInteger(data.index) ? Math.min(Math.max(data.index, -1), q.items.length - 1) : -1;
    if (q.index < 0 && q.items.length) q.index = 0;
    q.shuffle = Boolean(data.shuffle);
    q.base = q.shuffle && Array.isArray(data.base) ? data.base.filter((x) => typeof x === "string") : null;
    if (q.shuffle && !q.base) q.base = q.items.map((e) => e.qid);
    q.repeat = REPEATS.includes(data.repeat) ? data.repeat : "off";
    return q;
  }
}
