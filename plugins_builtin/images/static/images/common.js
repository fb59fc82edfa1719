// Pieces shared by the images pages: "Load more" slots (fetched near the viewport), the library scan
// from an empty state, reading the star picker, form errors and dates.
import { get, post } from "/static/js/api.js";
import { toast } from "/static/js/ui.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Replace a "Load more" slot with the fragment it names. A gallery's section marked data-continue
 * carries on the section before the slot: its tiles join that section's grid.
 */
export async function loadMore(slot, { signal } = {}) {
  const link = slot.querySelector("[data-more]");
  if (!link || slot.dataset.loading) return [];
  slot.dataset.loading = "1";
  link.setAttribute("aria-busy", "true");
  try {
    const res = await fetch(link.dataset.more, { headers: { Accept: "text/html" }, signal });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    const template = document.createElement("template");
    template.innerHTML = await res.text();
    const nodes = [...template.content.children];
    const first = nodes[0];
    const before = slot.previousElementSibling;
    if (first?.matches("section[data-continue]") && before?.matches("section.im-section")) {
      before.querySelector(".im-jg").append(...first.querySelector(".im-jg").children);
      nodes.shift();
      first.remove();
    }
    slot.replaceWith(...template.content.childNodes);
    return nodes;
  } catch (err) {
    if (err.name !== "AbortError") {
      delete slot.dataset.loading;
      link.removeAttribute("aria-busy");
      toast(`Could not load more: ${err.message}.`, "error");
    }
    return [];
  }
}

/** Fetch "Load more" slots under `root` when they come near the viewport, or when clicked. */
export function installMore(root, signal, onLoaded) {
  const io = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      io.unobserve(entry.target);
      if (entry.target.isConnected) more(entry.target);
    }
  }, { rootMargin: "1200px 0px" });
  const more = async (slot) => {
    const nodes = await loadMore(slot, { signal });
    if (signal.aborted) return;
    observe(root);
    onLoaded?.(nodes);
  };
  const observe = (el) => el.querySelectorAll(".im-more:not([data-loading])").forEach((slot) => io.observe(slot));
  root.addEventListener("click", (e) => {
    const link = e.target.closest("[data-more]");
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    more(link.closest(".im-more"));
  }, { signal });
  signal.addEventListener("abort", () => io.disconnect());
  observe(root);
  return { observe, more };
}

/** The star picker's value: 20–100, or null for no rating. */
export function ratingOf(form, name = "rating") {
  const value = form.querySelector(`input[name="${name}"]:checked`)?.value;
  return value ? Number(value) : null;
}

export function formError(form, message) {
  const el = form.querySelector("[data-form-error]");
  if (!el) return;
  el.textContent = message || "";
  el.hidden = !message;
}

/** "2024-03-04" → "Mar 4, 2024" (as the server writes it). */
export function formatDay(iso) {
  if (!iso) return "";
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

/** The read-only stars of a 0–100 rating, as the server renders them. */
export function starsHtml(rating) {
  if (rating === null || rating === undefined) return "";
  const n = Math.max(0, Math.min(5, Math.round(rating / 20)));
  return `<span class="im-stars" role="img" aria-label="${n} of 5 stars">${"★".repeat(n)}<span>${"★".repeat(5 - n)}</span></span>`;
}

/** Scan every library folder from an empty state, then call `refresh` once galleries exist. */
export async function scanLibrary(button, refresh, signal) {
  const box = button.closest(".empty") ?? document;
  const status = box.querySelector("[data-scan-status]");
  const say = (text) => {
    if (status?.isConnected) {
      status.hidden = false;
      status.textContent = text;
    }
  };
  const label = button.querySelector("span");
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
    say("Looking for pictures in your library folders…");
    const started = Date.now();
    let shown = false;
    while (!signal.aborted && Date.now() - started < 15 * 60_000) {
      await sleep(1500);
      const [jobs, galleries] = await Promise.all([
        get("/api/jobs?status=waiting&status=active&perPage=1"),
        get("/api/galleries?perPage=1"),
      ]);
      if (signal.aborted) return;
      if (!shown && galleries.total > 0) {
        shown = true;
        await refresh();
      }
      if (jobs.total === 0) {
        await refresh();
        toast(galleries.total ? `Scan finished: ${galleries.total} galler${galleries.total === 1 ? "y" : "ies"}.`
          : "Scan finished: no pictures were found.", galleries.total ? "ok" : "info");
        return;
      }
      say(`Scanning… ${jobs.total} job${jobs.total === 1 ? "" : "s"} left.`);
    }
  } catch (err) {
    toast(`The scan could not start: ${err.message}`, "error");
    button.disabled = false;
    label?.replaceChildren("Scan now");
  }
}

/** Whether a key press belongs to a text field (page shortcuts stay out of its way). */
export function typing(e) {
  const el = e.target;
  return Boolean(el?.isContentEditable || /^(input|textarea|select)$/i.test(el?.tagName || ""));
}
