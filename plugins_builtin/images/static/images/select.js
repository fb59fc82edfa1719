// Bulk selection on a gallery page: "Select" (or a long press on a touch screen) turns tiles into
// toggles; shift-click selects a range; the bar rates, marks organized, adds to a collection,
// removes from this collection or sets the cover, for every selected image at once.
import { del, get, patch, post } from "/static/js/api.js";
import { plural } from "/static/js/format.js";
import { toast } from "/static/js/ui.js";
import { formError } from "./common.js";

const LONG_PRESS_MS = 500;

export function installSelection({ root, signal, gallery, onRemoved }) {
  const bar = document.getElementById("im-selbar");
  const count = bar.querySelector("[data-sel-count]");
  const selected = new Set();
  let active = false;
  let anchor = null; // last toggled index, for shift-click ranges

  const tiles = () => root.querySelectorAll(".im-tile");
  const tileOf = (id) => root.querySelector(`.im-tile[data-id="${CSS.escape(id)}"]`);

  function render() {
    const n = selected.size;
    count.textContent = `${n} selected`;
    for (const button of bar.querySelectorAll("button[data-sel-rate], [data-sel-organized], [data-sel-collect], [data-sel-remove]")) {
      button.disabled = n === 0;
    }
    const cover = bar.querySelector("[data-sel-cover]");
    cover.disabled = n !== 1;
    cover.title = n === 1 ? "Use the selected image as this gallery's cover" : "Select one image to use it as the cover";
    bar.querySelector("[data-sel-all]").textContent = n && n === tiles().length ? "Select none" : "Select all";
  }

  function mark(tile, on) {
    tile.classList.toggle("is-selected", on);
    tile.querySelector(".im-check")?.setAttribute("aria-pressed", String(on));
  }

  function prepare(tile) {
    const link = tile.querySelector(".im-tile-link");
    const check = tile.querySelector(".im-check");
    link?.setAttribute("tabindex", active ? "-1" : "0");
    check?.setAttribute("tabindex", active ? "0" : "-1");
    mark(tile, active && selected.has(tile.dataset.id));
  }

  function setActive(on) {
    active = on;
    if (!on) selected.clear();
    root.classList.toggle("is-selecting", on);
    document.body.classList.toggle("im-has-selbar", on);
    bar.hidden = !on;
    for (const button of document.querySelectorAll("[data-select-toggle][aria-pressed]")) {
      button.setAttribute("aria-pressed", String(on));
    }
    tiles().forEach(prepare);
    render();
    if (on) bar.querySelector("[data-sel-all]").focus({ preventScroll: true });
  }

  function toggle(tile, { range = false } = {}) {
    const index = Number(tile.dataset.i);
    const on = !selected.has(tile.dataset.id);
    if (range && anchor !== null) {
      const [lo, hi] = anchor < index ? [anchor, index] : [index, anchor];
      for (const t of tiles()) {
        const i = Number(t.dataset.i);
        if (i >= lo && i <= hi) {
          selected.add(t.dataset.id);
          mark(t, true);
        }
      }
    } else {
      if (on) selected.add(tile.dataset.id);
      else selected.delete(tile.dataset.id);
      mark(tile, on);
    }
    anchor = index;
    render();
  }

  // clicks on tiles while selecting: capture, before the lightbox's own handler
  let swallowUntil = 0; // the click that ends a long press is not a tap
  root.addEventListener("click", (e) => {
    const tile = e.target.closest(".im-tile");
    if (!tile) return;
    if (Date.now() < swallowUntil) {
      swallowUntil = 0;
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (!active && !e.target.closest(".im-check")) return;
    e.preventDefault();
    e.stopPropagation();
    if (!active) setActive(true);
    toggle(tile, { range: e.shiftKey });
  }, { signal, capture: true });

  // a long press on a touch screen starts selecting with that image
  let pressTimer = 0;
  let pressed = null;
  root.addEventListener("pointerdown", (e) => {
    if (Date.now() > swallowUntil - 1000) swallowUntil = 0; // a new touch, well after the press
    if (e.pointerType !== "touch" || active) return;
    const tile = e.target.closest(".im-tile");
    if (!tile) return;
    const start = { x: e.clientX, y: e.clientY };
    pressed = { tile, start };
    clearTimeout(pressTimer);
    pressTimer = setTimeout(() => {
      pressed = null;
      setActive(true);
      toggle(tile);
      navigator.vibrate?.(15);
      swallowUntil = Date.now() + 1500;
    }, LONG_PRESS_MS);
  }, { signal });
  const cancelPress = (e) => {
    if (!pressed) return;
    if (e.type === "pointermove" && Math.hypot(e.clientX - pressed.start.x, e.clientY - pressed.start.y) < 10) return;
    clearTimeout(pressTimer);
    pressed = null;
  };
  for (const type of ["pointermove", "pointerup", "pointercancel"]) root.addEventListener(type, cancelPress, { signal });
  root.addEventListener("contextmenu", (e) => {
    if (e.target.closest(".im-tile") && (pressed || active)) e.preventDefault();
  }, { signal });
  signal.addEventListener("abort", () => {
    clearTimeout(pressTimer);
    document.body.classList.remove("im-has-selbar");
  });

  document.addEventListener("click", (e) => {
    if (e.target.closest("[data-select-toggle]")) setActive(!active);
  }, { signal });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && active && !document.querySelector("dialog[open], .pswp")) setActive(false);
  }, { signal });

  // ------------------------------------------------------------------ bulk actions
  const ids = () => [...selected];
  const images = (n) => plural(n, "image");

  async function bulk(change, message) {
    const list = ids();
    if (!list.length) return false;
    try {
      await patch("/api/images/bulk", { ids: list, patch: change });
      toast(message(list.length), "ok");
      return true;
    } catch (err) {
      toast(`Could not change the images: ${err.message}`, "error");
      return false;
    }
  }

  function setBadge(tile, rating) {
    const link = tile.querySelector(".im-tile-link");
    let badges = tile.querySelector(".im-tile-badges");
    let star = badges?.querySelector("[data-star]") ?? [...(badges?.children ?? [])].find((b) => b.textContent.startsWith("★"));
    const n = rating === null ? 0 : Math.round(rating / 20);
    if (!n) {
      star?.remove();
      return;
    }
    if (!badges) {
      badges = document.createElement("span");
      badges.className = "im-tile-badges";
      badges.setAttribute("aria-hidden", "true");
      link.append(badges);
    }
    if (!star) {
      star = document.createElement("span");
      star.className = "badge";
      badges.append(star);
    }
    star.dataset.star = "";
    star.textContent = `★ ${n}`;
  }

  bar.addEventListener("click", async (e) => {
    const button = e.target.closest("button");
    if (!button || button.disabled) return;
    if (button.matches("[data-sel-all]")) {
      const all = selected.size !== tiles().length || selected.size === 0;
      selected.clear();
      for (const t of tiles()) {
        if (all) selected.add(t.dataset.id);
        mark(t, all);
      }
      render();
    } else if (button.dataset.selRate !== undefined) {
      const rating = button.dataset.selRate ? Number(button.dataset.selRate) : null;
      const words = rating === null ? "Cleared the rating of" : `Rated ${"★".repeat(rating / 20)}:`;
      if (await bulk({ rating }, (n) => `${words} ${images(n)}.`)) {
        for (const id of selected) {
          const t = tileOf(id);
          if (t) setBadge(t, rating);
        }
      }
    } else if (button.matches("[data-sel-organized]")) {
      await bulk({ organized: true }, (n) => `Marked ${images(n)} as organized.`);
    } else if (button.matches("[data-sel-collect]")) {
      collect(ids());
    } else if (button.matches("[data-sel-remove]")) {
      const list = ids();
      try {
        await del(`/api/galleries/${gallery.id}/items`, { imageIds: list });
        toast(`Removed ${images(list.length)} from this collection.`, "ok");
        setActive(false);
        onRemoved?.();
      } catch (err) {
        toast(`Could not remove the images: ${err.message}`, "error");
      }
    } else if (button.matches("[data-sel-cover]")) {
      const [id] = ids();
      try {
        await post(`/api/galleries/${gallery.id}/cover`, { imageId: id });
        gallery.el.dataset.cover = id;
        toast("The cover is set.", "ok");
      } catch (err) {
        toast(`Could not set the cover: ${err.message}`, "error");
      }
    }
  }, { signal });

  // ------------------------------------------------------------------ add to a collection
  const dialog = document.getElementById("im-collect");
  const form = dialog.querySelector("form");
  const select = form.querySelector("[data-collections]");
  const newName = form.querySelector("[data-new-name]");
  let pendingIds = [];

  async function collect(list) {
    pendingIds = list;
    form.reset();
    formError(form, "");
    select.replaceChildren(new Option("New collection…", ""));
    newName.hidden = false;
    dialog.showModal();
    try {
      const data = await get("/api/galleries?kind=virtual&sort=title&perPage=500");
      for (const g of data.items) if (g.id !== gallery.id) select.append(new Option(`${g.title} (${g.imageCount})`, g.id));
      const last = localStorage.getItem("obscura-images-collection");
      if (last && [...select.options].some((o) => o.value === last)) select.value = last;
      newName.hidden = Boolean(select.value);
    } catch (err) {
      formError(form, `Could not list the collections: ${err.message}`);
    }
  }
  select.addEventListener("change", () => {
    newName.hidden = Boolean(select.value);
  }, { signal });
  form.addEventListener("submit", async (e) => {
    if (e.submitter?.value !== "ok") return;
    e.preventDefault();
    try {
      let target;
      if (select.value) {
        target = await post(`/api/galleries/${select.value}/items`, { imageIds: pendingIds });
      } else {
        const title = form.elements.title.value.trim();
        if (!title) {
          formError(form, "Name the new collection, or choose one.");
          return;
        }
        target = await post("/api/galleries", { title, imageIds: pendingIds });
      }
      localStorage.setItem("obscura-images-collection", target.id);
      dialog.close();
      toast(`Added ${images(pendingIds.length)} to “${target.title}”.`, "ok");
    } catch (err) {
      formError(form, err.message);
    }
  }, { signal });

  return {
    get active() { return active; },
    prepare,
    stop: () => setActive(false),
  };
}
