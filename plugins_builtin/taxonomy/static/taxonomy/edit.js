// Editing a performer, studio or tag: every field through the kind's PATCH route (blank → cleared,
// lines → lists, parents picked with autocomplete), and the picture (upload, from a URL, remove).
import { ApiError, del, patch, post, upload } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";
import { escapeHtml, toast } from "/static/js/ui.js";
import { ChipPicker } from "./chips.js";

export function mount({ root, signal }) {
  const el = root.querySelector("#tx-edit");
  if (!el) return {};
  const { plural, id } = el.dataset;
  const base = `/api/${plural}/${id}`;
  const on = (target, type, fn) => target?.addEventListener(type, fn, { signal });

  // ---------------------------------------------------------------- fields
  const form = el.querySelector("[data-edit-form]");
  const error = form.querySelector("[data-form-error]");
  const pickers = [];
  for (const host of form.querySelectorAll("[data-parent-picker]")) {
    const picker = new ChipPicker(host, {
      kind: host.dataset.kind, single: host.dataset.single === "true", create: false, exclude: [id],
      values: JSON.parse(host.dataset.values || "[]"), label: host.dataset.label, signal,
    });
    pickers.push([host.dataset.name, picker]);
  }

  function body() {
    const out = {};
    for (const input of form.querySelectorAll("[name][data-type]")) {
      const type = input.dataset.type;
      const raw = type === "checkbox" ? input.checked : input.value;
      if (type === "checkbox") out[input.name] = raw;
      else if (type === "lines") out[input.name] = raw.split("\n").map((s) => s.trim()).filter(Boolean);
      else if (type === "number") out[input.name] = raw.trim() === "" ? null : Number(raw);
      else if (input.name === "name") out.name = raw.trim();
      else out[input.name] = raw.trim() === "" ? null : (type === "textarea" ? raw : raw.trim());
    }
    for (const [name, picker] of pickers) {
      const ids = picker.values.map((v) => v.id).filter(Boolean);
      out[name] = name === "parentId" ? (ids[0] ?? null) : ids;
    }
    return out;
  }

  on(form, "submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    const data = body();
    if (!data.name) {
      error.textContent = "The name cannot be blank.";
      error.hidden = false;
      return;
    }
    const save = form.querySelector("[data-save]");
    save.disabled = true;
    try {
      await patch(base, data);
      toast("Saved.", "ok");
      navigate(`/${plural}/${id}`);
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
      error.hidden = false;
    } finally {
      save.disabled = false;
    }
  });

  // ---------------------------------------------------------------- picture
  const box = el.querySelector("[data-picture]");
  const picError = el.querySelector("[data-picture-error]");
  const remove = el.querySelector("[data-picture-delete]");
  function showPicture(d) {
    box.innerHTML = d.imageUrl
      ? `<img src="${escapeHtml(d.imageUrl)}" alt="Picture of ${escapeHtml(d.name)}">`
      : `<span class="placeholder tx-initial" aria-hidden="true">${escapeHtml(d.name.slice(0, 1).toUpperCase())}</span>`;
    remove.hidden = !d.imageUrl;
    picError.hidden = true;
  }
  async function run(job) {
    picError.hidden = true;
    box.classList.add("is-busy");
    try {
      showPicture(await job());
    } catch (err) {
      picError.textContent = err.message;
      picError.hidden = false;
    } finally {
      box.classList.remove("is-busy");
    }
  }
  on(el.querySelector("[data-picture-file]"), "change", (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    run(() => upload(`${base}/image`, data));
    e.target.value = "";
  });
  const urlForm = el.querySelector("[data-picture-url-form]");
  on(urlForm, "submit", (e) => {
    e.preventDefault();
    const url = urlForm.elements.namedItem("url").value.trim();
    if (!url) return;
    run(() => post(`${base}/image/from-url`, { url })).then(() => urlForm.reset());
  });
  on(remove, "click", () => run(() => del(`${base}/image`)).then(() => toast("Picture removed.", "ok")));
  return {};
}
