// /performers, /studios, /tags: list pages (/static/js/listpage.js: search, favourite filter, sort,
// order and numbered pages in the query string, results from /<plural>/fragments/results). What is
// this page's own: "New …", which creates an entry and opens its edit page.
import { post } from "/static/js/api.js";
import { listPage } from "/static/js/listpage.js";
import { navigate } from "/static/js/navigate.js";
import { toast } from "/static/js/ui.js";

const ORDER_WORDS = ["Descending", "Ascending"];

export function mount({ root, signal }) {
  const form = root.querySelector("[data-grid-form]");
  if (!form || !root.querySelector("#tx-results")) return {};
  const path = form.dataset.path;
  const list = listPage({
    root, signal, path, form, results: "#tx-results", noun: "list",
    defaults: { sort: "name" },
    omitDefaults: true,
    order: { words: () => ORDER_WORDS, descending: (sort) => sort !== "name" },
    hideWhenEmpty: ["none-yet"],
    delay: 250,
  });
  const { on } = list;

  // ------------------------------------------------------------------ create
  const dialog = root.querySelector("#tx-create");
  const createForm = dialog.querySelector("[data-create-form]");
  const error = createForm.querySelector("[data-form-error]");
  on(root, "click", (e) => {
    if (!e.target.closest?.("[data-create]")) return;
    createForm.reset();
    error.hidden = true;
    dialog.showModal();
    createForm.elements.namedItem("name").focus();
  });
  on(createForm, "submit", async (e) => {
    if (e.submitter?.value === "cancel") return;
    e.preventDefault();
    const name = createForm.elements.namedItem("name").value.trim();
    if (!name) {
      error.textContent = "Give it a name.";
      error.hidden = false;
      return;
    }
    const save = createForm.querySelector("[data-save]");
    save.disabled = true;
    try {
      const created = await post(`/api${path}`, { name });
      dialog.close();
      toast(`Created “${created.name}”.`, "ok");
      navigate(`${path}/${created.id}/edit`);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      save.disabled = false;
    }
  });

  return list.start();
}
