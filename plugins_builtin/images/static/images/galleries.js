// /galleries: filters and sort live in the query string. A change pushes a new URL and swaps the
// results region for /galleries/fragments/results?<same query>; back/forward restore controls and
// results (the page handles its own history). Further pages load as the user nears the end.
import { post } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";
import { toast } from "/static/js/ui.js";
import { formError, installMore, scanLibrary, typing } from "./common.js";

const FILTER_KEYS = ["search", "kind", "root", "parent", "nested"];
const DEFAULT_DESC = new Set(["recent", "date", "rating", "images"]);
const ORDER_WORDS = {
  title: ["Z to A", "A to Z"], recent: ["Newest first", "Oldest first"], date: ["Newest first", "Oldest first"],
  rating: ["Highest first", "Lowest first"], images: ["Most images", "Fewest images"],
};
const SEARCH_DEBOUNCE_MS = 300;

export function mount({ root, signal }) {
  const form = root.querySelector("#im-filters");
  const host = root.querySelector("#im-results");
  const search = form.elements.namedItem("search");
  let seq = 0;
  let searchTimer = 0;
  signal.addEventListener("abort", () => clearTimeout(searchTimer));

  const current = () => new URLSearchParams(location.search);
  const setParam = (p, key, value) => (value ? p.set(key, value) : p.delete(key));
  const hrefFor = (p) => {
    const q = new URLSearchParams(p);
    q.delete("cursor");
    const qs = q.toString();
    return "/galleries" + (qs ? `?${qs}` : "");
  };

  async function refresh() {
    const mine = ++seq;
    host.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(`/galleries/fragments/results${location.search}`, { headers: { Accept: "text/html" }, signal });
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      const html = await res.text();
      if (mine !== seq) return;
      host.innerHTML = html;
      afterRender();
    } catch (err) {
      if (err.name !== "AbortError" && mine === seq) toast(`Could not load the galleries: ${err.message}.`, "error");
    } finally {
      if (mine === seq) host.removeAttribute("aria-busy");
    }
  }

  function go(p) {
    const url = hrefFor(p);
    if (url !== location.pathname + location.search) history.pushState({ obscuraGalleries: true }, "", url);
    sync(current());
    return refresh();
  }

  // controls ← state (after a change, on back/forward)
  function sync(p) {
    if (search.value.trim() !== (p.get("search") ?? "")) search.value = p.get("search") ?? "";
    for (const select of form.querySelectorAll("select[name]")) {
      select.value = p.get(select.name) ?? (select.name === "sort" ? "title" : "");
    }
    const nested = form.elements.namedItem("nested");
    nested.checked = p.has("nested");
    nested.disabled = p.has("search") || p.has("parent");
    const parent = form.querySelector("input[name=parent]");
    if (parent && !p.has("parent")) parent.remove();
    const sort = p.get("sort") || "title";
    const desc = p.has("order") ? p.get("order") === "desc" : DEFAULT_DESC.has(sort);
    const order = form.querySelector("[data-order-toggle]");
    const label = (ORDER_WORDS[sort] ?? ORDER_WORDS.title)[desc ? 0 : 1];
    order.dataset.order = desc ? "desc" : "asc";
    order.setAttribute("aria-label", `Order: ${label} (switch)`);
    order.querySelector("[data-order-label]").textContent = label;
    const flipped = new URLSearchParams(p);
    flipped.set("order", desc ? "asc" : "desc");
    order.href = hrefFor(flipped);
  }

  let more = null;
  function afterRender() {
    const results = host.querySelector(".im-results");
    form.hidden = ["no-roots", "no-image-roots", "no-galleries"].includes(results?.dataset.empty);
    more?.observe(host);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(searchTimer);
    const p = current();
    setParam(p, "search", search.value.trim());
    go(p);
  }, { signal });

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      const p = current();
      const value = search.value.trim();
      if ((p.get("search") ?? "") === value) return;
      setParam(p, "search", value);
      go(p);
    }, SEARCH_DEBOUNCE_MS);
  }, { signal });

  form.addEventListener("change", (e) => {
    const el = e.target;
    if (el === search || !el.name) return;
    const p = current();
    if (el.type === "checkbox") setParam(p, el.name, el.checked ? "1" : "");
    else setParam(p, el.name, el.value);
    if (el.name === "sort") p.delete("order");
    go(p);
  }, { signal });

  root.addEventListener("click", (e) => {
    const target = e.target.closest("[data-remove], [data-clear], [data-order-toggle], [data-scan], [data-new-collection]");
    if (!target || e.defaultPrevented) return;
    if (target.matches("a") && (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)) return;
    const p = current();
    if (target.dataset.remove !== undefined) {
      e.preventDefault();
      for (const key of target.dataset.remove.split(",")) p.delete(key);
      go(p);
    } else if (target.dataset.clear !== undefined) {
      e.preventDefault();
      for (const key of FILTER_KEYS) p.delete(key);
      go(p);
    } else if (target.dataset.orderToggle !== undefined) {
      e.preventDefault();
      p.set("order", target.dataset.order === "desc" ? "asc" : "desc");
      go(p);
    } else if (target.dataset.scan !== undefined) {
      scanLibrary(target, refresh, signal);
    } else if (target.dataset.newCollection !== undefined) {
      newCollection();
    }
  }, { signal });

  window.addEventListener("popstate", () => {
    if (location.pathname !== "/galleries") return;
    sync(current());
    refresh();
  }, { signal });

  // "/" jumps to the search box (Ctrl/⌘-K stays the global palette)
  document.addEventListener("keydown", (e) => {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || typing(e) || document.querySelector("dialog[open]")) return;
    if (form.hidden) return;
    e.preventDefault();
    search.focus();
    search.select();
  }, { signal });

  // ------------------------------------------------------------------ new collection
  const dialog = root.querySelector("#im-collection-dialog");
  const dform = dialog.querySelector("form");
  function newCollection() {
    dform.reset();
    formError(dform, "");
    dialog.showModal();
  }
  dform.addEventListener("submit", async (e) => {
    if (e.submitter?.value !== "ok") return;
    e.preventDefault();
    const title = dform.elements.title.value.trim();
    if (!title) {
      formError(dform, "Give the collection a name.");
      return;
    }
    try {
      const created = await post("/api/galleries", { title });
      dialog.close();
      toast(`Created the collection “${created.title}”.`, "ok");
      navigate(`/galleries/${created.id}`);
    } catch (err) {
      formError(dform, err.message);
    }
  }, { signal });

  history.replaceState({ ...(history.state || {}), obscuraGalleries: true }, "", location.href);
  more = installMore(host, signal);
  afterRender();
  host.dataset.ready = "true";
  return { handlesHistory: true };
}
