// Custom elements of the taxonomy plugin, defined once per visit (the plugin's shell part loads this
// module), so panels loaded later as htmx fragments and pages swapped in by soft navigation find
// them defined:
//
// <tax-links-panel data-entity data-id data-patch-url data-links>
//     "People & tags" of a media row: performer, tag and studio chip pickers that save through the
//     media's own PATCH route (performerNames / tagNames / studioName).
// <tax-link-filter data-link-filter data-name data-kind [data-single] data-values>
//     One link filter of a list page (/videos): dispatches a bubbling "obscura:filter" event with
//     {name, values} when the user changes it; the page sets `element.values = [...]` on back/forward.
import { ApiError, get, patch } from "/static/js/api.js";
import { toast } from "/static/js/ui.js";
import { ChipPicker } from "./chips.js";

const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function json(text, fallback) {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return fallback;
  }
}

class LinksPanel extends HTMLElement {
  connectedCallback() {
    if (this.controller) return;
    this.controller = new AbortController();
    const signal = this.controller.signal;
    const links = json(this.dataset.links, { performers: [], tags: [], studio: null });
    this.pickers = {};
    const parts = [
      ["performers", "performerNames", { kind: "performers", values: links.performers }],
      ["tags", "tagNames", { kind: "tags", values: links.tags }],
      ["studio", "studioName", { kind: "studios", values: links.studio ? [links.studio] : [], single: true }],
    ];
    for (const [part, field, opts] of parts) {
      const row = this.querySelector(`[data-part="${part}"]`);
      if (!row) continue;
      const label = row.querySelector(".tx-links-label");
      label.id ||= `tx-links-${part}-${Math.random().toString(36).slice(2, 8)}`;
      const host = document.createElement("div");
      row.querySelector("ul")?.replaceWith(host);
      this.pickers[part] = new ChipPicker(host, {
        ...opts, create: true, label: label.id, signal,
        onChange: (values) => this.save(part, field, values),
      });
    }
    this.status = document.createElement("p");
    this.status.className = "muted small tx-links-status";
    this.status.setAttribute("role", "status");
    this.append(this.status);
    this.dataset.ready = "true";
  }

  disconnectedCallback() {
    this.controller?.abort();
    this.controller = null;
  }

  async save(part, field, values) {
    const names = values.map((v) => v.name);
    const body = { [field]: part === "studio" ? (names[0] ?? null) : names };
    const picker = this.pickers[part];
    picker.busy = true;
    this.status.textContent = "Saving…";
    try {
      const data = await patch(this.dataset.patchUrl, body);
      this.pickers.performers && (this.pickers.performers.values = data.performers ?? []);
      this.pickers.tags && (this.pickers.tags.values = data.tags ?? []);
      this.pickers.studio && (this.pickers.studio.values = data.studio ? [data.studio] : []);
      this.dataset.links = JSON.stringify({ performers: data.performers, tags: data.tags, studio: data.studio });
      this.status.textContent = "Saved.";
      this.dispatchEvent(new CustomEvent("obscura:links-changed", { bubbles: true, detail: data }));
    } catch (err) {
      const old = json(this.dataset.links, {});
      picker.values = part === "studio" ? (old.studio ? [old.studio] : []) : (old[part] ?? []);
      this.status.textContent = "";
      toast(`Could not save: ${err instanceof ApiError ? err.message : "the server cannot be reached"}`, "error");
    } finally {
      picker.busy = false;
    }
  }
}

class LinkFilter extends HTMLElement {
  connectedCallback() {
    if (this.controller) return;
    this.controller = new AbortController();
    this.setAttribute("data-link-filter", "");
    this.picker = new ChipPicker(this, {
      kind: this.dataset.kind,
      single: this.dataset.single === "true",
      create: false,
      link: false,
      label: this.dataset.label,
      placeholder: this.dataset.single === "true" ? "Any studio" : `Any ${this.dataset.kind}`,
      signal: this.controller.signal,
      onChange: (values) => {
        this.dispatchEvent(new CustomEvent("obscura:filter", {
          bubbles: true,
          detail: { name: this.dataset.name, values: values.map((v) => v.key ?? filterValue(v)) },
        }));
      },
    });
    this.values = json(this.dataset.values, []);
  }

  disconnectedCallback() {
    this.controller?.abort();
    this.controller = null;
  }

  /** The filter's query values (names or ids); ids are shown by name once looked up. */
  set values(list) {
    const values = (list ?? []).map((v) => ({ id: null, name: v, key: v }));
    this.picker.values = values;
    for (const v of this.picker._values) {
      if (!ID_RE.test(v.key)) continue;
      get(`/api/${this.dataset.kind}/${encodeURIComponent(v.key)}`).then((found) => {
        if (v.name !== v.key) return;
        v.name = found.name;
        this.picker._render();
      }).catch(() => {});
    }
  }
}

// Names are readable in the address bar; a performer told apart by a disambiguation goes by id.
function filterValue(v) {
  return v.disambiguation && v.id ? v.id : v.name;
}

if (!customElements.get("tax-links-panel")) customElements.define("tax-links-panel", LinksPanel);
if (!customElements.get("tax-link-filter")) customElements.define("tax-link-filter", LinkFilter);
