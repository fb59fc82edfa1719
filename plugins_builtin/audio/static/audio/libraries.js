// The audio grid (/audio): search as you type and sort, kept in the URL (pushState for a new
// search, replaceState while typing), the results region swapped in place; "Show more" appends the
// next page of libraries. Back/forward restore the state (the page handles its own history).

import { highlight, readTracks, wireTracks } from "./tracklist.js";

const TYPE_DELAY_MS = 250;

export function mount({ root, signal }) {
  const form = root.querySelector("[data-audio-filters]");
  const results = root.querySelector("#audio-results");
  if (!form || !results) return undefined;
  const search = form.elements.search;
  const sort = form.elements.sort;
  let timer = 0;
  let request = null;
  let lists = null; // the AbortController of the current results' track list wiring

  function wire() {
    lists?.abort();
    lists = new AbortController();
    signal.addEventListener("abort", () => lists.abort(), { once: true });
    if (results.querySelector("[data-track-list]")) wireTracks(results, lists.signal, readTracks(results));
    highlight(results);
  }

  function urlFor() {
    const params = new URLSearchParams();
    const q = search.value.trim();
    if (q) params.set("search", q);
    if (sort.value && sort.value !== "title") params.set("sort", sort.value);
    const qs = params.toString();
    return `/audio${qs ? `?${qs}` : ""}`;
  }

  async function load(url, { push = false, replace = false } = {}) {
    request?.abort();
    request = new AbortController();
    results.setAttribute("aria-busy", "true");
    try {
      const resp = await fetch(url, { signal: request.signal, headers: { Accept: "text/html" } });
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      const fresh = doc.getElementById("audio-results");
      if (!fresh || signal.aborted) return;
      results.replaceChildren(...fresh.childNodes);
      document.title = doc.title;
      if (push) history.pushState({ obscuraPage: true }, "", url);
      else if (replace) history.replaceState(history.state, "", url);
      wire();
    } catch (err) {
      if (err.name !== "AbortError") location.assign(url);
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  let typing = false; // the first keystroke of a search pushes a history entry, the next ones replace it
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      load(urlFor(), typing ? { replace: true } : { push: true });
      typing = true;
    }, TYPE_DELAY_MS);
  }, { signal });
  search.addEventListener("blur", () => { typing = false; }, { signal });
  sort.addEventListener("change", () => load(urlFor(), { push: true }), { signal });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    typing = false;
    load(urlFor(), { replace: true });
  }, { signal });

  results.addEventListener("click", async (e) => {
    const more = e.target.closest("[data-more]");
    if (!more) return;
    e.preventDefault();
    more.setAttribute("aria-disabled", "true");
    try {
      const resp = await fetch(more.href, { headers: { Accept: "text/html" }, signal });
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      const grid = results.querySelector("[data-grid]");
      const first = grid.children.length;
      grid.append(...doc.querySelectorAll("#audio-results [data-grid] > li"));
      const next = doc.querySelector("#audio-results [data-more]");
      if (next) more.href = next.href;
      else more.closest(".al-more")?.remove();
      more.removeAttribute("aria-disabled");
      grid.children[first]?.querySelector("a")?.focus();
    } catch (err) {
      if (err.name !== "AbortError") location.assign(more.href);
    }
  }, { signal });

  window.addEventListener("popstate", () => {
    if (location.pathname !== "/audio") return;
    const params = new URLSearchParams(location.search);
    search.value = params.get("search") || "";
    sort.value = params.get("sort") || "title";
    load(location.pathname + location.search);
  }, { signal });
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    request?.abort();
  });

  wire();
  return { handlesHistory: true };
}
