// A collection (/collections/<id>): its items (move by drag or arrows, remove, choose the cover,
// "Show more"), the rule builder with a live preview, the slideshow, edit, refresh and delete.

import { del, patch, post } from "/static/js/api.js";
import { plural } from "/static/js/format.js";
import { navigate } from "/static/js/navigate.js";
import { confirmDialog, escapeHtml, toast } from "/static/js/ui.js";
import { RuleBuilder, firstIncomplete, previewer, prune } from "./rules.js";
import { installSlideshow } from "./slideshow.js";

const readJson = (root, sel) => JSON.parse(root.querySelector(sel)?.textContent || "null");
const refOf = (li) => ({ entityType: li.dataset.entityType, entityId: li.dataset.entityId });

export function mount({ root, signal, url }) {
  const page = root.querySelector("[data-collection]");
  if (!page) return undefined;
  const id = page.dataset.collection;
  const api = `/api/collections/${id}`;
  const reload = () => navigate(location.pathname + location.hash, { push: false, scrollY: window.scrollY });

  // ------------------------------------------------------------------ tabs
  const tabs = [...root.querySelectorAll("[data-tab]")];
  function select(name) {
    for (const t of tabs) {
      const on = t.dataset.tab === name;
      t.setAttribute("aria-selected", on ? "true" : "false");
      root.querySelector(`[data-panel="${t.dataset.tab}"]`).hidden = !on;
    }
  }
  for (const t of tabs) {
    t.addEventListener("click", () => {
      select(t.dataset.tab);
      history.replaceState(history.state, "", t.dataset.tab === "rules" ? "#rules" : location.pathname);
    }, { signal });
  }
  if (url.hash === "#rules") select("rules");

  // ------------------------------------------------------------------ items
  const list = root.querySelector("[data-items]");
  const countEl = root.querySelector("[data-item-count]");
  const setCount = (n) => { countEl.textContent = plural(n, "item"); };

  async function sendOrder(items) {
    try {
      await patch(`${api}/items/reorder`, { items });
    } catch (err) {
      toast(err.message, "error");
      reload();
    }
  }

  if (list) {
    list.addEventListener("click", async (e) => {
      const li = e.target.closest("[data-item]");
      const more = e.target.closest("[data-more]");
      if (more) {
        e.preventDefault();
        more.setAttribute("aria-disabled", "true");
        const resp = await fetch(more.href, { headers: { Accept: "text/html" }, signal });
        const tpl = document.createElement("template");
        tpl.innerHTML = await resp.text();
        more.closest("[data-more-row]").replaceWith(tpl.content);
        return;
      }
      if (!li) return;
      const move = e.target.closest("[data-move]");
      if (move) {
        const other = Number(move.dataset.move) < 0 ? li.previousElementSibling : li.nextElementSibling;
        if (!other || !other.matches("[data-item]")) return;
        if (Number(move.dataset.move) < 0) other.before(li);
        else other.after(li);
        move.focus();
        await sendOrder(Number(move.dataset.move) < 0 ? [refOf(li), refOf(other)] : [refOf(other), refOf(li)]);
      } else if (e.target.closest("[data-remove]")) {
        try {
          const res = await del(`${api}/items`, { items: [refOf(li)] });
          li.remove();
          setCount(res.itemCount);
          toast(`Removed “${li.dataset.title}”.`);
        } catch (err) {
          toast(err.message, "error");
        }
      } else if (e.target.closest("[data-cover-item]")) {
        try {
          await patch(api, { coverMode: "item", coverItem: refOf(li) });
          toast(`“${li.dataset.title}” is now the cover.`);
        } catch (err) {
          toast(err.message, "error");
        }
      }
    }, { signal });

    // drag and drop: the dragged item lands before the item it is dropped on
    let dragged = null;
    let startIndex = -1;
    const itemsNow = () => [...list.querySelectorAll("[data-item]")];
    list.addEventListener("dragstart", (e) => {
      dragged = e.target.closest?.("[data-item]");
      if (!dragged) return;
      startIndex = itemsNow().indexOf(dragged);
      dragged.classList.add("is-dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", dragged.dataset.entityId);
    }, { signal });
    list.addEventListener("dragover", (e) => {
      const over = e.target.closest?.("[data-item]");
      if (!dragged || !over || over === dragged) return;
      e.preventDefault();
      const box = over.getBoundingClientRect();
      if (e.clientX > box.left + box.width / 2) over.after(dragged);
      else over.before(dragged);
    }, { signal });
    list.addEventListener("drop", (e) => { if (dragged) e.preventDefault(); }, { signal });
    list.addEventListener("dragend", async () => {
      if (!dragged) return;
      dragged.classList.remove("is-dragging");
      const all = itemsNow();
      const end = all.indexOf(dragged);
      dragged = null;
      if (end === startIndex || end < 0) return;
      const [from, to] = end < startIndex ? [end, startIndex] : [startIndex, end];
      await sendOrder(all.slice(from, to + 1).map(refOf));
    }, { signal });
  }

  // ------------------------------------------------------------------ header actions
  root.querySelector("[data-refresh]")?.addEventListener("click", async (e) => {
    e.currentTarget.disabled = true;
    try {
      const c = await post(`${api}/refresh`);
      toast(`Rules checked: ${plural(c.itemCount, "item")}.`);
      reload();
    } catch (err) {
      toast(err.message, "error");
    }
  }, { signal });

  root.querySelector("[data-delete]").addEventListener("click", async () => {
    const ok = await confirmDialog({
      title: "Delete this collection?",
      message: "The collection goes; its videos, images and tracks stay in the library.",
      confirmLabel: "Delete", danger: true,
    });
    if (!ok) return;
    try {
      await del(api);
      navigate("/collections");
    } catch (err) {
      toast(err.message, "error");
    }
  }, { signal });

  const editDialog = root.querySelector("[data-edit-dialog]");
  const editForm = root.querySelector("[data-edit-form]");
  root.querySelector("[data-edit]").addEventListener("click", () => editDialog.showModal(), { signal });
  editForm.querySelector("[data-cancel]").addEventListener("click", () => editDialog.close(), { signal });
  editForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = new FormData(editForm);
    const error = editForm.querySelector("[data-edit-error]");
    try {
      await patch(api, {
        name: String(data.get("name") || "").trim(),
        description: String(data.get("description") || "").trim() || null,
        coverMode: data.get("coverMode"),
        slideshowSeconds: Number(data.get("slideshowSeconds")) || 5,
        slideshowAutoAdvance: data.get("slideshowAutoAdvance") === "on",
      });
      editDialog.close();
      reload();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  }, { signal });

  // ------------------------------------------------------------------ rules and preview
  const total = root.querySelector("[data-preview-total]");
  const counts = root.querySelector("[data-preview-counts]");
  const sample = root.querySelector("[data-preview-items]");
  const inline = root.querySelector("[data-preview-inline]");
  const catalog = readJson(root, "[data-catalog]");
  const labels = Object.fromEntries(catalog.kinds.map((k) => [k.kind, k.label]));
  const preview = previewer({
    signal,
    render({ data, error, empty }) {
      sample.replaceChildren();
      inline.textContent = data ? `${data.total} ${data.total === 1 ? "item matches" : "items match"} these rules` : "";
      if (empty) {
        total.textContent = "–";
        counts.textContent = "Add a complete condition to see what it matches.";
        return;
      }
      if (error) {
        total.textContent = "!";
        counts.textContent = error;
        return;
      }
      total.textContent = String(data.total);
      total.dataset.total = String(data.total);
      counts.textContent = Object.entries(data.byType).filter(([, n]) => n)
        .map(([k, n]) => `${n} ${labels[k] ? labels[k].toLowerCase() : k}`).join(" · ") || "Nothing matches.";
      sample.innerHTML = data.items.map((it) => `<li><a href="${escapeHtml(it.url || "#")}">${it.thumbnailUrl
        ? `<img src="${escapeHtml(it.thumbnailUrl)}" alt="" loading="lazy">` : `<span class="co-preview-blank"></span>`}
        <span>${escapeHtml(it.title)}</span></a></li>`).join("");
    },
  });
  const builder = new RuleBuilder(root.querySelector("[data-rule-builder]"), {
    catalog, tree: readJson(root, "[data-rule-tree]"), signal, onChange: preview,
  });
  preview(builder.tree);

  const modeSelect = root.querySelector("[data-rule-mode]");
  const ruleError = root.querySelector("[data-rule-error]");
  root.querySelector("[data-rule-save]").addEventListener("click", async () => {
    ruleError.hidden = true;
    const incomplete = firstIncomplete(builder.tree);
    if (incomplete) {
      ruleError.textContent = `The condition on “${incomplete.field}” needs a value.`;
      ruleError.hidden = false;
      return;
    }
    const tree = prune(builder.tree);
    let mode = modeSelect.value;
    if (mode === "manual" && tree.children.length) mode = "hybrid"; // rules only work in dynamic/hybrid
    try {
      await patch(api, { mode, ruleTree: tree.children.length ? tree : null });
      await post(`${api}/refresh`);
      toast("Rules saved.");
      history.replaceState(history.state, "", location.pathname);
      navigate(location.pathname, { push: false });
    } catch (err) {
      ruleError.textContent = err.message;
      ruleError.hidden = false;
    }
  }, { signal });

  // ------------------------------------------------------------------ slideshow
  const show = installSlideshow(root, {
    collectionId: id, settings: readJson(root, "[data-slideshow-settings]"), signal,
  });
  root.querySelector("[data-slideshow-open]").addEventListener("click", () => show.open(0), { signal });
  return undefined;
}
