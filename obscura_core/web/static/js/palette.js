// The Ctrl/⌘-K command palette: navigation commands from the layout plus search results from
// every plugin (GET /api/palette?q=).
import { get } from "./api.js";
import { navigate } from "./navigate.js";
import { escapeHtml } from "./ui.js";

let dialog, input, list, items = [], active = 0, timer, seq = 0;

function commands() {
  return [...document.querySelectorAll("[data-nav-command]")].map((a) => ({
    kind: "go to", title: a.dataset.navCommand, url: a.getAttribute("href"),
  }));
}

function render(groups) {
  items = groups.flatMap((g) => g.items);
  active = Math.min(active, Math.max(items.length - 1, 0));
  if (!items.length) {
    list.innerHTML = `<li class="palette-empty">Nothing matches “${escapeHtml(input.value)}”.</li>`;
    return;
  }
  let i = 0;
  const onlySeeAll = items.length === 1 && items[0].kind === "search";
  const empty = onlySeeAll ? `<li class="palette-empty" role="presentation">Nothing matches “${escapeHtml(input.value)}”.</li>` : "";
  list.innerHTML = empty + groups.filter((g) => g.items.length).map((g) => (g.label ? `<li class="palette-group" role="presentation">${escapeHtml(g.label)}</li>` : "") +
    g.items.map((it) => {
      const idx = i++;
      const img = it.thumbnailUrl ? `<img src="${escapeHtml(it.thumbnailUrl)}" alt="" loading="lazy">` : "";
      const sub = it.subtitle ? `<span class="muted small">${escapeHtml(it.subtitle)}</span>` : "";
      return `<li role="option" id="pal-${idx}" data-index="${idx}" aria-selected="${idx === active}">${img}<span>${escapeHtml(it.title)} ${sub}</span><span class="kind">${escapeHtml(it.kind)}</span></li>`;
    }).join("")).join("");
  input.setAttribute("aria-activedescendant", `pal-${active}`);
}

async function update() {
  const q = input.value.trim();
  const nav = commands().filter((c) => !q || c.title.toLowerCase().includes(q.toLowerCase()));
  const groups = [{ label: "Go to", items: nav }];
  if (!q) return render(groups);
  const mine = ++seq;
  try {
    const data = await get(`/api/palette?q=${encodeURIComponent(q)}`);
    if (mine !== seq) return;
    for (const group of data.groups) groups.push({ label: group.label, items: group.items });
  } catch (e) {
    groups.push({ label: "Search", items: [] });
  }
  // a plugin offering a full search page names it with <a data-search-page href="/search"> in the layout
  const full = document.querySelector("[data-search-page]")?.getAttribute("href");
  if (full) {
    const url = `${full}${full.includes("?") ? "&" : "?"}q=${encodeURIComponent(q)}`;
    groups.push({ label: "", items: [{ kind: "search", title: `See all results for “${q}”`, url }] });
  }
  render(groups);
}

function open() {
  if (!dialog) build();
  input.value = "";
  active = 0;
  update();
  dialog.showModal();
  input.focus();
}

function go(index) {
  const it = items[index];
  if (!it) return;
  dialog.close();
  navigate(it.url);
}

function build() {
  dialog = document.createElement("dialog");
  dialog.className = "palette";
  dialog.setAttribute("aria-label", "Search and commands");
  dialog.innerHTML = `<div class="palette-input"><svg class="i" aria-hidden="true"><use href="/static/icons.svg#search"/></svg>
    <input type="search" placeholder="Search your library, or jump to a page" aria-label="Search" role="combobox" aria-expanded="true" aria-controls="palette-results" autocomplete="off">
    <kbd>Esc</kbd></div><ul class="palette-results" id="palette-results" role="listbox"></ul>`;
  document.body.append(dialog);
  input = dialog.querySelector("input");
  list = dialog.querySelector("ul");
  input.addEventListener("input", () => { clearTimeout(timer); active = 0; timer = setTimeout(update, 120); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % Math.max(items.length, 1);
      list.querySelectorAll("[role=option]").forEach((li) => li.setAttribute("aria-selected", li.dataset.index == active));
      list.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", `pal-${active}`);
    } else if (e.key === "Enter") {
      e.preventDefault();
      go(active);
    }
  });
  list.addEventListener("click", (e) => {
    const li = e.target.closest("[role=option]");
    if (li) go(Number(li.dataset.index));
  });
  dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
}

export function installPalette() {
  document.addEventListener("keydown", (e) => {
    if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "k") {
      e.preventDefault();
      open();
    }
  });
  document.addEventListener("click", (e) => {
    if (e.target.closest?.("[data-open-palette]")) open();
  });
}
