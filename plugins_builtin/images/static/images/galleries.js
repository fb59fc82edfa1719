// /galleries: a list page (/static/js/listpage.js: filters and sort in the query string, results from
// /galleries/fragments/results). What is this page's own: the sub-galleries switch, further pages
// loaded as the user nears the end, the scan from the empty state and the "New collection" dialog.
import { post } from "/static/js/api.js";
import { plural } from "/static/js/format.js";
import { listPage } from "/static/js/listpage.js";
import { navigate } from "/static/js/navigate.js";
import { toast } from "/static/js/ui.js";
import { formError, installMore } from "./common.js";

const DEFAULT_DESC = new Set(["recent", "date", "rating", "images"]);
const ORDER_WORDS = {
  title: ["Z to A", "A to Z"], recent: ["Newest first", "Oldest first"], date: ["Newest first", "Oldest first"],
  rating: ["Highest first", "Lowest first"], images: ["Most images", "Fewest images"],
};

export function mount({ root, signal }) {
  let more = null;
  const list = listPage({
    root, signal, path: "/galleries", form: "#im-filters", results: "#im-results", noun: "galleries",
    defaults: { sort: "title" },
    order: { words: (sort) => ORDER_WORDS[sort] ?? ORDER_WORDS.title, descending: (sort) => DEFAULT_DESC.has(sort) },
    hideWhenEmpty: ["no-roots", "no-image-roots", "no-galleries"],
    slashSearch: true,
    scan: {
      count: "/api/galleries?perPage=1",
      looking: "Looking for pictures in your library folders…",
      finished: (n) => (n ? `Scan finished: ${plural(n, "gallery", "galleries")}.` : "Scan finished: no pictures were found."),
    },
    read(p) {
      // searching and a parent's sub-galleries look at every level already
      list.form.elements.namedItem("nested").disabled = p.has("search") || p.has("parent");
      if (!p.has("parent")) list.form.querySelector("input[name=parent]")?.remove();
    },
    rendered: (host) => more?.observe(host),
  });
  more = installMore(list.host, signal);

  // ------------------------------------------------------------------ new collection
  const dialog = root.querySelector("#im-collection-dialog");
  const dform = dialog.querySelector("form");
  list.on(root, "click", (e) => {
    if (!e.target.closest("[data-new-collection]")) return;
    dform.reset();
    formError(dform, "");
    dialog.showModal();
  });
  list.on(dform, "submit", async (e) => {
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
  });

  return list.start();
}
