// The audio grid (/audio), a list page (/static/js/listpage.js: search as you type and sort in the
// query string, results from /audio/fragments/results). What is this page's own: the track lists
// of the results, wired afresh each time, and "Show more", which appends the next page's libraries
// (the same fragment, for the link's page).
import { listPage } from "/static/js/listpage.js";
import { highlight, readTracks, wireTracks } from "./tracklist.js";

export function mount({ root, signal }) {
  if (!root.querySelector("[data-audio-filters]") || !root.querySelector("#audio-results")) return undefined;
  let lists = null; // the AbortController of the current results' track list wiring
  signal.addEventListener("abort", () => lists?.abort());

  const list = listPage({
    root, signal, path: "/audio", form: "[data-audio-filters]", results: "#audio-results", noun: "audio",
    defaults: { sort: "title" },
    omitDefaults: true,
    hideWhenEmpty: ["no-roots", "no-audio"],
    delay: 250,
    rendered(host) {
      lists?.abort();
      lists = new AbortController();
      if (host.querySelector("[data-track-list]")) wireTracks(host, lists.signal, readTracks(host));
      highlight(host);
    },
  });
  const { host } = list;

  list.on(host, "click", async (e) => {
    const more = e.target.closest("[data-more]");
    if (!more) return;
    e.preventDefault();
    more.setAttribute("aria-disabled", "true");
    try {
      const next = document.createElement("template");
      next.innerHTML = await list.fetchResults(new URL(more.href).searchParams);
      const grid = host.querySelector("[data-grid]");
      const first = grid.children.length;
      grid.append(...next.content.querySelectorAll("[data-grid] > li"));
      const link = next.content.querySelector("[data-more]");
      if (link) more.href = link.getAttribute("href");
      else more.closest(".al-more")?.remove();
      more.removeAttribute("aria-disabled");
      grid.children[first]?.querySelector("a")?.focus();
    } catch (err) {
      if (err.name !== "AbortError") location.assign(more.href);
    }
  });

  return list.start();
}
