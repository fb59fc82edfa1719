// Uploads into a folder gallery: drop image files anywhere on the page (an overlay says where they
// go) or choose them; one multipart request with a progress bar; the new images join the grid and
// their thumbnails follow when the worker has made them.
import { upload } from "/static/js/api.js";
import { dropFiles } from "/static/js/drop.js";
import { plural } from "/static/js/format.js";
import { toast } from "/static/js/ui.js";

const EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic", ".heif", ".bmp", ".tif", ".tiff"]);

const isImage = (file) => {
  const dot = file.name.lastIndexOf(".");
  return EXTENSIONS.has(dot >= 0 ? file.name.slice(dot).toLowerCase() : "");
};

export function installUpload({ root, signal, galleryId, onUploaded }) {
  const overlay = root.querySelector("#im-drop");
  const input = root.querySelector("#im-upload-input");
  const tray = root.querySelector("#im-tray");
  if (!overlay || !input || !tray) return;
  const bar = tray.querySelector(".progress");
  const title = tray.querySelector("[data-tray-title]");
  const text = tray.querySelector("[data-tray-text]");
  let busy = false;

  const show = (on) => {
    overlay.hidden = !on;
    document.documentElement.classList.toggle("im-dragging", on);
  };
  dropFiles({ signal, onHover: show, onDrop: send });
  signal.addEventListener("abort", () => document.documentElement.classList.remove("im-dragging"));

  root.addEventListener("click", (e) => {
    if (e.target.closest("[data-upload-pick]")) input.click();
    else if (e.target.closest("[data-tray-close]")) tray.hidden = true;
  }, { signal });
  input.addEventListener("change", () => {
    send([...input.files]);
    input.value = "";
  }, { signal });

  function progress(fraction) {
    const pct = Math.round(fraction * 100);
    bar.setAttribute("aria-valuenow", String(pct));
    bar.querySelector("i").style.width = `${pct}%`;
  }

  async function send(files) {
    const images = files.filter(isImage);
    const skipped = files.length - images.length;
    if (!images.length) {
      toast(files.length ? "Only image files can be added to a gallery." : "Nothing to upload.", "error");
      return;
    }
    if (busy) {
      toast("An upload is already running; drop the next files when it is done.", "info");
      return;
    }
    busy = true;
    const words = plural(images.length, "image");
    tray.hidden = false;
    tray.classList.remove("is-done", "is-error");
    title.textContent = `Uploading ${words}`;
    text.textContent = images.map((f) => f.name).slice(0, 3).join(", ") + (images.length > 3 ? "…" : "");
    progress(0);
    const form = new FormData();
    for (const file of images) form.append("file", file, file.name);
    try {
      const created = await upload(`/api/galleries/${galleryId}/images/upload`, form, progress);
      progress(1);
      tray.classList.add("is-done");
      title.textContent = `Added ${words}`;
      text.textContent = "Thumbnails are on their way." + (skipped ? ` ${skipped} file(s) that are not images were left out.` : "");
      toast(`Added ${words} to this gallery.`, "ok");
      if (!signal.aborted) await onUploaded?.(created);
    } catch (err) {
      tray.classList.add("is-error");
      title.textContent = "Upload failed";
      text.textContent = err.message;
      toast(`The upload failed: ${err.message}`, "error");
    } finally {
      busy = false;
    }
  }
}
