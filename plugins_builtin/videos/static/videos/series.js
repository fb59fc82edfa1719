// /series/<id>: season tabs (the selected season is kept in the address's #hash), the edit dialog
// (PATCH /api/series/<id>) and preview clips on the episode thumbnails. Page contract: see
// /static/js/navigate.js.
import { ApiError, patch } from "/static/js/api.js";
import { starsHtml } from "/static/js/format.js";
import { toast } from "/static/js/ui.js";
import { installPreviews } from "./previews.js";

function installTabs(root, signal) {
  const tablist = root.querySelector("[data-season-tabs]");
  if (!tablist) return;
  const tabs = [...tablist.querySelectorAll("[role=tab]")];
  const select = (tab, { focus = false, remember = true } = {}) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      root.querySelector(`#${t.getAttribute("aria-controls")}`).hidden = !on;
    }
    if (focus) tab.focus();
    if (remember) history.replaceState(history.state, "", `#${tab.dataset.seasonHash}`);
  };
  tablist.hidden = false;
  for (const panel of root.querySelectorAll("[data-season-panel]")) panel.classList.add("is-tabbed");
  const fromHash = tabs.find((t) => `#${t.dataset.seasonHash}` === location.hash);
  select(fromHash ?? tabs[0], { remember: false });
  tablist.addEventListener("click", (e) => {
    const tab = e.target.closest("[role=tab]");
    if (tab) select(tab);
  }, { signal });
  tablist.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length], { focus: true });
  }, { signal });
}

function installEdit(root, signal) {
  const hero = root.querySelector(".sx-hero");
  const dialog = root.querySelector("#sx-edit");
  const form = root.querySelector("#sx-edit-form");
  if (!hero || !dialog || !form) return;
  const seriesId = hero.dataset.seriesId;
  const errorBox = form.querySelector("[data-edit-error]");
  const on = (target, type, fn) => target.addEventListener(type, fn, { signal });

  const showError = (message, field) => {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  };

  const applyToPage = (series) => {
    const field = (name) => hero.querySelector(`[data-field="${name}"]`);
    field("title").textContent = series.title;
    field("year").textContent = series.year ?? "";
    field("year").hidden = !series.year;
    field("overview").textContent = series.overview ?? "";
    field("overview").hidden = !series.overview;
    field("no-overview").hidden = Boolean(series.overview);
    field("rating").innerHTML = starsHtml(series.rating, "vb-stars");
    field("rating").hidden = series.rating === null || series.rating === undefined;
    document.title = `${series.title} · Obscura`;
  };

  for (const button of root.querySelectorAll("[data-edit-series]")) {
    on(button, "click", () => {
      showError("");
      dialog.showModal();
      form.elements.namedItem(button.dataset.editMain === undefined ? "overview" : "title").focus();
    });
  }
  on(form, "input", () => errorBox.hidden || showError(""));

  on(form, "submit", async (e) => {
    const submitter = e.submitter;
    if (!submitter || submitter.value !== "save") return; // Cancel closes the dialog as usual
    e.preventDefault();
    const title = form.elements.namedItem("title");
    const year = form.elements.namedItem("year");
    if (!title.value.trim()) return showError("The title cannot be empty.", title);
    const yearValue = year.value.trim() ? Number(year.value) : null;
    if (yearValue !== null && (!Number.isInteger(yearValue) || yearValue < 1800 || yearValue > 2200)) {
      return showError("The year must be between 1800 and 2200.", year);
    }
    const rating = form.querySelector("input[name=rating]:checked")?.value ?? "";
    const body = {
      title: title.value.trim(),
      year: yearValue,
      rating: rating === "" ? null : Number(rating),
      overview: form.elements.namedItem("overview").value.trim() || null,
    };
    submitter.disabled = true;
    try {
      const saved = await patch(`/api/series/${encodeURIComponent(seriesId)}`, body);
      if (signal.aborted) return;
      applyToPage(saved);
      dialog.close("saved");
      toast("Series saved.", "ok");
    } catch (err) {
      showError(err instanceof ApiError ? err.message : "The series could not be saved.");
    } finally {
      submitter.disabled = false;
    }
  });
}

export function mount({ root, signal }) {
  installTabs(root, signal);
  installEdit(root, signal);
  installPreviews(signal);
}
