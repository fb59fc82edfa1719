// A performer, studio or tag page: favourite and rating in one click, delete (confirmed), merge
// into another entry (picked with autocomplete; the dialog says what moves).
import { del, get, patch, post } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";
import { confirmDialog, toast } from "/static/js/ui.js";
import { ChipPicker } from "./chips.js";

export function mount({ root, signal }) {
  const el = root.querySelector("#tx-detail");
  if (!el) return {};
  const { plural, singular, id, name } = el.dataset;
  const base = `/api/${plural}/${id}`;
  const on = (target, type, fn) => target?.addEventListener(type, fn, { signal });

  // ---------------------------------------------------------------- favourite and rating
  const fav = el.querySelector("[data-favorite]");
  on(fav, "click", async () => {
    fav.disabled = true;
    try {
      const d = await patch(`${base}/favorite`, { favorite: fav.getAttribute("aria-pressed") !== "true" });
      fav.setAttribute("aria-pressed", String(d.favorite));
      fav.classList.toggle("is-on", d.favorite);
      fav.querySelector("span").textContent = d.favorite ? "Favourite" : "Add to favourites";
    } catch (err) {
      toast(`Could not save: ${err.message}`, "error");
    } finally {
      fav.disabled = false;
    }
  });

  const stars = el.querySelector("[data-rating]");
  function showStars(rating) {
    const n = rating == null ? 0 : Math.round(rating / 20);
    for (const b of stars.querySelectorAll("[data-star]")) {
      const v = Number(b.dataset.star);
      b.classList.toggle("is-on", v <= n);
      b.setAttribute("aria-pressed", String(v === n));
    }
  }
  on(stars, "click", async (e) => {
    const b = e.target.closest("[data-star]");
    if (!b) return;
    const n = Number(b.dataset.star);
    const rating = b.getAttribute("aria-pressed") === "true" ? null : n * 20;
    try {
      showStars((await patch(`${base}/rating`, { rating })).rating);
    } catch (err) {
      toast(`Could not save: ${err.message}`, "error");
    }
  });

  // ---------------------------------------------------------------- delete
  on(el.querySelector("[data-delete]"), "click", async () => {
    const ok = await confirmDialog({
      title: `Delete “${name}”?`,
      message: `Its links to media are removed (the media stay). This cannot be undone.`,
      confirmLabel: "Delete",
      danger: true,
    });
    if (!ok) return;
    try {
      await del(base);
      toast(`Deleted “${name}”.`, "ok");
      navigate(`/${plural}`);
    } catch (err) {
      toast(`Could not delete: ${err.message}`, "error");
    }
  });

  // ---------------------------------------------------------------- merge
  const dialog = root.querySelector("#tx-merge");
  const form = dialog.querySelector("[data-merge-form]");
  const go = form.querySelector("[data-merge-go]");
  const error = form.querySelector("[data-form-error]");
  const summary = form.querySelector("[data-merge-summary]");
  const intro = summary.querySelector("p");
  let target = null;
  const pickerHost = form.querySelector("[data-merge-picker]");
  const picker = new ChipPicker(pickerHost, {
    kind: plural, single: true, create: false, link: false, exclude: [id], label: pickerHost.dataset.label,
    placeholder: `Search ${plural}`, signal,
    onChange: async (values) => {
      target = values[0] ?? null;
      go.disabled = !target;
      error.hidden = true;
      if (!target) {
        intro.textContent = `Pick the ${singular} to keep. Then:`;
        return;
      }
      intro.textContent = `Merging into “${target.name}”:`;
      try {
        const t = await get(`/api/${plural}/${target.id}`);
        const links = Object.values(t.counts ?? {}).reduce((a, b) => a + b, 0);
        if (target?.id === t.id) intro.textContent = `Merging into “${t.name}” (${links} link${links === 1 ? "" : "s"} now):`;
      } catch {
        /* the summary stays without its count */
      }
    },
  });
  on(el.querySelector("[data-merge-open]"), "click", () => {
    picker.values = [];
    target = null;
    go.disabled = true;
    error.hidden = true;
    dialog.showModal();
    picker.input.focus();
  });
  on(form, "submit", async (e) => {
    if (e.submitter?.value !== "ok") return;
    e.preventDefault();
    if (!target) return;
    go.disabled = true;
    try {
      const merged = await post(`/api/${plural}/${target.id}/merge`, { sourceIds: [id] });
      dialog.close();
      toast(`Merged “${name}” into “${merged.name}”.`, "ok");
      navigate(`/${plural}/${merged.id}`);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      go.disabled = false;
    }
  });
  return {};
}
