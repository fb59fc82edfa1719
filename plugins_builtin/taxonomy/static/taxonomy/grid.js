// /performers, /studios, /tags: search, favourite filter, sort and order, pages — all in the query
// string. A change pushes the new URL and swaps the results region (?fragment=results); back and
// forward restore both. "New …" creates an entry and opens its edit page.
import { post } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";
import { toast } from "/static/js/ui.js";

const SEARCH_DEBOUNCE_MS = 250;

export function mount({ root, signal }) {
  const form = root.querySelector("[data-grid-form]");
  const host = root.querySelector("#tx-results");
  if (!form || !host) return {};
  const path = form.dataset.path;
  const search = form.elements.namedItem("search");
  const on = (target, type, fn) => target.addEventListener(type, fn, { signal });
  let seq = 0;
  let timer = 0;
  signal.addEventListener("abort", () => clearTimeout(timer));

  const current = () => new URLSearchParams(location.search);

  function go(p) {
    p.delete("page");
    return show(p, true);
  }

  async function show(p, push) {
    const qs = p.toString();
    const url = path + (qs ? `?${qs}` : "");
    if (push && url !== location.pathname + location.search) history.pushState({ obscuraGrid: true }, "", url);
    sync(p);
    const mine = ++seq;
    host.setAttribute("aria-busy", "true");
    try {
      const fq = new URLSearchParams(p);
      fq.set("fragment", "results");
      const res = await fetch(`${path}?${fq}`, { headers: { Accept: "text/html" } });
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      const html = await res.text();
      if (mine !== seq || signal.aborted) return;
      host.innerHTML = html;
      const results = host.querySelector(".tx-results");
      form.hidden = results?.dataset.empty === "none-yet";
    } catch (err) {
      if (mine === seq && !signal.aborted) toast(`Could not load the list: ${err.message}.`, "error");
    } finally {
      if (mine === seq) host.removeAttribute("aria-busy");
    }
  }

  function sync(p) {
    if (search.value.trim() !== (p.get("search") ?? "")) search.value = p.get("search") ?? "";
    form.elements.namedItem("favorite").checked = p.get("favorite") === "true";
    const sort = p.get("sort") || "name";
    form.elements.namedItem("sort").value = sort;
    const desc = p.has("order") ? p.get("order") === "desc" : sort !== "name";
    const order = form.querySelector("[data-order]");
    order.dataset.order = desc ? "desc" : "asc";
    order.setAttribute("aria-label", `Order: ${desc ? "descending" : "ascending"} (switch)`);
    order.querySelector("span").textContent = desc ? "Descending" : "Ascending";
  }

  on(form, "submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    const p = current();
    setParam(p, "search", search.value.trim());
    go(p);
  });
  on(search, "input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const p = current();
      if ((p.get("search") ?? "") === search.value.trim()) return;
      setParam(p, "search", search.value.trim());
      go(p);
    }, SEARCH_DEBOUNCE_MS);
  });
  on(form, "change", (e) => {
    const el = e.target;
    if (el === search) return;
    const p = current();
    if (el.name === "favorite") setParam(p, "favorite", el.checked ? "true" : "");
    if (el.name === "sort") {
      setParam(p, "sort", el.value === "name" ? "" : el.value);
      p.delete("order");
    }
    go(p);
  });
  on(form.querySelector("[data-order]"), "click", (e) => {
    const p = current();
    p.set("order", e.currentTarget.dataset.order === "desc" ? "asc" : "desc");
    go(p);
  });
  on(root, "click", (e) => {
    const link = e.target.closest?.("[data-page-link], [data-clear]");
    if (link && !e.metaKey && !e.ctrlKey && !e.shiftKey) {
      e.preventDefault();
      const p = link.dataset.clear !== undefined ? new URLSearchParams() : new URL(link.href).searchParams;
      show(p, true).then(() => window.scrollTo(0, 0));
      return;
    }
    if (e.target.closest?.("[data-create]")) openCreate();
  });
  on(window, "popstate", () => {
    if (location.pathname !== path) return;
    show(current(), false);
  });

  // ------------------------------------------------------------------ create
  const dialog = root.querySelector("#tx-create");
  const createForm = dialog.querySelector("[data-create-form]");
  const error = createForm.querySelector("[data-form-error]");
  function openCreate() {
    createForm.reset();
    error.hidden = true;
    dialog.showModal();
    createForm.elements.namedItem("name").focus();
  }
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

  return { handlesHistory: true };
}

function setParam(p, key, value) {
  if (value) p.set(key, value);
  else p.delete(key);
}
