// A gallery page: the justified grid (more pages as the user scrolls), the lightbox over the whole
// gallery, chapters, the edit dialog, bulk selection and uploads into folder galleries.
import { del, get, patch, post } from "/static/js/api.js";
import { formatCount, formatDay, plural, starsHtml } from "/static/js/format.js";
import { navigate } from "/static/js/navigate.js";
import { confirmDialog, toast } from "/static/js/ui.js";
import { formError, installMore, loadMore, ratingOf } from "./common.js";
import { installJustify } from "./justify.js";
import { openLightbox, viewFromHash } from "./lightbox.js";
import { installSelection } from "./select.js";
import { installUpload } from "./upload.js";

const BROWSER_FORMATS = new Set(["jpeg", "mpo", "png", "webp", "gif", "avif", "bmp"]);
const THUMB_POLL_MS = 1500;
const THUMB_POLL_MAX = 80;

// ------------------------------------------------------------------ lightbox data

function rawFromTile(tile) {
  const img = tile.querySelector("img");
  const link = tile.querySelector(".im-tile-link");
  const d = tile.dataset;
  return {
    id: d.id,
    title: img?.alt ?? d.title ?? link?.textContent.trim() ?? "",
    width: Number(d.w) || null,
    height: Number(d.h) || null,
    thumb: img?.getAttribute("src") ?? null,
    preview: d.preview ?? null,
    file: link?.dataset.file ?? `/api/images/${d.id}/file`,
    zoomable: "zoom" in d,
    animated: "anim" in d,
  };
}

function rawFromApi(im) {
  return {
    id: im.id,
    title: im.title,
    width: im.width,
    height: im.height,
    thumb: im.thumbnailUrl,
    preview: im.previewUrl,
    file: im.fileUrl,
    zoomable: BROWSER_FORMATS.has((im.format || "").toLowerCase()),
    animated: im.animated,
  };
}

/** Slides from the grid's tiles, and pages of the JSON API for what the grid has not loaded. */
function gallerySource(root, galleryId, total, perPage, signal) {
  const cache = new Map();
  const pages = new Map();
  const tileAt = (i) => root.querySelector(`.im-tile[data-i="${i}"]`);
  return {
    total,
    item(i) {
      const tile = tileAt(i);
      return tile ? rawFromTile(tile) : cache.get(i) ?? null;
    },
    load(i) {
      const page = Math.floor(i / perPage) + 1;
      if (!pages.has(page)) {
        const request = fetch(`/api/galleries/${galleryId}?page=${page}&perPage=${perPage}`, {
          headers: { Accept: "application/json" }, signal,
        }).then(async (res) => {
          if (!res.ok) throw new Error(`the server answered ${res.status}`);
          const { data } = await res.json();
          data.images.items.forEach((im, k) => cache.set((page - 1) * perPage + k, rawFromApi(im)));
        });
        request.catch(() => pages.delete(page));
        pages.set(page, request);
      }
      return pages.get(page);
    },
    tileAt,
  };
}

export function mount({ root, signal }) {
  const el = root.querySelector("#im-gallery");
  const galleryId = el.dataset.gallery;
  const kind = el.dataset.kind;
  let total = Number(el.dataset.total);
  const chapters = JSON.parse(root.querySelector("#im-chapters")?.textContent || "[]");
  const sectionsHost = root.querySelector("#im-sections");
  let selection = null;

  // ------------------------------------------------------------------ grid layout and paging
  const relayout = sectionsHost ? installJustify(sectionsHost, signal) : () => {};
  const added = () => {
    sectionsHost.querySelectorAll(".im-tile").forEach((t) => selection?.prepare(t));
    relayout();
  };
  const more = sectionsHost ? installMore(sectionsHost, signal, added) : null;

  async function loadUntil(index) {
    while (sectionsHost && !root.querySelector(`.im-tile[data-i="${index}"]`)) {
      const slot = sectionsHost.querySelector(".im-more");
      if (!slot || signal.aborted) return false;
      await more.more(slot);
    }
    return true;
  }

  // ------------------------------------------------------------------ lightbox
  const source = gallerySource(root, galleryId, total, Number(el.dataset.lightboxPage) || 100, signal);
  const chapterAt = (i) => {
    let found = null;
    for (const ch of chapters) if (ch.index <= i) found = ch;
    return found?.title ?? null;
  };
  let lightbox = null;
  function open(index, { slideshow = false, fromHistory = false } = {}) {
    if (lightbox || !total) return;
    source.total = total;
    lightbox = openLightbox({
      source,
      index: Math.max(0, Math.min(index, total - 1)),
      signal,
      slideshow,
      fromHistory,
      chapterAt,
      thumbFor: (i) => source.tileAt(i)?.querySelector("img") ?? null,
    });
    lightbox.on("destroy", () => {
      lightbox = null;
    });
  }

  root.addEventListener("click", (e) => {
    const link = e.target.closest(".im-tile-link");
    if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    open(Number(link.closest(".im-tile").dataset.i));
  }, { signal });
  root.querySelector("[data-slideshow]")?.addEventListener("click", () => open(0, { slideshow: true }), { signal });

  // #view=N: a link into the lightbox, or back/forward onto it
  const fromHash = () => {
    const n = viewFromHash();
    if (n !== null && !lightbox) open(n - 1, { fromHistory: true });
  };
  window.addEventListener("popstate", fromHash, { signal });

  // ------------------------------------------------------------------ chapters: jump
  root.addEventListener("click", async (e) => {
    const jump = e.target.closest("[data-jump]");
    if (!jump || e.button !== 0 || e.metaKey || e.ctrlKey) return;
    e.preventDefault();
    const id = jump.getAttribute("href").slice(1);
    if (!(await loadUntil(Number(jump.dataset.jump)))) return;
    const heading = document.getElementById(id) ?? source.tileAt(Number(jump.dataset.jump));
    heading?.scrollIntoView({ behavior: "smooth", block: "start" });
    heading?.focus?.({ preventScroll: true });
  }, { signal });

  // ------------------------------------------------------------------ edit
  installEdit(root, signal, galleryId);
  installChapters(root, signal, galleryId, chapters, total);
  root.querySelector("[data-delete-collection]")?.addEventListener("click", async () => {
    const title = root.querySelector("[data-field=title]").textContent;
    const ok = await confirmDialog({
      title: `Delete “${title}”?`,
      message: "The collection goes away; its images stay in their galleries.",
      confirmLabel: "Delete collection",
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/galleries/${galleryId}`);
      toast(`Deleted the collection “${title}”.`, "ok");
      navigate("/galleries");
    } catch (err) {
      toast(`Could not delete the collection: ${err.message}`, "error");
    }
  }, { signal });

  // ------------------------------------------------------------------ selection, uploads
  selection = total ? installSelection({
    root, signal, gallery: { id: galleryId, kind, el },
    onRemoved: () => navigate(location.pathname + location.search, { push: false, scrollY: window.scrollY }),
  }) : null;

  if ("upload" in el.dataset) {
    installUpload({
      root, signal, galleryId,
      onUploaded: async (created) => {
        if (!total || !sectionsHost) {
          await navigate(location.pathname, { push: false });
          return;
        }
        const before = total;
        total += created.length;
        el.dataset.total = String(total);
        source.total = total;
        const badge = root.querySelector("[data-total-badge]");
        if (badge) badge.textContent = formatCount(total);
        const fact = root.querySelector("[data-fact]");
        if (fact) fact.textContent = plural(total, "image");
        if (sectionsHost.querySelector(".im-more")) return; // they are at the end, past what is loaded
        const slot = document.createElement("div");
        slot.className = "im-more";
        slot.innerHTML = `<a class="btn im-more-btn" data-more="/galleries/${galleryId}/fragments/images?offset=${before}" href="#">Load more</a>`;
        sectionsHost.append(slot);
        await loadMore(slot, { signal });
        added();
        created.forEach((im) => watchThumbnail(root, im.id, signal, relayout));
      },
    });
  }

  if (viewFromHash() !== null) fromHash();
  el.dataset.ready = "true";
}

// ------------------------------------------------------------------ thumbnails of new images

function watchThumbnail(root, imageId, signal, relayout) {
  let tries = 0;
  const check = async () => {
    if (signal.aborted) return;
    tries += 1;
    try {
      const im = await get(`/api/images/${imageId}`);
      const tile = root.querySelector(`.im-tile[data-id="${CSS.escape(imageId)}"]`);
      if (!tile) return;
      if (im.thumbnailUrl) {
        const ratio = im.width && im.height ? Math.min(4, Math.max(0.25, im.width / im.height)) : 1;
        tile.style.setProperty("--r", ratio.toFixed(4));
        if (im.width) {
          tile.dataset.w = im.width;
          tile.dataset.h = im.height;
        }
        tile.dataset.preview = im.previewUrl;
        if (BROWSER_FORMATS.has((im.format || "").toLowerCase())) tile.dataset.zoom = "";
        const img = new Image();
        img.alt = im.title;
        img.decoding = "async";
        img.src = im.thumbnailUrl;
        tile.querySelector(".im-tile-ph")?.replaceWith(img);
        relayout();
        return;
      }
      if (im.thumbnailError) {
        tile.classList.add("is-broken");
        return;
      }
    } catch (err) {
      if (signal.aborted) return;
    }
    if (tries < THUMB_POLL_MAX) setTimeout(check, THUMB_POLL_MS);
  };
  setTimeout(check, 500);
}

// ------------------------------------------------------------------ edit dialog

function installEdit(root, signal, galleryId) {
  const dialog = root.querySelector("#im-edit");
  const form = dialog.querySelector("form");
  root.querySelector("[data-edit-open]")?.addEventListener("click", () => {
    formError(form, "");
    dialog.showModal();
  }, { signal });
  form.addEventListener("submit", async (e) => {
    if (e.submitter?.value !== "ok") return;
    e.preventDefault();
    const title = form.elements.title.value.trim();
    if (!title) {
      formError(form, "The title cannot be empty.");
      form.elements.title.focus();
      return;
    }
    const body = {
      title,
      date: form.elements.date.value || null,
      rating: ratingOf(form),
      details: form.elements.details.value.trim() || null,
      organized: form.elements.organized.checked,
      isNsfw: form.elements.isNsfw.checked,
    };
    const save = form.querySelector("[data-save]");
    save.disabled = true;
    try {
      const saved = await patch(`/api/galleries/${galleryId}`, body);
      root.querySelector("[data-field=title]").textContent = saved.title;
      document.title = `${saved.title} · Galleries · Obscura`;
      const details = root.querySelector("[data-field=details]");
      details.textContent = body.details ?? "";
      details.hidden = !body.details;
      const date = root.querySelector("[data-field=date]");
      date.textContent = formatDay(saved.date);
      date.hidden = !saved.date;
      const stars = root.querySelector("[data-field=stars]");
      stars.innerHTML = starsHtml(saved.rating, "im-stars");
      stars.hidden = saved.rating === null;
      root.querySelector("[data-field=organized]").hidden = !saved.organized;
      dialog.close();
      toast("Saved.", "ok");
    } catch (err) {
      formError(form, err.message);
    } finally {
      save.disabled = false;
    }
  }, { signal });
}

// ------------------------------------------------------------------ chapters dialog

function installChapters(root, signal, galleryId, chapters, total) {
  const dialog = root.querySelector("#im-chapters-dialog");
  const opener = root.querySelector("[data-chapters-open]");
  if (!dialog || !opener) return;
  const form = dialog.querySelector("form");
  const rows = form.querySelector("[data-chapter-rows]");
  let n = 0;

  function row(ch = null) {
    n += 1;
    const li = document.createElement("li");
    li.className = "im-chapter-row";
    if (ch) li.dataset.id = ch.id;
    li.innerHTML = `<label class="field"><span>Title</span><input class="input" name="t${n}" maxlength="300" required autocomplete="off"></label>
      <label class="field im-chapter-start"><span>From image</span><input class="input" name="s${n}" type="number" min="1" max="${total}" required inputmode="numeric"></label>
      <button class="btn btn-ghost btn-icon im-chapter-del" type="button" aria-label="Remove this chapter"><svg class="i i-s" aria-hidden="true"><use href="/static/icons.svg#trash"/></svg></button>`;
    const [title, start] = li.querySelectorAll("input");
    title.value = ch?.title ?? "";
    start.value = ch ? ch.index + 1 : Math.min(total, (chapters.at(-1)?.index ?? -1) + 2);
    li.querySelector(".im-chapter-del").addEventListener("click", () => {
      li.remove();
    });
    rows.append(li);
    return li;
  }

  opener.addEventListener("click", () => {
    rows.replaceChildren();
    formError(form, "");
    chapters.forEach((ch) => row(ch));
    if (!chapters.length) row();
    dialog.showModal();
  }, { signal });
  form.querySelector("[data-chapter-add]").addEventListener("click", () => {
    row().querySelector("input").focus();
  }, { signal });

  form.addEventListener("submit", async (e) => {
    if (e.submitter?.value !== "ok") return;
    e.preventDefault();
    const wanted = [];
    for (const li of rows.children) {
      const [title, start] = li.querySelectorAll("input");
      const index = Number(start.value) - 1;
      if (!title.value.trim()) return formError(form, "Every chapter needs a title.");
      if (!Number.isInteger(index) || index < 0 || index >= total) {
        return formError(form, `A chapter starts at an image from 1 to ${total}.`);
      }
      wanted.push({ id: li.dataset.id, title: title.value.trim(), imageIndex: index });
    }
    const keep = new Set(wanted.filter((w) => w.id).map((w) => w.id));
    try {
      for (const ch of chapters) if (!keep.has(ch.id)) await del(`/api/galleries/${galleryId}/chapters/${ch.id}`);
      for (const w of wanted) {
        const before = chapters.find((c) => c.id === w.id);
        if (!w.id) await post(`/api/galleries/${galleryId}/chapters`, { title: w.title, imageIndex: w.imageIndex });
        else if (before.title !== w.title || before.index !== w.imageIndex) {
          await patch(`/api/galleries/${galleryId}/chapters/${w.id}`, { title: w.title, imageIndex: w.imageIndex });
        }
      }
      dialog.close();
      toast("Chapters saved.", "ok");
      navigate(location.pathname + location.search, { push: false, scrollY: window.scrollY });
    } catch (err) {
      formError(form, err.message);
    }
  }, { signal });
}
