// The single JS entry point of every page: theme, SFW switch, command palette, htmx, soft navigation (pages
// swap inside the shell, see js/navigate.js), the shell's persistent parts, then the page's own
// module (<body data-page-module>, or the older <body data-module> run at import).
import { installNavigation, mountPage } from "./js/navigate.js";
import { installPalette } from "./js/palette.js";
import { toast } from "./js/ui.js";
import * as htmxModule from "./vendor/htmx/htmx.esm.js";

const htmx = htmxModule.default ?? htmxModule;
window.htmx = htmx;
htmx.config.defaultSwapStyle = "innerHTML";
htmx.config.historyCacheSize = 0;
document.addEventListener("htmx:responseError", (e) => {
  toast(`Could not refresh: the server answered ${e.detail.xhr.status}.`, "error");
});
document.addEventListener("htmx:sendError", () => toast("The server cannot be reached.", "error"));

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  document.querySelectorAll("[data-theme-toggle]").forEach((b) => {
    b.setAttribute("aria-pressed", String(theme === "light"));
    b.setAttribute("aria-label", theme === "light" ? "Use the dark theme" : "Use the light theme");
    b.querySelector("use")?.setAttribute("href", `/static/icons.svg#${theme === "light" ? "moon" : "sun"}`);
  });
}

// SFW mode, per device: a cookie every request carries, so the server itself hides NSFW rows
// (lists, counts, search, details, thumbnails, streams). The page reloads in the new mode.
function toggleSfw() {
  const on = document.documentElement.dataset.sfw !== "1";
  document.cookie = `obscura_sfw=${on ? "1" : "0"}; path=/; max-age=${10 * 365 * 86400}; samesite=lax`;
  location.reload();
}

function typing(el) {
  return el?.closest?.("input, textarea, select, [contenteditable=''], [contenteditable='true']");
}

document.addEventListener("keydown", (e) => {
  if (e.key === "S" && e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target)) {
    e.preventDefault();
    toggleSfw();
  }
});

// delegated: the buttons are replaced on every page swap
document.addEventListener("click", (e) => {
  if (e.target.closest?.("[data-sfw-toggle]")) {
    toggleSfw();
  } else if (e.target.closest?.("[data-theme-toggle]")) {
    const next = document.documentElement.dataset.theme === "light" ? "dark" : "light";
    localStorage.setItem("obscura-theme", next);
    applyTheme(next);
  } else if (e.target.closest?.("[data-more-toggle]")) {
    document.getElementById("more-sheet")?.showModal();
  } else if (e.target.id === "more-sheet") {
    e.target.close();
  }
});
document.addEventListener("obscura:navigated", () => {
  applyTheme(document.documentElement.dataset.theme || "dark");
  document.getElementById("more-sheet")?.close();
});
applyTheme(document.documentElement.dataset.theme || "dark");

installPalette();
installNavigation();
htmx.process(document.body);

function failed(err) {
  console.error(err);
  toast("Part of this page failed to load; try reloading.", "error");
}

for (const part of document.querySelectorAll("#shell-parts [data-module]")) {
  import(part.dataset.module).catch(failed);
}
const legacy = document.body.dataset.module;
if (legacy) import(legacy).catch(failed);
mountPage().catch(failed);
