// A reusable chip picker with autocomplete for performers, studios and tags.
//
//   import { ChipPicker } from "/static/taxonomy/chips.js";
//   const picker = new ChipPicker(host, {
//     kind: "tags",                // the list API searched: /api/<kind>?search=…
//     values: [{ id, name }],      // the chips shown first (id optional: a name not saved yet)
//     single: false,               // one value at most (a studio): picking replaces it
//     create: true,                // offer "Create “…”" when no existing name matches
//     exclude: [id],               // ids never suggested (the entity itself)
//     link: true,                  // chips with an id link to /<kind>/<id>
//     label: "element-id",         // id of the visible label (aria-labelledby)
//     onChange: (values) => {},    // after the user adds or removes a chip
//     signal,                      // an AbortSignal: listeners and requests stop with it
//   });
//   picker.values = [...];         // replace the chips (no onChange)
//
// Keyboard: type to search, ↓/↑ to move in the suggestions, Enter to pick (or create), Escape to
// close, Backspace in the empty box removes the last chip.
import { get } from "/static/js/api.js";
import { escapeHtml } from "/static/js/ui.js";

const SUGGEST_LIMIT = 8;
const DEBOUNCE_MS = 150;
let uid = 0;

const norm = (s) => String(s ?? "").trim().replace(/\s+/g, " ").toLowerCase();

export class ChipPicker {
  constructor(host, opts = {}) {
    this.host = host;
    this.kind = opts.kind;
    this.single = Boolean(opts.single);
    this.create = Boolean(opts.create);
    this.exclude = new Set(opts.exclude ?? []);
    this.link = opts.link !== false;
    this.onChange = opts.onChange ?? (() => {});
    this.signal = opts.signal;
    this._values = [];
    this._options = [];
    this._active = -1;
    this._seq = 0;
    this._timer = 0;
    this.id = `tx-picker-${++uid}`;
    host.classList.add("tx-picker");
    host.innerHTML = `<ul class="tx-chips tx-picker-chips" aria-live="polite"></ul>
      <div class="tx-picker-box">
        <input class="input tx-picker-input" type="text" role="combobox" autocomplete="off" spellcheck="false"
          aria-autocomplete="list" aria-expanded="false" aria-controls="${this.id}-list" maxlength="300">
        <ul class="tx-suggest" id="${this.id}-list" role="listbox" hidden></ul>
      </div>`;
    this.chips = host.querySelector(".tx-picker-chips");
    this.input = host.querySelector("input");
    this.list = host.querySelector("[role=listbox]");
    if (opts.label) this.input.setAttribute("aria-labelledby", opts.label);
    this.input.placeholder = opts.placeholder ?? (this.single ? `Pick a ${singular(this.kind)}` : `Add ${this.kind}`);
    const on = (el, type, fn) => el.addEventListener(type, fn, { signal: this.signal });
    on(this.input, "input", () => this._schedule());
    on(this.input, "focus", () => this._schedule());
    on(this.input, "keydown", (e) => this._key(e));
    on(this.input, "blur", () => setTimeout(() => this._close(), 120));
    on(this.list, "mousedown", (e) => e.preventDefault()); // keep the focus in the box
    on(this.list, "click", (e) => {
      const li = e.target.closest("[data-index]");
      if (li) this._pick(Number(li.dataset.index));
    });
    on(this.chips, "click", (e) => {
      const button = e.target.closest("[data-remove]");
      if (!button) return;
      e.preventDefault();
      this._values.splice(Number(button.dataset.remove), 1);
      this._render();
      this.onChange(this.values);
      this.input.focus();
    });
    this.signal?.addEventListener("abort", () => clearTimeout(this._timer));
    this.values = opts.values ?? [];
  }

  get values() {
    return this._values.map((v) => ({ ...v }));
  }

  set values(list) {
    this._values = (list ?? []).filter((v) => v && v.name).map((v) => ({ ...v, id: v.id ?? null }));
    if (this.single) this._values = this._values.slice(0, 1);
    this._render();
  }

  set busy(on) {
    this.host.classList.toggle("is-busy", Boolean(on));
    this.input.disabled = Boolean(on);
  }

  _render() {
    this.chips.innerHTML = this._values.map((v, i) => {
      const name = escapeHtml(v.name);
      const label = this.link && v.id ? `<a href="/${this.kind}/${encodeURIComponent(v.id)}">${name}</a>` : `<span>${name}</span>`;
      return `<li><span class="chip tx-chip">${label}<button class="tx-chip-x" type="button" data-remove="${i}"
        aria-label="Remove ${name}">×</button></span></li>`;
    }).join("");
    this.host.classList.toggle("has-values", this._values.length > 0);
  }

  _schedule() {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._suggest(), DEBOUNCE_MS);
  }

  async _suggest() {
    const text = this.input.value.trim();
    const mine = ++this._seq;
    let items = [];
    try {
      const qs = new URLSearchParams({ perPage: String(SUGGEST_LIMIT), sort: text ? "name" : "count" });
      if (text) qs.set("search", text);
      items = (await get(`/api/${this.kind}?${qs}`)).items;
    } catch {
      items = [];
    }
    if (mine !== this._seq || this.signal?.aborted || document.activeElement !== this.input) return;
    const chosen = new Set(this._values.map((v) => v.id).filter(Boolean));
    const chosenNames = new Set(this._values.map((v) => norm(v.name)));
    const options = items
      .filter((it) => !chosen.has(it.id) && !this.exclude.has(it.id) && !chosenNames.has(norm(it.name)))
      .map((it) => ({ id: it.id, name: it.name, disambiguation: it.disambiguation ?? null, sub: it.disambiguation || subtitle(it) }));
    const exact = items.some((it) => norm(it.name) === norm(text) || (it.aliases ?? []).some((a) => norm(a) === norm(text)));
    if (this.create && text && !exact && !chosenNames.has(norm(text))) options.push({ id: null, name: text, create: true });
    this._options = options;
    this._active = options.length ? 0 : -1;
    this._draw();
  }

  _draw() {
    if (!this._options.length) {
      this._close();
      return;
    }
    this.list.innerHTML = this._options.map((o, i) => `<li role="option" id="${this.id}-o${i}" data-index="${i}"
      aria-selected="${i === this._active}" class="${i === this._active ? "is-active" : ""}">${o.create
        ? `<span class="tx-create">Create “${escapeHtml(o.name)}”</span>`
        : `<span>${escapeHtml(o.name)}</span>${o.sub ? `<span class="muted small">${escapeHtml(o.sub)}</span>` : ""}`}</li>`).join("");
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.input.setAttribute("aria-activedescendant", this._active >= 0 ? `${this.id}-o${this._active}` : "");
  }

  _close() {
    this.list.hidden = true;
    this._options = [];
    this._active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  _key(e) {
    const open = !this.list.hidden && this._options.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) return this._suggest();
      const n = this._options.length;
      this._active = (this._active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this._draw();
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (open && this._active >= 0) this._pick(this._active);
      else if (this.create && this.input.value.trim()) this._add({ id: null, name: this.input.value.trim() });
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        e.stopPropagation();
        this._close();
      }
    } else if (e.key === "Backspace" && !this.input.value && this._values.length) {
      this._values.pop();
      this._render();
      this.onChange(this.values);
    }
  }

  _pick(i) {
    const o = this._options[i];
    if (o) this._add({ id: o.id, name: o.name, disambiguation: o.disambiguation ?? null });
  }

  _add(value) {
    if (this._values.some((v) => (value.id && v.id === value.id) || norm(v.name) === norm(value.name))) {
      this.input.value = "";
      this._close();
      return;
    }
    if (this.single) this._values = [value];
    else this._values.push(value);
    this.input.value = "";
    this._close();
    this._render();
    this.onChange(this.values);
  }
}

function singular(kind) {
  return { performers: "performer", studios: "studio", tags: "tag" }[kind] ?? kind;
}

function subtitle(item) {
  const counts = item.counts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return total ? `${total} linked` : "";
}
