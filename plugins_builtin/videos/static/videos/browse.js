// /videos: the filter bar, views and paging. All state lives in the query string: a change pushes a
// new URL and swaps the results region for /videos/fragments/results?<same query>; back/forward
// restore the controls and the results. Further pages are htmx "Load more" slots, clicked for the
// user when they come near the viewport. Page contract: see /static/js/navigate.js.
import { get, post } from "/static/js/api.js";
import { toast } from "/static/js/ui.js";
import { installPreviews } from "./previews.js";
import { installUpload } from "./upload.js";

const FILTER_KEYS = [
  "search", "kind", "series", "season", "resolution", "codec", "durationMin", "durationMax",
  "dateFrom", "dateTo", "ratingMin", "ratingMax", "organized", "played", "root", "tags", "performers", "studio",
];
const RANGES = [["durationMin", "durationMax"], ["ratingMin", "ratingMax"], ["dateFrom", "dateTo"]];
const DEFAULT_DESC = new Set(["recent", "rating", "date", "plays", "size", "duration"]);
const ORDER_WORDS = { // sort → [descending, ascending], as the server words them
  recent: ["Newest first", "Oldest first"], title: ["Z to A", "A to Z"], duration: ["Longest first", "Shortest first"],
  size: ["Largest first", "Smallest first"], rating: ["Highest first", "Lowest first"], date: ["Newest first", "Oldest first"],
  plays: ["Most played", "Least played"], episode: ["Reverse order", "In order"],
};
const SEARCH_DEBOUNCE_MS = 300;
const PATH = "/videos";

const current = () => new URLSearchParams(location.search);

function setParam(p, key, value) {
  if (value === undefined || value === null || value === "") p.delete(key);
  else p.set(key, value);
}

function hrefFor(p) {
  const q = new URLSearchParams(p);
  q.delete("cursor");
  q.delete("page");
  const qs = q.toString();
  return PATH + (qs ? `?${qs}` : "");
}

function selectValue(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(new Option(value, value));
  select.value = value;
}

function modified(e) {
  return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
}

export function mount({ root, signal }) {
  const form = root.querySelector("#vb-filters");
  const host = root.querySelector("#results");
  if (!form || !host) return {};
  const search = form.elements.namedItem("search");
  const on = (target, type, fn, opts = {}) => target.addEventListener(type, fn, { ...opts, signal });
  let seq = 0;
  let searchTimer = 0;
  signal.addEventListener("abort", () => {
    clearTimeout(searchTimer);
    io?.disconnect();
  });

  // ---------------------------------------------------------------------------- state ⇄ page

  // Push (or replace) the state in the address bar and render it.
  function go(p, { replace = false } = {}) {
    const url = hrefFor(p);
    if (url !== location.pathname + location.search) {
      history[replace ? "replaceState" : "pushState"]({ obscuraVideos: true, scrollY: 0 }, "", url);
    }
    sync(current());
    return refresh();
  }

  // Re-render the results region for the current address (also after uploads and scans).
  async function refresh() {
    const mine = ++seq;
    const qs = location.search;
    host.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(`${PATH}/fragments/results${qs}`, { headers: { Accept: "text/html" } });
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      const html = await res.text();
      if (mine !== seq || signal.aborted) return;
      host.innerHTML = html;
      host.dataset.rendered = qs;
      window.htmx?.process(host);
      afterRender();
    } catch (err) {
      if (mine === seq && !signal.aborted) toast(`Could not load the videos: ${err.message}.`, "error");
    } finally {
      if (mine === seq) host.removeAttribute("aria-busy");
    }
  }

  // Controls ← state (after a change, on back/forward).
  function sync(p) {
    for (const el of form.querySelectorAll("select[name], input[name]")) {
      if (el.type === "hidden") continue;
      if (el === search) {
        const value = p.get("search") ?? "";
        if (el.value.trim() !== value) el.value = value;
      } else if (el.dataset.range) {
        const [a, b] = el.dataset.range.split(",");
        selectValue(el, p.has(a) || p.has(b) ? `${p.get(a) ?? ""}-${p.get(b) ?? ""}` : "");
      } else {
        selectValue(el, p.get(el.name) ?? (el.name === "sort" ? "recent" : ""));
      }
    }
    const view = form.elements.namedItem("view");
    if (view && p.has("view")) view.value = p.get("view");
    // link filters contributed by another plugin (tags, performers, studio): multi-valued
    for (const el of form.querySelectorAll("[data-link-filter]")) el.values = p.getAll(el.dataset.name);

    const sort = p.get("sort") || "recent";
    const desc = p.has("order") ? p.get("order") === "desc" : DEFAULT_DESC.has(sort);
    const order = root.querySelector("[data-order-toggle]");
    if (order) {
      const label = (ORDER_WORDS[sort] ?? ORDER_WORDS.recent)[desc ? 0 : 1];
      order.dataset.order = desc ? "desc" : "asc";
      order.setAttribute("aria-label", `Order: ${label} (switch)`);
      const text = order.querySelector("[data-order-label]");
      if (text) text.textContent = label;
      const flipped = new URLSearchParams(p);
      flipped.set("order", desc ? "asc" : "desc");
      order.href = hrefFor(flipped);
    }

    const keys = new Set(FILTER_KEYS.filter((k) => k !== "search" && p.has(k)));
    for (const [a, b] of RANGES) if (keys.has(a) && keys.has(b)) keys.delete(b);
    const badge = root.querySelector("[data-filter-count]");
    if (badge) {
      badge.textContent = String(keys.size);
      badge.hidden = keys.size === 0;
    }
    for (const link of root.querySelectorAll("[data-view-link]")) {
      const q = new URLSearchParams(p);
      q.set("view", link.dataset.viewLink);
      link.href = hrefFor(q);
    }
  }

  function afterRender() {
    const results = host.querySelector(".vb-results");
    // nothing to filter before the library has videos
    form.hidden = ["no-roots", "no-videos"].includes(results?.dataset.empty);
    const view = results?.dataset.view;
    if (view) {
      for (const link of root.querySelectorAll("[data-view-link]")) {
        link.setAttribute("aria-pressed", String(link.dataset.viewLink === view));
      }
    }
    observeMore(host);
  }

  // ---------------------------------------------------------------------------- infinite scroll

  const io = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        io.unobserve(entry.target);
        if (entry.target.isConnected) window.htmx?.trigger(entry.target, "more");
      }
    }, { rootMargin: "900px 0px" })
    : null;

  function observeMore(el) {
    if (!io || !el) return;
    const found = el.matches?.("[data-autoload]") ? [el] : [];
    found.push(...(el.querySelectorAll?.("[data-autoload]") ?? []));
    for (const slot of found) io.observe(slot);
  }
  on(document, "htmx:load", (e) => host.contains(e.target) && observeMore(e.target));

  // ---------------------------------------------------------------------------- controls

  on(form, "submit", (e) => {
    e.preventDefault();
    clearTimeout(searchTimer);
    const p = current();
    setParam(p, "search", search.value.trim());
    go(p);
  });

  on(search, "input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      const p = current();
      const value = search.value.trim();
      if ((p.get("search") ?? "") === value) return;
      setParam(p, "search", value);
      go(p);
    }, SEARCH_DEBOUNCE_MS);
  });

  // a link filter (tags, performers, studio) changed: {name, values}, repeatable in the query string
  on(form, "obscura:filter", (e) => {
    const { name, values } = e.detail ?? {};
    if (!name) return;
    const p = current();
    p.delete(name);
    for (const value of values ?? []) p.append(name, value);
    go(p);
  });

  on(form, "change", (e) => {
    const el = e.target;
    if (el === search || !el.name) return;
    const p = current();
    if (el.dataset.range) {
      const [a, b] = el.dataset.range.split(",");
      const [lo = "", hi = ""] = el.value ? el.value.split("-") : [];
      setParam(p, a, lo);
      setParam(p, b, hi);
    } else {
      setParam(p, el.name, el.value);
      if (el.name === "sort") p.delete("order");
    }
    go(p);
  });

  on(document, "click", (e) => {
    const target = e.target.closest?.(
      "[data-view-link], [data-remove], [data-clear], [data-sort-col], [data-order-toggle], [data-filters-toggle], [data-scan]",
    );
    if (!target || e.defaultPrevented || !root.contains(target)) return;
    if (target.matches("a") && modified(e)) return; // let "open in a new tab" work
    const p = current();
    if (target.dataset.viewLink) {
      e.preventDefault();
      p.set("view", target.dataset.viewLink);
      go(p);
    } else if (target.dataset.remove !== undefined) {
      e.preventDefault();
      for (const key of target.dataset.remove.split(",")) p.delete(key);
      go(p);
    } else if (target.dataset.clear !== undefined) {
      e.preventDefault();
      for (const key of FILTER_KEYS) p.delete(key);
      go(p);
    } else if (target.dataset.sortCol) {
      e.preventDefault();
      const sort = p.get("sort") || "recent";
      const key = target.dataset.sortCol;
      if (sort === key) {
        const desc = p.has("order") ? p.get("order") === "desc" : DEFAULT_DESC.has(sort);
        p.set("order", desc ? "asc" : "desc");
      } else {
        p.set("sort", key);
        p.delete("order");
      }
      go(p);
    } else if (target.dataset.orderToggle !== undefined) {
      e.preventDefault();
      p.set("order", target.dataset.order === "desc" ? "asc" : "desc");
      go(p);
    } else if (target.dataset.filtersToggle !== undefined) {
      const open = !form.classList.contains("is-open");
      form.classList.toggle("is-open", open);
      target.setAttribute("aria-expanded", String(open));
    } else if (target.dataset.scan !== undefined) {
      scan(target);
    }
  });

  on(window, "popstate", () => {
    if (location.pathname !== PATH) return; // another page's entry: the shell navigates
    clearTimeout(searchTimer);
    sync(current());
    refresh();
  });

  // "/" jumps to the search box (Ctrl/⌘-K stays the global palette)
  on(document, "keydown", (e) => {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    const el = document.activeElement;
    if (el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.tagName))) return;
    if (document.querySelector("dialog[open]")) return;
    e.preventDefault();
    search.focus();
    search.select();
  });

  // With many series the select starts empty and loads them the first time it is used.
  const lazySeries = form.querySelector("[data-lazy-series]");
  if (lazySeries) {
    const load = async () => {
      lazySeries.removeAttribute("data-lazy-series");
      try {
        const data = await get("/api/series?perPage=500");
        const have = new Set([...lazySeries.options].map((o) => o.value));
        for (const s of data.items) if (!have.has(s.id)) lazySeries.append(new Option(s.title, s.id));
      } catch (err) {
        toast(`Could not list the series: ${err.message}`, "error");
      }
    };
    on(lazySeries, "focus", load, { once: true });
    on(lazySeries, "pointerdown", load, { once: true });
  }

  // ---------------------------------------------------------------------------- scanning

  async function scan(button) {
    const box = button.closest(".empty") ?? root;
    const status = box.querySelector("[data-scan-status]");
    const label = button.querySelector("span");
    const say = (text) => {
      if (status?.isConnected) {
        status.hidden = false;
        status.textContent = text;
      }
    };
    const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    button.disabled = true;
    label?.replaceChildren("Scanning…");
    try {
      const { enqueued } = await post("/api/libraries/scan", {});
      if (!enqueued) {
        say("There is nothing to scan: enable a library folder in Settings.");
        button.disabled = false;
        label?.replaceChildren("Scan now");
        return;
      }
      say("Looking for videos in your library folders…");
      const started = Date.now();
      let shown = false;
      while (!signal.aborted && Date.now() - started < 15 * 60_000) {
        await wait(1500);
        if (signal.aborted) return;
        const [jobs, videos] = await Promise.all([
          get("/api/jobs?status=waiting&status=active&perPage=1"),
          get("/api/videos?perPage=1"),
        ]);
        if (!shown && videos.total > 0) {
          shown = true; // the first videos replace the empty state; thumbnails follow
          await refresh();
        }
        if (jobs.total === 0) {
          await refresh();
          const n = videos.total;
          toast(n ? `Scan finished: ${n} video${n === 1 ? "" : "s"} in the library.` : "Scan finished: no video files were found.",
            n ? "ok" : "info");
          return;
        }
        say(`Scanning… ${jobs.total} job${jobs.total === 1 ? "" : "s"} left.`);
      }
    } catch (err) {
      if (signal.aborted) return;
      toast(`The scan could not start: ${err.message}`, "error");
      button.disabled = false;
      label?.replaceChildren("Scan now");
    }
  }

  // ---------------------------------------------------------------------------- start

  host.dataset.rendered = location.search;
  sync(current());
  afterRender();
  installPreviews(signal);
  installUpload({ root, signal, onChange: refresh });
  return { handlesHistory: true };
}
