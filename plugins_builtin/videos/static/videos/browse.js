// /videos: the filter bar, views and paging, a list page (/static/js/listpage.js: state in the query
// string, results from /videos/fragments/results). What is this page's own: the view links and sort
// columns, the filter count and the folding filter panel, the series select that loads on first
// use, "Load more" slots (htmx) clicked for the user when they come near the viewport, previews,
// uploads, and the scan from the empty state.
import { get } from "/static/js/api.js";
import { plural } from "/static/js/format.js";
import { autoload, listPage } from "/static/js/listpage.js";
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

export function mount({ root, signal }) {
  if (!root.querySelector("#vb-filters") || !root.querySelector("#results")) return {};
  const viewLinks = () => root.querySelectorAll("[data-view-link]");
  const observe = autoload("[data-autoload]", (slot) => window.htmx?.trigger(slot, "more"), { signal });

  const list = listPage({
    root, signal, path: "/videos", form: "#vb-filters", results: "#results", noun: "videos",
    defaults: { sort: "recent" },
    addMissingOptions: true, // custom ranges, and series the lazy select has not loaded yet
    order: { words: (sort) => ORDER_WORDS[sort] ?? ORDER_WORDS.recent, descending: (sort) => DEFAULT_DESC.has(sort) },
    hideWhenEmpty: ["no-roots", "no-videos"], // nothing to filter before the library has videos
    links: "[data-view-link], [data-sort-col]",
    slashSearch: true,
    scan: {
      count: "/api/videos?perPage=1",
      looking: "Looking for videos in your library folders…",
      finished: (n) => (n ? `Scan finished: ${plural(n, "video")} in the library.` : "Scan finished: no video files were found."),
    },
    read(p) {
      const view = list.form.elements.namedItem("view");
      if (view && p.has("view")) view.value = p.get("view");
      const keys = new Set(FILTER_KEYS.filter((k) => k !== "search" && p.has(k)));
      for (const [a, b] of RANGES) if (keys.has(a) && keys.has(b)) keys.delete(b);
      const badge = root.querySelector("[data-filter-count]");
      if (badge) {
        badge.textContent = String(keys.size);
        badge.hidden = keys.size === 0;
      }
      for (const link of viewLinks()) {
        const q = new URLSearchParams(p);
        q.set("view", link.dataset.viewLink);
        link.href = list.hrefFor(q);
      }
    },
    rendered(host) {
      const view = host.querySelector(".vb-results")?.dataset.view;
      if (view) for (const link of viewLinks()) link.setAttribute("aria-pressed", String(link.dataset.viewLink === view));
      observe(host);
    },
  });
  const { form, host, on } = list;

  on(document, "htmx:load", (e) => host.contains(e.target) && observe(e.target));

  // on a phone the filter panel folds away
  on(root, "click", (e) => {
    const toggle = e.target.closest?.("[data-filters-toggle]");
    if (!toggle) return;
    const open = !form.classList.contains("is-open");
    form.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", String(open));
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

  installPreviews(signal);
  installUpload({ root, signal, onChange: list.refresh });
  return list.start();
}
