// The collections grid (/collections): "New collection" opens a dialog, creates the collection
// through the API and opens it; a cover that fails to load (no thumbnails yet) shows the placeholder.

import { post } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";

export function mount({ root, signal }) {
  const dialog = root.querySelector("[data-create-dialog]");
  const form = root.querySelector("[data-create-form]");
  const error = root.querySelector("[data-create-error]");

  root.addEventListener("click", (e) => {
    if (e.target.closest("[data-new-collection]")) {
      form.reset();
      error.hidden = true;
      dialog.showModal();
      form.elements.name.focus();
    } else if (e.target.closest("[data-cancel]")) {
      dialog.close();
    }
  }, { signal });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const body = { name: String(data.get("name") || "").trim(), mode: data.get("mode") };
    const description = String(data.get("description") || "").trim();
    if (description) body.description = description;
    const submit = form.querySelector("[data-create-submit]");
    submit.disabled = true;
    try {
      const created = await post("/api/collections", body);
      dialog.close();
      const tab = body.mode === "manual" ? "" : "#rules";
      await navigate(`/collections/${created.id}${tab}`);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  }, { signal });

  for (const img of root.querySelectorAll("img[data-cover]")) {
    const fail = () => {
      img.hidden = true;
      img.parentElement.querySelector(".placeholder").hidden = false;
    };
    if (img.complete && !img.naturalWidth) fail();
    else img.addEventListener("error", fail, { once: true, signal });
  }
}
