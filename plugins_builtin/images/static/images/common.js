// Pieces shared by the images pages: "Load more" slots (fetched near the viewport), reading the star
// picker, form errors. Dates and stars: /static/js/format.js; the empty state's scan: listpage.js.
import { autoload } from "/static/js/listpage.js";
import { toast } from "/static/js/ui.js";

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
  const more = async (slot) => {
    const nodes = await loadMore(slot, { signal });
    if (signal.aborted) return;
    observe(root);
    onLoaded?.(nodes);
  };
  const observe = autoload(".im-more:not([data-loading])", more, { signal, margin: "1200px 0px" });
  root.addEventListener("click", (e) => {
    const link = e.target.closest("[data-more]");
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    more(link.closest(".im-more"));
  }, { signal });
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
