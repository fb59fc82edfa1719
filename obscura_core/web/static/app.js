// The single JS entry point of every page: theme, command palette, htmx, then the page's own
// module (declared by its template as <body data-module="...">).
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

document.querySelectorAll("[data-theme-toggle]").forEach((b) =>
  b.addEventListener("click", () => {
    const next = document.documentElement.dataset.theme === "light" ? "dark" : "light";
    localStorage.setItem("obscura-theme", next);
    applyTheme(next);
  }),
);
applyTheme(document.documentElement.dataset.theme || "dark");

const more = document.querySelector("[data-more-toggle]");
const sheet = document.getElementById("more-sheet");
if (more && sheet) {
  more.addEventListener("click", () => sheet.showModal());
  sheet.addEventListener("click", (e) => { if (e.target === sheet) sheet.close(); });
}

installPalette();
htmx.process(document.body);

const module = document.body.dataset.module;
if (module) {
  import(module).catch((err) => {
    console.error(err);
    toast("Part of this page failed to load; try reloading.", "error");
  });
}
