// The library page (/audio/libraries/<id>): track list actions (tracklist.js) and uploads — drop
// audio files anywhere on the page, or use the Upload button. Uploaded tracks are added to the
// library's folder and read in the background; the page reloads its content when they are in.

import { upload } from "/static/js/api.js";
import { dropFiles } from "/static/js/drop.js";
import { plural } from "/static/js/format.js";
import { navigate } from "/static/js/navigate.js";
import { toast } from "/static/js/ui.js";
import { wireTracks } from "./tracklist.js";

function wireUpload(root, signal) {
  const zone = root.querySelector("[data-drop-zone]");
  const input = root.querySelector("[data-upload-input]");
  const libraryId = root.querySelector("[data-library-id]")?.dataset.libraryId;
  if (!zone || !input || !libraryId) return;
  const status = root.querySelector("[data-upload-status]");
  const text = root.querySelector("[data-upload-text]");
  const bar = root.querySelector("[data-upload-bar]");
  const accept = input.accept.split(",").filter((x) => x.startsWith("."));
  let busy = false;

  async function send(files) {
    const list = [...files];
    if (!list.length || busy) return;
    const wrong = list.filter((f) => !accept.some((ext) => f.name.toLowerCase().endsWith(ext)));
    if (wrong.length) {
      toast(`Not an audio file Obscura indexes: ${wrong.map((f) => f.name).join(", ")}`, "error", 6000);
      return;
    }
    busy = true;
    const form = new FormData();
    for (const f of list) form.append("file", f, f.name);
    status.hidden = false;
    text.textContent = `Uploading ${plural(list.length, "file")}…`;
    bar.style.width = "0%";
    try {
      const created = await upload(`/api/audio-libraries/${encodeURIComponent(libraryId)}/tracks/upload`, form, (f) => {
        bar.style.width = `${Math.round(f * 100)}%`;
      });
      toast(`${plural(created.length, "track")} added; reading their tags…`, "ok");
      if (!signal.aborted) navigate(location.href, { push: false, scrollY: window.scrollY });
    } catch (err) {
      toast(err.message, "error", 6000);
    } finally {
      busy = false;
      status.hidden = true;
    }
  }

  root.addEventListener("click", (e) => {
    if (e.target.closest("[data-upload-open]")) input.click();
  }, { signal });
  input.addEventListener("change", () => {
    send(input.files);
    input.value = "";
  }, { signal });

  // the whole page is the drop target; the track section shows where the files go
  dropFiles({
    signal,
    target: document,
    onHover: (on) => zone.classList.toggle("is-dragging", on),
    onDrop: send,
  });
}

export function mount({ root, signal }) {
  wireTracks(root, signal);
  wireUpload(root, signal);
}
