// Markers: ticks on the seek bar and the list in the side column (jump, rename inline, delete);
// "Add marker" adds one at the current time in one click ("Marker at 1:23"), renamed afterwards.

import { ApiError, del, patch, post } from "/static/js/api.js";
import { formatTime } from "/static/js/format.js";
import { escapeHtml, icon, toast } from "/static/js/ui.js";

export function installMarkers(ctx) {
  const { video } = ctx;
  const base = `/api/videos/${encodeURIComponent(ctx.data.id)}/markers`;
  const ticks = ctx.q("ticks");
  const list = document.querySelector('[data-vp="markers"]');
  const empty = document.querySelector('[data-vp="markers-empty"]');
  const count = document.querySelector('[data-vp="marker-count"]');
  let markers = [...(ctx.data.markers ?? [])].sort((a, b) => a.seconds - b.seconds);
  let adding = false;

  function renderTicks() {
    const d = ctx.duration();
    ticks.innerHTML = d
      ? markers.map((m) => `<span class="vp-tick" data-marker-id="${escapeHtml(m.id)}" style="left:${((m.seconds / d) * 100).toFixed(3)}%"></span>`).join("")
      : "";
  }

  function row(m) {
    return `<li class="vp-marker" data-marker-id="${escapeHtml(m.id)}">
      <button type="button" class="vp-marker-jump" data-marker-jump aria-label="Jump to ${escapeHtml(m.title)} at ${formatTime(m.seconds)}">
        <span class="vp-marker-time">${formatTime(m.seconds)}</span><span class="vp-marker-title">${escapeHtml(m.title)}</span>
      </button>
      <span class="vp-marker-tools">
        <button type="button" class="btn btn-ghost btn-icon btn-s" data-marker-rename aria-label="Rename ${escapeHtml(m.title)}" title="Rename">${icon("edit", "i i-s")}</button>
        <button type="button" class="btn btn-ghost btn-icon btn-s vp-danger" data-marker-delete aria-label="Delete ${escapeHtml(m.title)}" title="Delete">${icon("trash", "i i-s")}</button>
      </span>
    </li>`;
  }

  function renderList() {
    if (!list) return;
    list.innerHTML = markers.map(row).join("");
    empty.hidden = markers.length > 0;
    count.textContent = String(markers.length);
  }

  function render() {
    renderTicks();
    renderList();
    ctx.events.dispatchEvent(new CustomEvent("markers", { detail: { markers } }));
  }

  const find = (id) => markers.find((m) => m.id === id) ?? null;

  async function add() {
    if (adding) return;
    adding = true;
    const seconds = Math.round((video.currentTime || 0) * 100) / 100;
    const title = `Marker at ${formatTime(seconds)}`;
    try {
      const marker = await post(base, { title, seconds });
      markers = [...markers, marker].sort((a, b) => a.seconds - b.seconds);
      render();
      ctx.announce(`Marker added at ${formatTime(seconds)}`);
      toast(`Added “${title}”. Rename it in the Markers tab.`, "ok");
      ctx.events.dispatchEvent(new CustomEvent("show-tab", { detail: { tab: "markers", focus: false } }));
      const li = list?.querySelector(`[data-marker-id="${CSS.escape(marker.id)}"]`);
      if (li) {
        li.classList.add("is-new");
        li.scrollIntoView({ block: "nearest" });
      }
    } catch (err) {
      toast(`The marker could not be added: ${err.message}`, "error");
    } finally {
      adding = false;
    }
  }

  function startRename(li) {
    const m = find(li.dataset.markerId);
    if (!m || li.querySelector("input")) return;
    const jump = li.querySelector("[data-marker-jump]");
    const form = document.createElement("form");
    form.className = "vp-marker-form";
    form.innerHTML = `<span class="vp-marker-time">${formatTime(m.seconds)}</span>
      <input class="input" name="title" maxlength="300" required aria-label="Marker title" value="${escapeHtml(m.title)}">
      <button class="btn btn-s btn-primary" type="submit">Save</button>
      <button class="btn btn-s btn-ghost" type="button" data-cancel>Cancel</button>`;
    jump.hidden = true;
    li.querySelector(".vp-marker-tools").hidden = true;
    li.prepend(form);
    const input = form.querySelector("input");
    input.focus();
    input.select();
    const finish = () => { renderList(); list.querySelector(`[data-marker-id="${CSS.escape(m.id)}"] [data-marker-rename]`)?.focus(); };
    form.querySelector("[data-cancel]").addEventListener("click", finish);
    input.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); finish(); } });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const title = input.value.trim();
      if (!title) { input.setAttribute("aria-invalid", "true"); return; }
      if (title === m.title) return finish();
      try {
        const saved = await patch(`${base}/${encodeURIComponent(m.id)}`, { title });
        markers = markers.map((x) => (x.id === saved.id ? saved : x));
        ctx.announce(`Marker renamed to ${saved.title}`);
        finish();
        renderTicks();
      } catch (err) {
        input.setAttribute("aria-invalid", "true");
        toast(`The marker could not be renamed: ${err.message}`, "error");
      }
    });
  }

  async function remove(li) {
    const m = find(li.dataset.markerId);
    if (!m) return;
    try {
      await del(`${base}/${encodeURIComponent(m.id)}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) {
        toast(`The marker could not be deleted: ${err.message}`, "error");
        return;
      }
    }
    const next = li.nextElementSibling ?? li.previousElementSibling;
    const nextId = next?.dataset.markerId;
    markers = markers.filter((x) => x.id !== m.id);
    render();
    toast(`Deleted “${m.title}”.`, "ok");
    ctx.announce(`Marker ${m.title} deleted`);
    (nextId && list.querySelector(`[data-marker-id="${CSS.escape(nextId)}"] [data-marker-jump]`))?.focus();
  }

  list?.addEventListener("click", (e) => {
    const li = e.target.closest(".vp-marker");
    if (!li) return;
    if (e.target.closest("[data-marker-jump]")) {
      const m = find(li.dataset.markerId);
      if (m) ctx.seekTo(m.seconds);
    } else if (e.target.closest("[data-marker-rename]")) startRename(li);
    else if (e.target.closest("[data-marker-delete]")) remove(li);
  });
  list?.addEventListener("dblclick", (e) => {
    const li = e.target.closest(".vp-marker");
    if (li && e.target.closest(".vp-marker-title")) startRename(li);
  });

  ctx.events.addEventListener("duration", renderTicks);
  render();

  return { list: () => markers, byId: find, add };
}
