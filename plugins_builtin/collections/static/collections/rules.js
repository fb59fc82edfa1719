// The rule builder: and/or/not groups of field · operator · value rows, typed per field from the
// catalog of the loaded kinds (GET /api/collections/rule-fields, embedded in the page). Every edit
// previews the tree (debounced) through POST /api/collections/preview-rules: counts per kind and a
// sample. Incomplete rows are left out of the preview and named when saving.

import { get, post } from "/static/js/api.js";
import { escapeHtml, icon } from "/static/js/ui.js";

const PREVIEW_DELAY_MS = 300;
const GROUP_LABELS = { and: "All of", or: "Any of", not: "None of" };
const NO_VALUE = new Set(["is_null", "is_not_null", "is_true", "is_false"]);
const LISTS = new Set(["in", "not_in"]);
// names offered while typing a tag, performer or studio (the taxonomy's lists, searched by name)
const SUGGEST = { tags: "/api/tags", performers: "/api/performers", studio: "/api/studios" };
const SUGGEST_DELAY_MS = 200;

export const emptyTree = () => ({ type: "group", operator: "and", children: [] });

/** Fields by key for the kinds a condition covers (all kinds when none is chosen). */
function fieldsFor(catalog, entityTypes) {
  const out = new Map();
  for (const k of catalog.kinds) {
    if (entityTypes.length && !entityTypes.includes(k.kind)) continue;
    for (const f of k.fields) if (!out.has(f.key)) out.set(f.key, f);
  }
  return out;
}

function newCondition(catalog) {
  const first = [...fieldsFor(catalog, []).values()].find((f) => f.available);
  const field = first ? first.key : "title";
  return { type: "condition", entityTypes: [], field, operator: first ? first.operators[0] : "contains", value: null };
}

/** Whether a condition has what its operator needs (incomplete ones are skipped by the preview). */
export function complete(cond) {
  if (NO_VALUE.has(cond.operator)) return true;
  const v = cond.value;
  if (cond.operator === "between") return Array.isArray(v) && v.length === 2 && v.every((x) => x !== null && x !== "");
  if (LISTS.has(cond.operator)) return Array.isArray(v) && v.length > 0;
  return v !== null && v !== undefined && v !== "";
}

/** The tree without incomplete conditions and empty groups. */
export function prune(node) {
  const children = [];
  for (const c of node.children) {
    if (c.type === "group") {
      const g = prune(c);
      if (g.children.length) children.push(g);
    } else if (complete(c)) children.push(c);
  }
  return { ...node, children };
}

function countConditions(node) {
  return node.children.reduce((n, c) => n + (c.type === "group" ? countConditions(c) : 1), 0);
}

function parseOne(type, raw) {
  const text = String(raw ?? "").trim();
  if (!text) return null;
  if (type === "number") return Number.isFinite(Number(text)) ? Number(text) : null;
  if (type === "duration") return Number.isFinite(Number(text)) ? Math.round(Number(text) * 60) : null; // minutes → s
  return text;
}

function showOne(type, value) {
  if (value === null || value === undefined) return "";
  if (type === "duration") return String(Math.round((value / 60) * 100) / 100);
  return String(value);
}

export class RuleBuilder {
  constructor(host, { catalog, tree, signal, onChange }) {
    this.host = host;
    this.catalog = catalog;
    this.tree = tree && tree.type === "group" ? tree : emptyTree();
    this.onChange = onChange;
    host.addEventListener("change", (e) => this.handle(e), { signal });
    host.addEventListener("input", (e) => this.handle(e), { signal });
    host.addEventListener("click", (e) => this.click(e), { signal });
    host.addEventListener("input", (e) => this.suggest(e.target), { signal });
    this.signal = signal;
    this.suggestTimer = 0;
    for (const key of Object.keys(SUGGEST)) {
      const list = document.createElement("datalist");
      list.id = `co-suggest-${key}`;
      host.after(list);
      signal.addEventListener("abort", () => list.remove());
    }
    this.render();
  }

  nodeAt(path) {
    let node = this.tree;
    for (const i of path) node = node.children[i];
    return node;
  }

  pathOf(el) {
    const holder = el.closest("[data-path]");
    const raw = holder ? holder.dataset.path : "";
    return raw === "" ? [] : raw.split(".").map(Number);
  }

  click(e) {
    const btn = e.target.closest("button[data-act]");
    if (!btn) return;
    const path = this.pathOf(btn);
    const node = this.nodeAt(path);
    const act = btn.dataset.act;
    if (act === "add-condition") node.children.push(newCondition(this.catalog));
    else if (act === "add-group") node.children.push({ type: "group", operator: "or", children: [newCondition(this.catalog)] });
    else if (act === "remove") this.nodeAt(path.slice(0, -1)).children.splice(path[path.length - 1], 1);
    else return;
    this.render();
    this.changed();
    if (act !== "remove") {
      const rows = this.host.querySelectorAll(`[data-path="${path.join(".")}"] > .co-children > li:last-child select`);
      rows[0]?.focus();
    }
  }

  handle(e) {
    const el = e.target;
    const role = el.dataset.role;
    if (!role) return;
    const node = this.nodeAt(this.pathOf(el));
    if (role === "group-op") {
      node.operator = el.value;
    } else if (role === "kind") {
      if (e.type !== "change") return;
      node.entityTypes = el.value ? [el.value] : [];
      const fields = fieldsFor(this.catalog, node.entityTypes);
      if (!fields.has(node.field)) this.resetField(node, [...fields.values()].find((f) => f.available));
      this.render();
    } else if (role === "field") {
      if (e.type !== "change") return;
      this.resetField(node, fieldsFor(this.catalog, node.entityTypes).get(el.value));
      this.render();
    } else if (role === "operator") {
      if (e.type !== "change") return;
      const wasList = LISTS.has(node.operator), wasBetween = node.operator === "between";
      node.operator = el.value;
      if (LISTS.has(node.operator) !== wasList || (node.operator === "between") !== wasBetween || NO_VALUE.has(node.operator)) {
        node.value = null;
      }
      this.render();
    } else if (role === "value" || role === "low" || role === "high" || role === "values") {
      const field = fieldsFor(this.catalog, node.entityTypes).get(node.field);
      const type = field?.type || "text";
      if (role === "value") node.value = parseOne(type, el.value);
      else if (role === "values") {
        node.value = el.multiple
          ? [...el.selectedOptions].map((o) => o.value)
          : el.value.split(",").map((v) => parseOne(type, v)).filter((v) => v !== null);
      } else {
        const pair = Array.isArray(node.value) ? [...node.value] : [null, null];
        pair[role === "low" ? 0 : 1] = parseOne(type, el.value);
        node.value = pair;
      }
    } else return;
    this.changed();
  }

  /** Offer existing names for the word being typed (the last one of a comma-separated list). */
  suggest(input) {
    const key = input.dataset?.suggest;
    if (!key) return;
    clearTimeout(this.suggestTimer);
    const word = input.value.split(",").pop().trim();
    if (!word) return;
    this.suggestTimer = setTimeout(async () => {
      try {
        const data = await get(`${SUGGEST[key]}?search=${encodeURIComponent(word)}&perPage=8`);
        if (this.signal.aborted) return;
        const prefix = input.value.includes(",") ? input.value.slice(0, input.value.lastIndexOf(",") + 1) + " " : "";
        document.getElementById(`co-suggest-${key}`).replaceChildren(...data.items.map((it) => {
          const option = document.createElement("option");
          option.value = prefix + it.name;
          return option;
        }));
      } catch {
        /* suggestions are a convenience: typing a name works without them */
      }
    }, SUGGEST_DELAY_MS);
  }

  resetField(node, field) {
    if (!field) return;
    node.field = field.key;
    node.operator = field.operators[0];
    node.value = null;
  }

  changed() {
    this.onChange?.(this.tree);
  }

  render() {
    this.host.innerHTML = this.groupHtml(this.tree, []);
    // values are set as properties (never through HTML) so any text round-trips exactly
    for (const el of this.host.querySelectorAll("[data-role=value],[data-role=low],[data-role=high],[data-role=values]")) {
      const node = this.nodeAt(this.pathOf(el));
      const field = fieldsFor(this.catalog, node.entityTypes).get(node.field);
      const type = field?.type || "text";
      const v = node.value;
      if (el.dataset.role === "value") el.value = showOne(type, v);
      else if (el.dataset.role === "values") {
        if (el.multiple) for (const o of el.options) o.selected = Array.isArray(v) && v.includes(o.value);
        else el.value = Array.isArray(v) ? v.map((x) => showOne(type, x)).join(", ") : "";
      } else el.value = showOne(type, Array.isArray(v) ? v[el.dataset.role === "low" ? 0 : 1] : null);
    }
  }

  groupHtml(group, path) {
    const p = path.join(".");
    const ops = Object.entries(GROUP_LABELS)
      .map(([k, label]) => `<option value="${k}"${group.operator === k ? " selected" : ""}>${label}</option>`).join("");
    const children = group.children.map((c, i) => `<li>${c.type === "group"
      ? this.groupHtml(c, [...path, i]) : this.conditionHtml(c, [...path, i])}</li>`).join("");
    const depth = path.length;
    return `<div class="co-group${depth ? " is-nested" : ""}" data-path="${p}" role="group" aria-label="${depth ? "Group of rules" : "Rules"}">
      <div class="co-group-head">
        <label><span class="sr-only">Combine</span><select class="input" data-role="group-op">${ops}</select></label>
        <span class="muted small">${depth ? "these rules" : "the following rules"}</span>
        ${depth ? `<button class="btn btn-ghost btn-icon btn-s" type="button" data-act="remove" aria-label="Remove this group">${icon("trash", "i i-s")}</button>` : ""}
      </div>
      <ol class="co-children">${children}</ol>
      ${group.children.length ? "" : `<p class="muted small co-group-empty">${depth ? "An empty group is ignored." : "No rules yet: add a condition."}</p>`}
      <div class="row co-group-actions">
        <button class="btn btn-s" type="button" data-act="add-condition">${icon("plus", "i i-s")}Condition</button>
        ${depth < 6 ? `<button class="btn btn-s btn-ghost" type="button" data-act="add-group">${icon("plus", "i i-s")}Group</button>` : ""}
      </div>
    </div>`;
  }

  conditionHtml(cond, path) {
    const kinds = this.catalog.kinds;
    const chosen = cond.entityTypes[0] || "";
    const kindOpts = [`<option value="">Any kind</option>`, ...kinds.map((k) =>
      `<option value="${escapeHtml(k.kind)}"${chosen === k.kind ? " selected" : ""}>${escapeHtml(k.label)}</option>`)].join("");
    const fields = fieldsFor(this.catalog, cond.entityTypes);
    const field = fields.get(cond.field);
    const fieldOpts = [...fields.values()].map((f) => `<option value="${escapeHtml(f.key)}"${f.key === cond.field ? " selected" : ""}${
      f.available ? "" : " disabled"}>${escapeHtml(f.label)}${f.available ? "" : " (needs the taxonomy plugin)"}</option>`).join("")
      + (field ? "" : `<option selected disabled>${escapeHtml(cond.field)} (not available)</option>`);
    const operators = field ? field.operators : [cond.operator];
    const opOpts = operators.map((o) => `<option value="${o}"${o === cond.operator ? " selected" : ""}>${
      escapeHtml(this.catalog.operators[o] || o)}</option>`).join("");
    return `<div class="co-cond" data-path="${path.join(".")}" role="group" aria-label="Condition">
      <label><span class="sr-only">Kind</span><select class="input" data-role="kind">${kindOpts}</select></label>
      <label><span class="sr-only">Field</span><select class="input" data-role="field">${fieldOpts}</select></label>
      <label><span class="sr-only">Operator</span><select class="input" data-role="operator">${opOpts}</select></label>
      <span class="co-value">${this.valueHtml(field, cond.operator)}</span>
      <button class="btn btn-ghost btn-icon btn-s" type="button" data-act="remove" aria-label="Remove this condition">${icon("x", "i i-s")}</button>
    </div>`;
  }

  valueHtml(field, op) {
    if (!field || NO_VALUE.has(op)) return "";
    const type = field.type;
    const unit = type === "duration" ? `<span class="muted small">min</span>` : "";
    const inputType = type === "date" ? "date" : (type === "number" || type === "duration") ? "number" : "text";
    const step = type === "duration" ? ` step="any" min="0"` : type === "number" ? ` step="any"` : "";
    const placeholder = type === "link" ? `${field.label.replace(/s$/, "")} name` : "Value";
    if (type === "enum") {
      const opts = field.options.map((o) => `<option value="${escapeHtml(o)}">${escapeHtml(o)}</option>`).join("");
      if (LISTS.has(op)) return `<label><span class="sr-only">Values</span><select class="input" data-role="values" multiple size="${Math.min(4, field.options.length)}">${opts}</select></label>`;
      return `<label><span class="sr-only">Value</span><select class="input" data-role="value"><option value="">Choose…</option>${opts}</select></label>`;
    }
    if (op === "between") {
      return `<label><span class="sr-only">From</span><input class="input" type="${inputType}" data-role="low"${step} aria-label="From"></label>
        <span class="muted small">and</span>
        <label><span class="sr-only">To</span><input class="input" type="${inputType}" data-role="high"${step} aria-label="To"></label>${unit}`;
    }
    const suggest = type === "link" && SUGGEST[field.key] ? ` data-suggest="${field.key}" list="co-suggest-${field.key}" autocomplete="off"` : "";
    if (LISTS.has(op)) {
      return `<label><span class="sr-only">Values, separated by commas</span><input class="input" type="text" data-role="values"${suggest} placeholder="${escapeHtml(placeholder)}, …"></label>${unit}`;
    }
    return `<label><span class="sr-only">Value</span><input class="input" type="${inputType}" data-role="value"${step}${suggest} placeholder="${escapeHtml(placeholder)}"></label>${unit}`;
  }
}

/** Debounced previews of a tree; ``render`` gets the API answer or an error. */
export function previewer({ signal, render }) {
  let timer = 0;
  let seq = 0;
  signal.addEventListener("abort", () => clearTimeout(timer));
  return (tree) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      const pruned = prune(tree);
      if (!countConditions(pruned)) {
        render({ empty: true });
        return;
      }
      try {
        const data = await post("/api/collections/preview-rules", { ruleTree: pruned });
        if (mine === seq && !signal.aborted) render({ data });
      } catch (err) {
        if (mine === seq && !signal.aborted) render({ error: err.message });
      }
    }, PREVIEW_DELAY_MS);
  };
}

export function firstIncomplete(node) {
  for (const c of node.children) {
    if (c.type === "group") {
      const found = firstIncomplete(c);
      if (found) return found;
    } else if (!complete(c)) return c;
  }
  return null;
}
