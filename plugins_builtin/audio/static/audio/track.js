// The track page (/audio/tracks/<id>): play buttons (tracklist.js), the waveform (click to play
// from there; it follows the mini player while this track plays), markers (add, delete, jump) and
// the tag edit form (sends only the fields that changed).

import { ApiError, del, patch, post } from "/static/js/api.js";
import { formatTime } from "/static/js/format.js";
import { escapeHtml, icon, toast } from "/static/js/ui.js";
import * as player from "./player.js";
import { readTracks, wireTracks } from "./tracklist.js";
import { Waveform } from "./waveform.js";

/** "1:02", "1:02:03", "62" or "62.5" → seconds; NaN when unreadable. */
export function parseTime(text) {
  const parts = String(text).trim().split(":");
  if (!parts.length || parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return NaN;
  return parts.reduce((acc, p) => acc * 60 + Number(p), 0);
}

function markerRow(m) {
  const time = formatTime(m.seconds);
  return `<li data-marker-id="${escapeHtml(m.id)}" data-seconds="${m.seconds}">
    <button class="btn btn-ghost btn-s at-marker-time" type="button" data-marker-seek aria-label="Play from ${time}: ${escapeHtml(m.title)}">${time}</button>
    <span class="at-marker-title">${escapeHtml(m.title)}</span>
    <button class="btn btn-ghost btn-icon" type="button" data-marker-delete aria-label="Delete the marker “${escapeHtml(m.title)}”">${icon("trash", "i i-s")}</button></li>`;
}

export function mount({ root, signal }) {
  const hero = root.querySelector("[data-track-id]");
  if (!hero) return;
  const trackId = hero.dataset.trackId;
  const tracks = readTracks(root);
  const item = tracks[0] || null;
  wireTracks(root, signal, tracks);

  const isCurrent = () => player.current()?.id === trackId;
  const playFrom = (t) => {
    if (!item) return;
    if (isCurrent()) {
      player.seekTo(t);
      if (!player.isPlaying()) player.play();
    } else {
      player.playTracks([item], 0, { at: t });
    }
  };

  // ------------------------------------------------------------------ waveform
  const canvas = root.querySelector("[data-track-wave] canvas");
  const list = root.querySelector("[data-markers]");
  const markers = () => [...(list?.children || [])].map((li) => ({
    id: li.dataset.markerId, seconds: Number(li.dataset.seconds), title: li.querySelector(".at-marker-title").textContent,
  }));
  let wave = null;
  const nowLabel = root.querySelector("[data-wave-now]");
  if (canvas) {
    wave = new Waveform(canvas, { onSeek: playFrom, onPreview: (t) => t !== null && (nowLabel.textContent = formatTime(t)) });
    wave.setDuration(Number(hero.dataset.duration) || item?.duration || 0);
    wave.setMarkers(markers());
    wave.load(canvas.parentElement.dataset.src || null);
    signal.addEventListener("abort", () => wave.destroy());
  }

  // ------------------------------------------------------------------ markers
  const form = root.querySelector("[data-marker-form]");
  const atInput = form?.elements.at;
  let atEdited = false;
  const follow = () => {
    if (!isCurrent()) return;
    const pos = player.position();
    wave?.setTime(pos);
    if (nowLabel) nowLabel.textContent = formatTime(pos);
    if (atInput && !atEdited && document.activeElement !== atInput) atInput.value = formatTime(pos);
  };
  player.events.addEventListener("time", follow, { signal });
  player.events.addEventListener("change", () => {
    if (!isCurrent()) wave?.setTime(0);
    follow();
  }, { signal });
  follow();

  function syncMarkers() {
    const all = markers();
    wave?.setMarkers(all);
    root.querySelector("[data-marker-count]").textContent = String(all.length);
    root.querySelector("[data-markers-empty]").hidden = all.length > 0;
    player.refresh(trackId);
  }

  atInput?.addEventListener("input", () => { atEdited = true; }, { signal });
  form?.addEventListener("submit", async (e) => {
    e.preventDefault();
    const seconds = parseTime(atInput.value);
    const title = form.elements.title.value.trim();
    if (!isFinite(seconds)) {
      atInput.setAttribute("aria-invalid", "true");
      toast("Write the time as m:ss, e.g. 1:05.", "error");
      atInput.focus();
      return;
    }
    atInput.removeAttribute("aria-invalid");
    if (!title) {
      form.elements.title.focus();
      return;
    }
    const submit = form.querySelector("[type=submit]");
    submit.disabled = true;
    try {
      const m = await post(`/api/audio-tracks/${encodeURIComponent(trackId)}/markers`, { title, seconds });
      const after = [...list.children].find((li) => Number(li.dataset.seconds) > m.seconds);
      const tmp = document.createElement("template");
      tmp.innerHTML = markerRow(m).trim();
      list.insertBefore(tmp.content.firstChild, after || null);
      form.elements.title.value = "";
      atEdited = false;
      syncMarkers();
      toast(`Marker “${m.title}” added at ${formatTime(m.seconds)}.`, "ok");
    } catch (err) {
      toast(err.message, "error", 6000);
    } finally {
      submit.disabled = false;
    }
  }, { signal });

  list?.addEventListener("click", async (e) => {
    const li = e.target.closest("[data-marker-id]");
    if (!li) return;
    if (e.target.closest("[data-marker-seek]")) {
      playFrom(Number(li.dataset.seconds));
    } else if (e.target.closest("[data-marker-delete]")) {
      const title = li.querySelector(".at-marker-title").textContent;
      try {
        await del(`/api/audio-tracks/${encodeURIComponent(trackId)}/markers/${encodeURIComponent(li.dataset.markerId)}`);
        (li.nextElementSibling || li.previousElementSibling)?.querySelector("[data-marker-delete]")?.focus();
        li.remove();
        syncMarkers();
        toast(`Marker “${title}” deleted.`, "ok");
      } catch (err) {
        toast(err.message, "error");
      }
    }
  }, { signal });

  // ------------------------------------------------------------------ tags
  const edit = root.querySelector("[data-edit-form]");
  const errorBox = root.querySelector("[data-edit-error]");
  edit?.addEventListener("submit", async (e) => {
    e.preventDefault();
    errorBox.hidden = true;
    const body = {};
    for (const el of edit.querySelectorAll("[data-initial]")) {
      el.removeAttribute("aria-invalid");
      const value = el.value.trim();
      if (value === el.dataset.initial.trim()) continue;
      if (el.type === "number") {
        if (value !== "" && !/^\d+$/.test(value)) {
          el.setAttribute("aria-invalid", "true");
          errorBox.textContent = `${el.closest("label").querySelector("span").textContent}: write a whole number.`;
          errorBox.hidden = false;
          el.focus();
          return;
        }
        body[el.name] = value === "" ? null : Number(value);
      } else if (el.name === "title" && !value) {
        el.setAttribute("aria-invalid", "true");
        errorBox.textContent = "A track needs a title.";
        errorBox.hidden = false;
        el.focus();
        return;
      } else {
        body[el.name] = value === "" ? null : value;
      }
    }
    if (!Object.keys(body).length) {
      toast("Nothing changed.");
      return;
    }
    const submit = edit.querySelector("[type=submit]");
    submit.disabled = true;
    try {
      const saved = await patch(`/api/audio-tracks/${encodeURIComponent(trackId)}`, body);
      for (const el of edit.querySelectorAll("[data-initial]")) {
        if (el.name in body) el.dataset.initial = saved[el.name] == null ? "" : String(saved[el.name]);
      }
      root.querySelector('[data-field-view="title"]').textContent = saved.title;
      document.title = `${saved.title} · Audio · Obscura`;
      toast("Tags saved.", "ok");
    } catch (err) {
      const field = err instanceof ApiError ? (err.message.match(/body\.(\w+)/) || [])[1] : null;
      if (field) edit.querySelector(`[name="${field}"]`)?.setAttribute("aria-invalid", "true");
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    } finally {
      submit.disabled = false;
    }
  }, { signal });
}
