// The review queue (/metadata/review): accept or reject scrape results (results.js), then reload the
// list (data-list-url with the page's own query string: status, entity, page) so counts, cards and
// pages stay true. The status filter and the pager are plain links (soft navigation).
import { toast } from "/static/js/ui.js";
import { appliedSummary, bindCards } from "./results.js";

export function mount({ root, signal }) {
  const box = root.querySelector("[data-review]");
  if (!box) return;
  const list = box.querySelector("[data-review-list]");

  async function reload() {
    list.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(`${box.dataset.listUrl}${location.search}`, { headers: { Accept: "text/html" }, signal });
      if (!res.ok) throw new Error(`The list could not be loaded (the server answered ${res.status}).`);
      list.innerHTML = await res.text();
    } catch (err) {
      if (!signal.aborted) toast(err.message, "error");
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  function heading(card) {
    return card.querySelector("h2")?.textContent.trim() || "the result";
  }

  bindCards(box, {
    signal,
    onApplied: async (card, run) => {
      toast(`${heading(card)}: ${appliedSummary(run, card)}`, "ok");
      for (const warning of run?.result?.warnings ?? []) toast(warning, "info", 8000);
      await reload();
    },
    onRejected: async (card) => {
      toast(`Rejected ${heading(card)}.`, "ok");
      await reload();
    },
  });
  box.dataset.ready = "true";
}
