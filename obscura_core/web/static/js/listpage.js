// List pages: a results region driven by filters kept in the query string (/videos, /galleries,
// /audio, /performers, /studios, /tags). A page module builds one controller in its mount() and keeps
// only what is its own (extra controls, dialogs, what to wire in fresh results).
//
// The fragment convention. A list page at PATH renders its first results on the server inside its
// results element, and serves that region alone (no layout) at
//
//     GET PATH/fragments/results?<the page's own query string>
//
// The region's outer element may carry data-empty="<state>" (an empty state; the filter form hides
// for the states named in hideWhenEmpty) and data-title="…" (document.title for that state).
// "Load more" slots and numbered pages are links to the page itself (the accessible fallback);
// autoload() below fetches slots as they near the viewport.
//
// State. Everything lives in the address's query string; a named control of the filter form is the
// parameter of the same name: the search box (name="search"), a select or text field (its value;
// "" drops the parameter), a checkbox (its value while checked), a select with data-range="a,b"
// (its value "lo-hi" spans two parameters), an element with data-link-filter data-name="x" (multi-
// valued: it dispatches "obscura:filter" {name, values}, and gets .values back). Other state links:
// [data-remove], [data-clear] and [data-page-link] anchors (and the page's `links`) go to their own
// href; [data-order-toggle] flips asc ⇄ desc. A new state drops the paging parameters (cursor,
// page), except a page link's.
//
// History. An explicit change (submit, a control, a link) pushes an entry; the search box applies
// after `delay` ms of quiet, and a burst of typing pushes one entry then replaces it, so Back skips
// the words in between. Back and forward restore the controls and the results.
//
// Requests. One results request at a time: a newer state aborts the one in flight (AbortController),
// and so does leaving the page. The results element gets aria-busy while loading, and
// data-rendered="<query string>" once it shows a state.
//
// The page contract (navigate.js): mount({root, signal, url}) passes `signal` here; every listener
// this module puts on document/window and every timer it starts ends with it. mount returns
// list.start(), which is {handlesHistory: true}: back/forward within the page are the page's.
import { get, post } from "./api.js";
import { plural } from "./format.js";
import { toast, typingIn } from "./ui.js";

const PAGING = ["cursor", "page"];
const STATE_LINKS = "[data-remove], [data-clear], [data-page-link]";
const OFF = new Set(["", "0", "false", "no", "off"]);

/** Set `key` to `value`, or drop it when the value is empty. */
export function setParam(p, key, value) {
  if (value === undefined || value === null || value === "") p.delete(key);
  else p.set(key, value);
}

/** A click the browser should keep (open in a new tab or window, download). */
export function modifiedClick(e) {
  return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
}

/** A promise resolved after `ms`, or at once when `signal` aborts (the timer goes with it). */
export function pause(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/**
 * Infinite scroll: `load(slot)` once for each element matching `selector` in what `observe(el)` is
 * given (el included), when it comes within `margin` of the viewport. Returns `observe`.
 */
export function autoload(selector, load, { signal, margin = "900px 0px" }) {
  if (!("IntersectionObserver" in window)) return () => {};
  const io = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      io.unobserve(entry.target);
      if (entry.target.isConnected) load(entry.target);
    }
  }, { rootMargin: margin });
  signal.addEventListener("abort", () => io.disconnect());
  return (el) => {
    if (!el) return;
    const found = el.matches?.(selector) ? [el] : [];
    found.push(...(el.querySelectorAll?.(selector) ?? []));
    for (const slot of found) io.observe(slot);
  };
}

/**
 * A list page's controller.
 *
 * @param {object} o
 * @param {HTMLElement} o.root       the page (<main>)
 * @param {AbortSignal} o.signal     aborted when the user leaves the page
 * @param {string} o.path            the page's path (/videos); results come from PATH/fragments/results
 * @param {HTMLFormElement|string} o.form     the filter form (or its selector in root)
 * @param {HTMLElement|string} o.results      the results element (or its selector in root)
 * @param {string} o.noun            what the results are, for the error message ("videos")
 * @param {object} [o.defaults]      what a control shows when its parameter is absent ({sort: "title"})
 * @param {boolean} [o.omitDefaults] leave a control's default value out of the address
 * @param {boolean} [o.addMissingOptions] a select shows a value it has no option for by adding one
 * @param {{words: (sort) => [string, string], descending: (sort) => boolean}} [o.order]
 *        the order toggle's words (descending, ascending) and each sort's default direction
 * @param {string[]} [o.hideWhenEmpty] data-empty states of the results that hide the filter form
 * @param {string} [o.links]         more anchors whose href is a state of this page (selector)
 * @param {number} [o.delay]         ms of quiet before the search box applies
 * @param {boolean} [o.slashSearch]  "/" jumps to the search box
 * @param {object} [o.scan]          [data-scan] buttons scan the library: see scanLibrary
 * @param {(p: URLSearchParams) => void} [o.read]  page controls ← state (after the shared ones)
 * @param {(host: HTMLElement) => void} [o.rendered] after results are shown (and at start)
 */
export function listPage({
  root, signal, path, form, results, noun, defaults = {}, omitDefaults = false, addMissingOptions = false,
  order = null, hideWhenEmpty = [], links = "", delay = 300, slashSearch = false, scan = null, read, rendered,
}) {
  const $ = (x) => (typeof x === "string" ? root.querySelector(x) : x);
  form = $(form);
  const host = $(results);
  const search = form?.elements.namedItem("search") ?? null;
  const on = (target, type, fn, opts = {}) => target?.addEventListener(type, fn, { ...opts, signal });
  let request = null; // the AbortController of the results request in flight
  let timer = 0;
  let typing = false; // a burst of typing has pushed its entry: the next words replace it
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    request?.abort();
  });

  const current = () => new URLSearchParams(location.search);

  function hrefFor(p, { paging = false } = {}) {
    const q = new URLSearchParams(p);
    if (!paging) for (const key of PAGING) q.delete(key);
    const qs = q.toString();
    return path + (qs ? `?${qs}` : "");
  }

  /** Show state `p`: a new history entry (or the current one replaced), the controls, the results. */
  function go(p, { replace = false, paging = false } = {}) {
    typing = false;
    const url = hrefFor(p, { paging });
    if (url !== location.pathname + location.search) {
      if (replace) history.replaceState(history.state, "", url);
      else history.pushState({ obscuraPage: true, scrollY: 0 }, "", url);
    }
    sync(current());
    return refresh();
  }

  /** The results region's HTML for state `params` (the fragment convention above). */
  async function fetchResults(params, { signal: abort } = {}) {
    const qs = new URLSearchParams(params).toString();
    const res = await fetch(`${path}/fragments/results${qs ? `?${qs}` : ""}`, {
      headers: { Accept: "text/html" },
      signal: abort ?? signal,
    });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    return res.text();
  }

  /** Load the results for the address as it is (after a change, or when the data changed). */
  async function refresh() {
    request?.abort();
    const mine = (request = new AbortController());
    const qs = location.search;
    host.setAttribute("aria-busy", "true");
    try {
      const html = await fetchResults(new URLSearchParams(qs), { signal: mine.signal });
      if (request !== mine) return;
      host.innerHTML = html;
      host.dataset.rendered = qs;
      window.htmx?.process(host);
      shown();
    } catch (err) {
      if (request === mine && err.name !== "AbortError") toast(`Could not load the ${noun}: ${err.message}.`, "error");
    } finally {
      if (request === mine) {
        request = null;
        host.removeAttribute("aria-busy");
      }
    }
  }

  function shown() {
    const region = host.querySelector(":scope > [data-empty], :scope > [data-title]");
    if (form && hideWhenEmpty.length) form.hidden = hideWhenEmpty.includes(region?.dataset.empty);
    if (region?.dataset.title) document.title = region.dataset.title;
    rendered?.(host);
  }

  function showValue(el, value) {
    if (el.tagName === "SELECT" && value && ![...el.options].some((o) => o.value === value)) {
      if (!addMissingOptions) value = defaults[el.name] ?? "";
      else el.append(new Option(value, value));
    }
    el.value = value;
  }

  function descending(p) {
    const sort = p.get("sort") || defaults.sort;
    return p.has("order") ? p.get("order") === "desc" : Boolean(order?.descending(sort));
  }

  /** Controls ← state (after a change, on back/forward). */
  function sync(p = current()) {
    for (const el of form?.elements ?? []) {
      if (!el.name || ["hidden", "submit", "button", "fieldset"].includes(el.type)) continue;
      if (el === search) {
        const value = p.get("search") ?? "";
        if (el.value.trim() !== value) el.value = value;
      } else if (el.type === "checkbox") {
        el.checked = p.has(el.name) && !OFF.has(p.get(el.name).toLowerCase());
      } else if (el.dataset.range) {
        const [a, b] = el.dataset.range.split(",");
        showValue(el, p.has(a) || p.has(b) ? `${p.get(a) ?? ""}-${p.get(b) ?? ""}` : "");
      } else {
        showValue(el, p.get(el.name) ?? defaults[el.name] ?? "");
      }
    }
    for (const el of form?.querySelectorAll("[data-link-filter]") ?? []) el.values = p.getAll(el.dataset.name);
    const toggle = root.querySelector("[data-order-toggle]");
    if (toggle && order) {
      const desc = descending(p);
      const label = order.words(p.get("sort") || defaults.sort)[desc ? 0 : 1];
      toggle.dataset.order = desc ? "desc" : "asc";
      toggle.setAttribute("aria-label", `Order: ${label} (switch)`);
      const text = toggle.querySelector("[data-order-label]");
      if (text) text.textContent = label;
      if (toggle.matches("a")) {
        const flipped = new URLSearchParams(p);
        flipped.set("order", desc ? "asc" : "desc");
        toggle.href = hrefFor(flipped);
      }
    }
    read?.(p);
  }

  // ------------------------------------------------------------------ the filter form
  /** The search box's words → the address; false when they are already there. */
  function applySearch({ replace }) {
    clearTimeout(timer);
    const p = current();
    const value = search.value.trim();
    if ((p.get("search") ?? "") === value) return false;
    setParam(p, "search", value);
    go(p, { replace });
    return true;
  }

  on(form, "submit", (e) => {
    e.preventDefault();
    if (search) applySearch({ replace: typing });
    typing = false;
  });

  on(search, "input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (applySearch({ replace: typing })) typing = true;
    }, delay);
  });
  on(search, "blur", () => { typing = false; });

  on(form, "change", (e) => {
    const el = e.target;
    if (el === search || !el.name || el.type === "hidden") return;
    const p = current();
    if (el.dataset.range) {
      const [a, b] = el.dataset.range.split(",");
      const [lo = "", hi = ""] = el.value ? el.value.split("-") : [];
      setParam(p, a, lo);
      setParam(p, b, hi);
    } else if (el.type === "checkbox") {
      setParam(p, el.name, el.checked ? el.value : "");
    } else {
      setParam(p, el.name, omitDefaults && el.value === defaults[el.name] ? "" : el.value);
    }
    if (el.name === "sort") p.delete("order");
    go(p);
  });

  // a link filter changed: {name, values}, repeatable in the query string
  on(form, "obscura:filter", (e) => {
    const { name, values } = e.detail ?? {};
    if (!name) return;
    const p = current();
    p.delete(name);
    for (const value of values ?? []) p.append(name, value);
    go(p);
  });

  // ------------------------------------------------------------------ links, order, scan
  const linkSelector = [STATE_LINKS, links, "[data-order-toggle]", scan ? "[data-scan]" : ""].filter(Boolean).join(", ");
  on(root, "click", (e) => {
    const el = e.target.closest?.(linkSelector);
    if (!el || e.defaultPrevented) return;
    if (el.matches("a") && modifiedClick(e)) return; // "open in a new tab" stays the browser's
    if (el.matches("[data-scan]")) {
      scanLibrary(el, { ...scan, signal, refresh });
    } else if (el.matches("[data-order-toggle]")) {
      e.preventDefault();
      const p = current();
      p.set("order", el.dataset.order === "desc" ? "asc" : "desc");
      go(p);
    } else if (el.href) {
      const url = new URL(el.href, location.href);
      if (url.origin !== location.origin || url.pathname !== path) return;
      e.preventDefault();
      const paging = el.matches("[data-page-link]");
      const done = go(url.searchParams, { paging });
      if (paging) done.then(() => window.scrollTo(0, 0));
    }
  });

  on(window, "popstate", () => {
    if (location.pathname !== path) return; // another page's entry: the shell navigates
    clearTimeout(timer);
    typing = false;
    sync(current());
    refresh();
  });

  if (slashSearch && search) {
    // "/" jumps to the search box (Ctrl/⌘-K stays the global palette)
    on(document, "keydown", (e) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || typingIn(e) || form.hidden) return;
      if (document.querySelector("dialog[open]")) return;
      e.preventDefault();
      search.focus();
      search.select();
    });
  }

  /** Start: controls and page parts for the server-rendered state. mount returns what this returns. */
  function start() {
    host.dataset.rendered = location.search;
    sync(current());
    shown();
    host.dataset.ready = "true";
    return { handlesHistory: true };
  }

  return { form, host, search, on, current, hrefFor, go, refresh, sync, fetchResults, start };
}

/**
 * Scan every library folder from an empty state: `refresh()` once the first items exist (they
 * replace the empty state) and again when the queue is empty. `count` is an API list whose total
 * is the items (/api/videos?perPage=1), `looking` the status while scanning, `finished(n)` the
 * closing message.
 */
export async function scanLibrary(button, { signal, refresh, count, looking, finished }) {
  const status = (button.closest(".empty") ?? document).querySelector("[data-scan-status]");
  const label = button.querySelector("span");
  const say = (text) => {
    if (status?.isConnected) {
      status.hidden = false;
      status.textContent = text;
    }
  };
  const ready = () => {
    button.disabled = false;
    label?.replaceChildren("Scan now");
  };
  button.disabled = true;
  label?.replaceChildren("Scanning…");
  try {
    const { enqueued } = await post("/api/libraries/scan", {});
    if (!enqueued) {
      say("There is nothing to scan: enable a library folder in Settings.");
      ready();
      return;
    }
    say(looking);
    const started = Date.now();
    let shown = false;
    while (!signal.aborted && Date.now() - started < 15 * 60_000) {
      await pause(1500, signal);
      if (signal.aborted) return;
      const [jobs, items] = await Promise.all([get("/api/jobs?status=waiting&status=active&perPage=1"), get(count)]);
      if (signal.aborted) return;
      if (!shown && items.total > 0) {
        shown = true; // the first items replace the empty state; thumbnails follow
        await refresh();
      }
      if (jobs.total === 0) {
        await refresh();
        toast(finished(items.total), items.total ? "ok" : "info");
        return;
      }
      say(`Scanning… ${plural(jobs.total, "job")} left.`);
    }
  } catch (err) {
    if (signal.aborted) return;
    toast(`The scan could not start: ${err.message}`, "error");
    ready();
  }
}
