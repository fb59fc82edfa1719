// The rest of the video page: side tabs (Details / Markers / Transcript / Edit), the edit form
// (PATCH, with the server's validation messages shown next to their fields), and the actions:
// thumbnail from the current frame, rebuild previews, delete.

import { ApiError, del, patch, post } from "/static/js/api.js";
import { formatDateTime, formatTime } from "/static/js/format.js";
import { confirmDialog, toast } from "/static/js/ui.js";

const TAB_KEY = "obscura-video-tab";

function store(key, value) {
  try {
    if (value === undefined) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch { /* private mode */ }
  return null;
}

// ------------------------------------------------------------------ tabs
function installTabs(ctx) {
  const tablist = document.querySelector(".vp-tabs");
  if (!tablist) return;
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const nameOf = (tab) => tab.id.replace("vp-tab-", "");

  function select(name, { focus = false, remember = true } = {}) {
    const tab = tabs.find((t) => nameOf(t) === name) ?? tabs[0];
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    if (remember) store(TAB_KEY, nameOf(tab));
    ctx.events.dispatchEvent(new CustomEvent("tab", { detail: { tab: nameOf(tab) } }));
  }

  tablist.addEventListener("click", (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab) select(nameOf(tab));
  });
  tablist.addEventListener("keydown", (e) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(nameOf(tabs[(to + tabs.length) % tabs.length]), { focus: true });
  });
  ctx.events.addEventListener("show-tab", (e) => select(e.detail.tab, { focus: Boolean(e.detail.focus), remember: false }));

  const saved = store(TAB_KEY);
  select(saved && tabs.some((t) => nameOf(t) === saved) ? saved : "details", { remember: false });
}

// ------------------------------------------------------------------ facts & heading
function setFact(key, text) {
  const dd = document.querySelector(`[data-fact="${key}"]`);
  if (dd) dd.textContent = text;
}

function renderHeading(video) {
  document.getElementById("vp-title").textContent = video.title;
  document.title = `${video.title} · Obscura`;
  const stars = document.getElementById("vp-head-rating");
  stars.hidden = video.rating == null;
  stars.setAttribute("aria-label", `Rated ${video.rating ?? 0} out of 100`);
  stars.querySelector(".vp-stars-fill").style.width = `${video.rating ?? 0}%`;
  document.getElementById("vp-head-organized").hidden = !video.organized;
  const details = document.getElementById("vp-details-text");
  details.textContent = video.details ?? "";
  details.closest("section").hidden = !video.details;
  document.querySelector('[data-vp="bigplay"]')?.setAttribute("aria-label", `Play ${video.title}`);
}

function localTimes() {
  for (const el of document.querySelectorAll(".vp-facts time[datetime]")) {
    const text = formatDateTime(el.dateTime);
    if (text) {
      el.title = el.textContent;
      el.textContent = text;
    }
  }
}

// ------------------------------------------------------------------ edit form
const FIELDS = ["title", "date", "rating", "details", "organized"];

function installEdit(ctx) {
  const form = document.getElementById("vp-edit");
  if (!form) return;
  const submit = form.querySelector('[type="submit"]');
  const rating = form.elements.rating;
  const ratingBox = form.querySelector('[data-vp="rating"]');
  const ratingOut = form.querySelector('[data-vp="rating-out"]');
  let saved = { ...ctx.data };

  function renderRating() {
    const empty = ratingBox.dataset.empty === "true";
    ratingOut.textContent = empty ? "—" : rating.value;
    rating.setAttribute("aria-valuetext", empty ? "Not rated" : `${rating.value} out of 100`);
    ratingBox.querySelector(".vp-stars-fill").style.width = `${empty ? 0 : rating.value}%`;
    rating.style.setProperty("--vp-fill", `${empty ? 0 : rating.value}%`);
  }

  function values() {
    return {
      title: form.elements.title.value.trim(),
      date: form.elements.date.value || null,
      rating: ratingBox.dataset.empty === "true" ? null : Number(rating.value),
      details: form.elements.details.value.trim() || null,
      organized: form.elements.organized.checked,
    };
  }

  function changes() {
    const now = values();
    const out = {};
    for (const key of FIELDS) {
      const before = saved[key] ?? null;
      if (now[key] !== before && !(key === "details" && (before ?? "").trim() === (now[key] ?? ""))) out[key] = now[key];
    }
    return out;
  }

  function clearErrors() {
    for (const el of form.querySelectorAll("[data-error-for]")) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute("aria-invalid");
  }

  function showError(field, message) {
    const slot = form.querySelector(`[data-error-for="${field}"]`) ?? form.querySelector('[data-error-for="form"]');
    slot.textContent = message;
    slot.hidden = false;
    form.elements[field]?.setAttribute?.("aria-invalid", "true");
  }

  // "body.title: Value error, title cannot be blank; body.date: String should match …"
  function showServerErrors(message) {
    let placed = false;
    for (const part of message.split("; ")) {
      const m = /^body\.([A-Za-z]+)(?:\.[^:]*)?:\s*(.+)$/.exec(part);
      if (m && FIELDS.includes(m[1])) {
        showError(m[1], m[2].replace(/^Value error, /, "").replace(/^./, (c) => c.toUpperCase()));
        placed = true;
      }
    }
    if (!placed) showError("form", message);
    form.querySelector('[aria-invalid="true"]')?.focus();
  }

  function refresh() {
    submit.disabled = Object.keys(changes()).length === 0;
  }

  function fill(video) {
    form.elements.title.value = video.title;
    form.elements.date.value = video.date ?? "";
    rating.value = String(video.rating ?? 0);
    ratingBox.dataset.empty = String(video.rating == null);
    form.elements.details.value = video.details ?? "";
    form.elements.organized.checked = Boolean(video.organized);
    renderRating();
    refresh();
  }

  rating.addEventListener("input", () => {
    ratingBox.dataset.empty = "false";
    renderRating();
  });
  form.querySelector('[data-vp="rating-clear"]').addEventListener("click", () => {
    ratingBox.dataset.empty = "true";
    rating.value = "0";
    renderRating();
    refresh();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  form.addEventListener("reset", (e) => {
    e.preventDefault();
    clearErrors();
    fill(saved);
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    const body = changes();
    if (!Object.keys(body).length) return;
    if ("title" in body && !body.title) {
      showError("title", "A title is required.");
      form.elements.title.focus();
      return;
    }
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    try {
      const video = await patch(`/api/videos/${encodeURIComponent(ctx.data.id)}`, body);
      saved = { ...video };
      Object.assign(ctx.data, { title: video.title, date: video.date, rating: video.rating, details: video.details, organized: video.organized });
      fill(video);
      renderHeading(video);
      setFact("updatedAt", formatDateTime(video.updatedAt));
      toast("Saved.", "ok");
      ctx.announce("Changes saved");
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) showServerErrors(err.message);
      else showError("form", `The changes could not be saved: ${err.message}`);
      refresh();
    } finally {
      submit.removeAttribute("aria-busy");
    }
  });
  fill(saved);
}

// ------------------------------------------------------------------ actions
function installActions(ctx) {
  const id = encodeURIComponent(ctx.data.id);
  const buttons = (name) => [...document.querySelectorAll(`[data-action="${name}"]`)];
  const busy = async (button, work) => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await work();
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  };

  for (const b of buttons("add-marker")) b.addEventListener("click", () => ctx.markers.add());

  for (const b of buttons("thumbnail")) {
    b.addEventListener("click", () => busy(b, async () => {
      const seconds = Math.round(ctx.video.currentTime * 1000) / 1000;
      try {
        const video = await post(`/api/videos/${id}/thumbnail/from-frame`, { seconds });
        if (video.thumbnailUrl) {
          ctx.video.poster = video.thumbnailUrl;
          ctx.root.querySelector(".vp-noposter")?.remove();
        }
        toast(`The frame at ${formatTime(seconds)} is now the thumbnail.`, "ok");
      } catch (err) {
        toast(`No thumbnail: ${err.message}`, "error");
      }
    }));
  }

  for (const b of buttons("rebuild")) {
    b.addEventListener("click", () => busy(b, async () => {
      try {
        const job = await post(`/api/jobs/rebuild-preview/${id}`);
        toast(`Rebuilding the previews (job ${job.jobRunId}). The thumbnail and trickplay come back when it finishes.`, "ok", 7000);
      } catch (err) {
        toast(`Previews could not be rebuilt: ${err.message}`, "error");
      }
    }));
  }

  for (const b of buttons("delete")) {
    b.addEventListener("click", async () => {
      const label = document.createElement("label");
      label.className = "switch vp-delete-file";
      label.innerHTML = `<input type="checkbox" name="deleteFile"> <span>Also delete the file from disk</span>`;
      const ok = await confirmDialog({
        title: `Delete “${ctx.data.title}”?`,
        message: "Obscura forgets this video, its markers, subtitles and generated previews. "
          + "The file stays on disk unless you tick the box; a later scan would add it again.",
        confirmLabel: "Delete",
        danger: true,
        extra: label,
      });
      if (!ok) return;
      const deleteFile = label.querySelector("input").checked;
      await busy(b, async () => {
        try {
          ctx.video.pause();
          const result = await del(`/api/videos/${id}?deleteFile=${deleteFile}`);
          toast(result.fileDeleted ? "Deleted, file included." : "Deleted.", "ok");
          location.assign("/videos");
        } catch (err) {
          toast(`The video could not be deleted: ${err.message}`, "error");
        }
      });
    });
  }

  // nothing above works before the script runs: the buttons are disabled in the HTML
  for (const name of ["add-marker", "thumbnail", "rebuild", "delete"]) for (const b of buttons(name)) b.disabled = false;
  if (!ctx.data.duration) for (const b of [...buttons("thumbnail"), ...buttons("rebuild")]) b.disabled = true;
}

export function installSide(ctx) {
  installTabs(ctx);
  installEdit(ctx);
  installActions(ctx);
  localTimes();
  ctx.events.addEventListener("played", (e) => {
    setFact("playCount", String(e.detail.playCount));
  });
}
