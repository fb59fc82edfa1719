// The /search page: the form opens its results inside the shell (soft navigation), "/" focuses
// the search box, and the arrow keys move between the results (Up from the first goes back to the box).
import { navigate } from "/static/js/navigate.js";

export function mount({ root, signal }) {
  const form = root.querySelector("[data-search-form]");
  if (!form) return;
  const input = form.elements.q;
  const hits = () => [...root.querySelectorAll(".sr-hit")];

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) { input.focus(); return; }
    const params = new URLSearchParams({ q });
    if (form.elements.kind?.value) params.set("kind", form.elements.kind.value);
    navigate(`/search?${params}`);
  }, { signal });

  document.addEventListener("keydown", (e) => {
    const typing = e.target.closest?.("input, textarea, select, [contenteditable]");
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const list = hits();
    if (!list.length) return;
    const at = list.indexOf(document.activeElement);
    if (e.target === input && e.key === "ArrowDown") {
      e.preventDefault();
      list[0].focus();
    } else if (at >= 0) {
      e.preventDefault();
      if (e.key === "ArrowDown") list[Math.min(at + 1, list.length - 1)].focus();
      else if (at === 0) input.focus();
      else list[at - 1].focus();
    }
  }, { signal });
}
