// The slideshow: a collection's pictures (image previews, video thumbnails, covers) full screen.
// ←/→ previous/next, space pause/play, Esc close; the interval comes from the collection and can be
// changed while it runs. Members are read through the items API, 500 at a time.

import { get } from "/static/js/api.js";
import { icon } from "/static/js/ui.js";

const PAGE = 500;
const MAX_PAGES = 10;

async function loadSlides(collectionId, signal) {
  const slides = [];
  for (let page = 1; page <= MAX_PAGES && !signal.aborted; page++) {
    const data = await get(`/api/collections/${collectionId}/items?page=${page}&perPage=${PAGE}`);
    for (const it of data.items) {
      if (it.available) slides.push({ title: it.title, src: it.imageUrl || it.thumbnailUrl, url: it.url });
    }
    if (page * PAGE >= data.total) break;
  }
  return slides;
}

export function installSlideshow(root, { collectionId, settings, signal }) {
  const box = root.querySelector("[data-slideshow]");
  const img = box.querySelector("[data-show-image]");
  const empty = box.querySelector("[data-show-empty]");
  const title = box.querySelector("[data-show-title]");
  const position = box.querySelector("[data-show-position]");
  const toggle = box.querySelector("[data-show-toggle]");
  const interval = box.querySelector("[data-show-interval]");
  let slides = [];
  let index = 0;
  let playing = settings.autoAdvance;
  let timer = 0;
  let opener = null;

  const seconds = () => Math.max(1, Number(interval.value) || settings.seconds || 5);

  function schedule() {
    clearTimeout(timer);
    if (playing && slides.length > 1 && !box.hidden) timer = setTimeout(() => show(index + 1), seconds() * 1000);
  }

  function show(i) {
    if (!slides.length) return;
    index = (i + slides.length) % slides.length;
    const s = slides[index];
    box.dataset.index = String(index);
    title.textContent = s.title;
    position.textContent = `${index + 1} / ${slides.length}`;
    if (s.src) {
      img.hidden = false;
      empty.hidden = true;
      img.src = s.src;
      img.alt = s.title;
    } else {
      img.hidden = true;
      img.removeAttribute("src");
      empty.hidden = false;
    }
    // warm the next picture so advancing is instant
    const next = slides[(index + 1) % slides.length];
    if (next?.src) new Image().src = next.src;
    schedule();
  }

  function setPlaying(on) {
    playing = on;
    box.dataset.playing = on ? "true" : "false";
    toggle.innerHTML = icon(on ? "pause" : "play");
    toggle.setAttribute("aria-label", on ? "Pause (space)" : "Play (space)");
    schedule();
  }

  async function open(start = 0) {
    opener = document.activeElement;
    box.hidden = false;
    document.documentElement.classList.add("co-show-open");
    box.focus();
    title.textContent = "Loading…";
    position.textContent = "";
    try {
      slides = await loadSlides(collectionId, signal);
    } catch (err) {
      title.textContent = err.message;
      return;
    }
    if (!slides.length) {
      title.textContent = "Nothing to show";
      return;
    }
    setPlaying(settings.autoAdvance);
    show(start);
  }

  function close() {
    clearTimeout(timer);
    box.hidden = true;
    document.documentElement.classList.remove("co-show-open");
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    opener?.focus?.();
  }

  box.addEventListener("click", (e) => {
    if (e.target.closest("[data-show-prev]")) show(index - 1);
    else if (e.target.closest("[data-show-next]")) show(index + 1);
    else if (e.target.closest("[data-show-toggle]")) setPlaying(!playing);
    else if (e.target.closest("[data-show-close]")) close();
  }, { signal });
  interval.addEventListener("change", schedule, { signal });
  document.addEventListener("keydown", (e) => {
    if (box.hidden || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target.closest?.("select, input")) return;
    if (e.key === "ArrowLeft") show(index - 1);
    else if (e.key === "ArrowRight") show(index + 1);
    else if (e.key === " ") setPlaying(!playing);
    else if (e.key === "Escape") close();
    else return;
    e.preventDefault();
  }, { signal });
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    document.documentElement.classList.remove("co-show-open");
  });
  return { open, close };
}
