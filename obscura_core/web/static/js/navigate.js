// Soft navigation: a same-origin link swaps the page inside the shell instead of reloading it, so
// the shell's parts (#shell-parts: the audio mini player) keep running while the user browses.
//
// The page contract. A page names its module with <body data-page-module="URL">; the module
// exports mount({ root, signal, url }):
//   root    the <main> element holding the page,
//   signal  an AbortSignal aborted when the user leaves the page: pass it to every listener on
//           document/window ({ signal }) and stop timers, streams and media on its "abort" event,
//   url     the page's URL object.
// mount may return { handlesHistory: true } when the page pushes its own history entries (filters
// kept in the query string): going back to the same path is then left to the page's own popstate
// listener. A page still using the older <body data-module> (code run at import) is entered and
// left with a normal page load.

const SKIP = /^\/(api|static|assets)\//;

const keyOf = (url) => url.pathname + url.search;
let page = { controller: new AbortController(), soft: true, path: location.pathname, key: "", handlesHistory: false };
let pending = null;

function sameStylesheet(doc) {
  const css = (d) => d.querySelector('link[rel="stylesheet"]')?.getAttribute("href");
  return css(doc) === css(document);
}

/** Mount the current document's page module (called once at start, then after every swap). */
export async function mountPage(url = location.href) {
  page.controller.abort();
  delete document.body.dataset.pageReady;
  const controller = new AbortController();
  const where = new URL(url);
  page = { controller, soft: !document.body.dataset.module, path: where.pathname, key: keyOf(where), handlesHistory: false };
  const moduleUrl = document.body.dataset.pageModule;
  if (moduleUrl) {
    const mod = await import(moduleUrl);
    if (typeof mod.mount !== "function") throw new Error(`${moduleUrl} has no mount() export`);
    const root = document.getElementById("main");
    const result = await mod.mount({ root, signal: controller.signal, url: where });
    if (page.controller !== controller) return;
    page.handlesHistory = Boolean(result?.handlesHistory);
  }
  // <body data-page-ready>: the page's module is mounted (browser tests wait for it)
  document.body.dataset.pageReady = "true";
}

function swap(doc) {
  document.title = doc.title;
  for (const selector of [".shell", ".bottomnav", "#more-sheet"]) {
    const next = doc.querySelector(selector);
    const now = document.querySelector(selector);
    if (next && now) now.replaceWith(document.adoptNode(next));
  }
  const body = document.body;
  body.dataset.page = doc.body.dataset.page || "page";
  if (doc.body.dataset.pageModule) body.dataset.pageModule = doc.body.dataset.pageModule;
  else delete body.dataset.pageModule;
  window.htmx?.process(document.querySelector(".shell"));
}

/** Open ``url`` inside the shell; falls back to a normal load when the page cannot be swapped. */
export async function navigate(url, { push = true, scrollY = 0 } = {}) {
  if (!page.soft) {
    location.assign(url);
    return;
  }
  pending?.abort();
  const request = (pending = new AbortController());
  document.documentElement.classList.add("is-navigating");
  let resp;
  let html;
  try {
    resp = await fetch(url, { signal: request.signal, headers: { Accept: "text/html" } });
    html = (resp.headers.get("Content-Type") || "").includes("text/html") ? await resp.text() : null;
  } catch (err) {
    if (err.name === "AbortError") return;
    location.assign(url);
    return;
  } finally {
    if (pending === request) document.documentElement.classList.remove("is-navigating");
  }
  if (pending !== request) return;
  pending = null;
  const doc = html === null ? null : new DOMParser().parseFromString(html, "text/html");
  if (!doc || !doc.querySelector(".shell") || doc.body.dataset.module || !sameStylesheet(doc)) {
    location.assign(resp.url || url);
    return;
  }
  const target = new URL(resp.url || url);
  target.hash = new URL(url, location.href).hash;
  if (push) {
    history.replaceState({ ...(history.state || {}), scrollY: window.scrollY }, "");
    history.pushState({ obscuraPage: true, scrollY: 0 }, "", target.href);
  }
  page.controller.abort();
  swap(doc);
  const anchor = target.hash && document.getElementById(decodeURIComponent(target.hash.slice(1)));
  if (anchor) anchor.scrollIntoView();
  else window.scrollTo(0, scrollY);
  document.getElementById("main")?.focus({ preventScroll: true });
  document.dispatchEvent(new CustomEvent("obscura:navigated", { detail: { url: target.href } }));
  try {
    await mountPage(target.href);
  } catch (err) {
    console.error(err);
    location.reload();
  }
}

function onClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest?.("a[href]");
  if (!a || (a.target && a.target !== "_self") || a.hasAttribute("download") || "hardNav" in a.dataset) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || SKIP.test(url.pathname)) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  if (!page.soft) return;
  e.preventDefault();
  navigate(url.href);
}

function onPopState(e) {
  if (keyOf(location) === page.key) return; // only the #hash changed
  if (location.pathname === page.path && page.handlesHistory) return;
  if (!page.soft) {
    location.reload();
    return;
  }
  navigate(location.href, { push: false, scrollY: e.state?.scrollY || 0 });
}

/** Take over same-origin links and the back/forward buttons. */
export function installNavigation() {
  history.scrollRestoration = "manual";
  // on window, so page modules' own document-level click handlers run first and may preventDefault
  window.addEventListener("click", onClick);
  window.addEventListener("popstate", onPopState);
}
