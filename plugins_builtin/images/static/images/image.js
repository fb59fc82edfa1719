// An image's page: the edit form, full-screen zoom in the lightbox, ←/→ for the previous and next
// image of the gallery, "use as cover" and delete.
import { del, patch, post } from "/static/js/api.js";
import { starsHtml } from "/static/js/format.js";
import { navigate } from "/static/js/navigate.js";
import { confirmDialog, toast, typingIn } from "/static/js/ui.js";
import { formError, ratingOf } from "./common.js";
import { openLightbox, viewFromHash } from "./lightbox.js";

export function mount({ root, signal }) {
  const el = root.querySelector("#im-image");
  const id = el.dataset.image;
  const form = root.querySelector("[data-image-form]");
  const saved = form.querySelector("[data-saved]");
  let savedTimer = 0;
  signal.addEventListener("abort", () => clearTimeout(savedTimer));

  // ------------------------------------------------------------------ edit
  form.elements.title.addEventListener("input", () => {
    if (!form.elements.title.value.trim()) return;
    form.elements.title.removeAttribute("aria-invalid");
    formError(form, "");
  }, { signal });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const title = form.elements.title.value.trim();
    if (!title) {
      form.elements.title.setAttribute("aria-invalid", "true");
      formError(form, "The title cannot be empty.");
      form.elements.title.focus();
      return;
    }
    form.elements.title.removeAttribute("aria-invalid");
    formError(form, "");
    const button = form.querySelector("[data-save]");
    button.disabled = true;
    try {
      const image = await patch(`/api/images/${id}`, {
        title,
        details: form.elements.details.value.trim() || null,
        date: form.elements.date.value || null,
        rating: ratingOf(form),
        organized: form.elements.organized.checked,
        isNsfw: form.elements.isNsfw.checked,
      });
      root.querySelector("[data-field=title]").textContent = image.title;
      document.title = `${image.title} · Obscura`;
      const stars = root.querySelector("[data-field=stars]");
      stars.innerHTML = starsHtml(image.rating, "im-stars");
      stars.hidden = image.rating === null;
      root.querySelector("[data-field=organized]").hidden = !image.organized;
      root.querySelector("[data-field=nsfw]").hidden = !image.isNsfw;
      const img = root.querySelector("[data-stage-img]");
      if (img) img.alt = image.title;
      saved.textContent = "Saved";
      clearTimeout(savedTimer);
      savedTimer = setTimeout(() => (saved.textContent = ""), 3000);
    } catch (err) {
      formError(form, err.message);
    } finally {
      button.disabled = false;
    }
  }, { signal });

  // ------------------------------------------------------------------ full screen
  const raw = {
    id,
    title: root.querySelector("[data-field=title]").textContent,
    width: Number(el.dataset.w) || null,
    height: Number(el.dataset.h) || null,
    thumb: null,
    preview: el.dataset.preview ?? null,
    file: el.dataset.file,
    zoomable: "zoom" in el.dataset,
    animated: "anim" in el.dataset,
  };
  let lightbox = null;
  const open = (fromHistory = false) => {
    if (lightbox) return;
    raw.title = root.querySelector("[data-field=title]").textContent;
    const stage = root.querySelector("[data-stage-img]");
    lightbox = openLightbox({
      source: { total: 1, item: () => raw, load: async () => {} },
      index: 0,
      signal,
      fromHistory,
      thumbFor: () => stage,
    });
    lightbox.on("destroy", () => {
      lightbox = null;
    });
  };
  root.querySelector("[data-zoom-open]")?.addEventListener("click", () => open(), { signal });
  window.addEventListener("popstate", () => {
    if (viewFromHash() !== null) open(true);
  }, { signal });
  if (viewFromHash() !== null && root.querySelector("[data-zoom-open]")) open(true);

  const stageImg = root.querySelector("[data-stage-img]");
  stageImg?.addEventListener("error", () => {
    stageImg.closest(".im-stage-btn").hidden = true;
    root.querySelector("[data-stage-error]").hidden = false;
  }, { signal });

  // ------------------------------------------------------------------ previous / next
  document.addEventListener("keydown", (e) => {
    if (lightbox || typingIn(e) || e.altKey || e.ctrlKey || e.metaKey || document.querySelector("dialog[open]")) return;
    const to = e.key === "ArrowLeft" ? el.dataset.prev : e.key === "ArrowRight" ? el.dataset.next : null;
    if (!to) return;
    e.preventDefault();
    navigate(to);
  }, { signal });

  // ------------------------------------------------------------------ cover, delete
  root.querySelector("[data-set-cover]")?.addEventListener("click", async (e) => {
    const button = e.currentTarget;
    try {
      await post(`/api/galleries/${el.dataset.gallery}/cover`, { imageId: id });
      button.disabled = true;
      button.querySelector("span").textContent = "Gallery cover";
      toast("This image is now the gallery's cover.", "ok");
    } catch (err) {
      toast(`Could not set the cover: ${err.message}`, "error");
    }
  }, { signal });

  root.querySelector("[data-delete]")?.addEventListener("click", async (e) => {
    const inArchive = Boolean(e.currentTarget.dataset.member);
    let box = null;
    if (!inArchive) {
      box = document.createElement("label");
      box.className = "switch";
      box.innerHTML = '<input type="checkbox" name="deleteFile"><span>Also delete the file from disk</span>';
    }
    const ok = await confirmDialog({
      title: "Delete this image?",
      message: inArchive
        ? "It is removed from Obscura; the archive it lives in is not changed, so a scan brings it back."
        : "It is removed from Obscura. Unless you delete the file too, the next scan finds it again.",
      confirmLabel: "Delete",
      danger: true,
      extra: box,
    });
    if (!ok) return;
    const deleteFile = Boolean(box?.querySelector("input").checked);
    try {
      await del(`/api/images/${id}${deleteFile ? "?deleteFile=true" : ""}`);
      toast(deleteFile ? "Deleted the image and its file." : "Deleted the image.", "ok");
      navigate(el.dataset.gallery ? `/galleries/${el.dataset.gallery}` : "/galleries");
    } catch (err) {
      toast(`Could not delete the image: ${err.message}`, "error");
    }
  }, { signal });
  el.dataset.ready = "true";
}
