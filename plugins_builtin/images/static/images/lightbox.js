// The images lightbox: PhotoSwipe 5 (vendored in static/vendor/photoswipe) with Obscura's parts —
// items loaded on demand (a gallery of 5 000 images opens at once), a slideshow with an interval,
// the original file's download, a link to the image's page, a caption with the chapter, and the
// back button closing it (the open lightbox is a #view=N history entry, so it can be linked to).
//
// PhotoSwipe gives keyboard (←/→, Esc, Z), swipe, pinch and wheel zoom, double-tap zoom and the
// preloading of neighbours (`preload`).
import PhotoSwipe from "./vendor/photoswipe/photoswipe.esm.min.js"; // served from ../vendor/photoswipe

const INTERVALS = [3000, 5000, 10000];
const INTERVAL_KEY = "obscura-images-slideshow-interval";
const PREVIEW_SIZE = 1600; // the long side of the lightbox preview (thumbnails.py)
const HASH = /^#view=(\d+)$/;

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function icon(d, cls = "") {
  return `<svg aria-hidden="true" class="pswp__icn ${cls}" viewBox="0 0 32 32" width="32" height="32">`
    + `<path class="pswp__icn-shadow" d="${d}"/><path d="${d}" fill-rule="evenodd"/></svg>`;
}
const ICONS = {
  play: "M11 8.5v15l12.5-7.5z",
  pause: "M10 9h4.5v14H10zM17.5 9H22v14h-4.5z",
  download: "M14.75 7h2.5v10.5l3.6-3.6 1.77 1.77L16 22.3l-6.62-6.63 1.77-1.77 3.6 3.6zM8 23h16v2.5H8z",
  info: "M16 6a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1.25 8.5v8h2.5v-8zm0-4v2.5h2.5v-2.5z",
};

/** The stored slideshow interval (ms). */
export function slideshowInterval() {
  const stored = Number(localStorage.getItem(INTERVAL_KEY));
  return INTERVALS.includes(stored) ? stored : 5000;
}

/** The 1-based position in a #view=N hash, or null. */
export function viewFromHash(hash = location.hash) {
  const m = HASH.exec(hash);
  return m ? Number(m[1]) : null;
}

/**
 * An item as PhotoSwipe wants it, from what a tile or the API knows of an image:
 * {id, title, width, height, thumb, preview, file, zoomable, animated}.
 */
export function slideData(raw) {
  const base = { id: raw.id, title: raw.title, file: raw.file, alt: raw.title };
  const { width: w, height: h } = raw;
  if (w && h && raw.animated && raw.zoomable) return { ...base, src: raw.file, width: w, height: h, msrc: raw.thumb };
  if (w && h && raw.preview) {
    const scale = Math.min(1, PREVIEW_SIZE / Math.max(w, h));
    if (!raw.zoomable) { // a format browsers cannot show (TIFF, HEIC): zoom no further than the preview
      return { ...base, src: raw.preview, width: Math.round(w * scale), height: Math.round(h * scale), msrc: raw.thumb };
    }
    const item = { ...base, src: raw.preview, width: w, height: h, msrc: raw.thumb };
    // deep zoom: the browser takes the original once the zoomed width calls for it
    if (scale < 1) item.srcset = `${raw.preview} ${Math.round(w * scale)}w, ${raw.file} ${w}w`;
    return item;
  }
  if (w && h && raw.zoomable) return { ...base, src: raw.file, width: w, height: h };
  return {
    ...base,
    html: `<div class="lb-missing" role="note">${icon(ICONS.info)}<p><strong>${esc(raw.title)}</strong><br>`
      + `There is no preview of this image. <a href="${esc(raw.file)}" download>Download the original</a></p></div>`,
  };
}

/**
 * Open the lightbox.
 *
 *   source   { total, item(i) → raw image or null, load(i) → Promise } (raw: see slideData)
 *   index    the slide to open (from 0)
 *   signal   the page's AbortSignal: leaving the page destroys the lightbox
 *   thumbFor (i) → the grid's <img> of slide i, for the zoom-in/out animation (optional)
 *   chapterAt (i) → the chapter title at slide i (optional)
 *   slideshow  start playing
 *   fromHistory  the #view=N entry already exists (a link, back/forward): do not push another
 *   onIndex  (i) → called when the slide changes
 */
export function openLightbox({ source, index = 0, signal, thumbFor, chapterAt, slideshow = false, fromHistory = false, onIndex }) {
  let interval = slideshowInterval();
  let playing = false;
  let timer = 0;
  let destroyed = false;
  let pushed = false;
  let closingByHistory = false;
  let leaving = false;
  const pending = new Set();

  const thumb = thumbFor?.(index);
  const pswp = new PhotoSwipe({
    dataSource: [],
    index,
    mainClass: "obscura-lb",
    bgOpacity: 1,
    wheelToZoom: true,
    preload: [1, 2],
    loop: false,
    maxZoomLevel: 6,
    secondaryZoomLevel: (zoom) => Math.max(2 * zoom.initial, Math.min(1, 4 * zoom.initial)),
    showHideAnimationType: thumb ? "zoom" : "fade",
    imageClickAction: "zoom",
    tapAction: "toggle-controls",
    doubleTapAction: "zoom",
    bgClickAction: "close",
    closeTitle: "Close (Esc)",
    zoomTitle: "Zoom (Z)",
    arrowPrevTitle: "Previous (←)",
    arrowNextTitle: "Next (→)",
    indexIndicatorSep: " / ",
    errorMsg: "This image could not be loaded.",
    paddingFn: (viewport) => (viewport.x < 700 ? { top: 0, bottom: 0, left: 0, right: 0 }
      : { top: 56, bottom: 64, left: 64, right: 64 }),
  });

  pswp.addFilter("numItems", () => source.total);
  pswp.addFilter("itemData", (_data, i) => {
    const raw = source.item(i);
    if (raw) return slideData(raw);
    if (!pending.has(i)) {
      pending.add(i);
      source.load(i).then(() => {
        pending.delete(i);
        if (!destroyed && source.item(i)) pswp.refreshSlideContent(i);
      }, (err) => {
        pending.delete(i);
        console.warn("lightbox: could not load image", i, err);
      });
    }
    return { html: '<div class="lb-wait"><span class="spinner" aria-hidden="true"></span><span class="sr-only">Loading</span></div>' };
  });
  pswp.addFilter("thumbEl", (el, _data, i) => thumbFor?.(i) || el);
  pswp.addFilter("placeholderSrc", (src, content) => content.data.msrc || src);

  // ------------------------------------------------------------------ slideshow
  const stop = () => {
    clearTimeout(timer);
    timer = 0;
    pswp.element?.classList.remove("lb-playing");
  };
  const schedule = () => {
    clearTimeout(timer);
    if (!playing || destroyed) return;
    const bar = pswp.element?.querySelector(".lb-progress");
    if (bar) {
      bar.style.setProperty("--lb-interval", `${interval}ms`);
      bar.classList.remove("is-running");
      void bar.offsetWidth; // restart the animation
      bar.classList.add("is-running");
    }
    timer = setTimeout(() => {
      if (pswp.currIndex < source.total - 1) pswp.next();
      else pswp.goTo(0);
    }, interval);
  };
  const setPlaying = (on) => {
    playing = on;
    const button = pswp.element?.querySelector(".pswp__button--slideshow");
    button?.setAttribute("aria-pressed", String(on));
    button?.setAttribute("aria-label", on ? "Pause the slideshow (Space)" : "Play a slideshow (Space)");
    if (button) button.title = button.getAttribute("aria-label");
    pswp.element?.classList.toggle("lb-playing", on);
    if (on) schedule();
    else stop();
  };

  pswp.on("uiRegister", () => {
    pswp.ui.registerElement({
      name: "slideshow",
      order: 8,
      isButton: true,
      ariaLabel: "Play a slideshow (Space)",
      title: "Play a slideshow (Space)",
      html: icon(ICONS.play, "lb-icn-play") + icon(ICONS.pause, "lb-icn-pause"),
      onInit: (el) => el.setAttribute("aria-pressed", "false"),
      onClick: () => setPlaying(!playing),
    });
    pswp.ui.registerElement({
      name: "interval",
      order: 8.5,
      isButton: true,
      html: `<span class="lb-interval">${interval / 1000} s</span>`,
      onInit: (el) => {
        el.setAttribute("aria-label", `Slideshow interval: ${interval / 1000} seconds (change)`);
        el.title = "Slideshow interval";
      },
      onClick: (_e, el) => {
        interval = INTERVALS[(INTERVALS.indexOf(interval) + 1) % INTERVALS.length];
        localStorage.setItem(INTERVAL_KEY, String(interval));
        el.querySelector(".lb-interval").textContent = `${interval / 1000} s`;
        el.setAttribute("aria-label", `Slideshow interval: ${interval / 1000} seconds (change)`);
        if (playing) schedule();
      },
    });
    pswp.ui.registerElement({
      name: "download",
      order: 9,
      isButton: true,
      tagName: "a",
      title: "Download the original",
      html: icon(ICONS.download),
      onInit: (el) => {
        el.setAttribute("download", "");
        const update = () => {
          const data = pswp.currSlide?.data;
          if (data?.file) el.href = data.file;
          else el.removeAttribute("href");
        };
        pswp.on("change", update);
      },
    });
    pswp.ui.registerElement({
      name: "info",
      order: 9.5,
      isButton: true,
      tagName: "a",
      title: "Details and edit",
      html: icon(ICONS.info),
      onInit: (el) => {
        pswp.on("change", () => {
          const id = pswp.currSlide?.data?.id;
          if (id) el.href = `/images/${id}`;
          else el.removeAttribute("href");
        });
      },
    });
    pswp.ui.registerElement({
      name: "caption",
      order: 9,
      appendTo: "root",
      html: "",
      onInit: (el) => {
        el.setAttribute("aria-live", "polite");
        pswp.on("change", () => {
          const data = pswp.currSlide?.data;
          const chapter = chapterAt?.(pswp.currIndex);
          el.innerHTML = data?.title
            ? `<span class="lb-title">${esc(data.title)}</span>${chapter ? `<span class="lb-chapter">${esc(chapter)}</span>` : ""}`
            : "";
        });
      },
    });
    pswp.ui.registerElement({
      name: "progress",
      order: 30,
      appendTo: "root",
      html: "<i></i>",
      className: "lb-progress",
    });
  });

  // the user takes over: the slideshow pauses
  pswp.on("pointerDown", () => playing && setPlaying(false));
  pswp.on("zoomPanUpdate", () => {
    if (playing && pswp.currSlide && pswp.currSlide.currZoomLevel > pswp.currSlide.zoomLevels.initial + 0.01) {
      setPlaying(false);
    }
  });
  pswp.on("keydown", (e) => {
    const key = e.originalEvent.key;
    if (key === " " || key === "Spacebar") {
      e.preventDefault();
      e.originalEvent.preventDefault();
      setPlaying(!playing);
    }
  });

  // ------------------------------------------------------------------ history: #view=N
  const hashUrl = (i) => `${location.pathname}${location.search}#view=${i + 1}`;
  pswp.on("change", () => {
    if (destroyed) return;
    onIndex?.(pswp.currIndex);
    if (pushed || fromHistory) history.replaceState(history.state, "", hashUrl(pswp.currIndex));
    if (playing) schedule();
  });
  const onPop = () => {
    if (destroyed) return;
    const view = viewFromHash();
    if (view === null) {
      closingByHistory = true;
      pswp.close();
    } else if (view - 1 !== pswp.currIndex && view >= 1 && view <= source.total) {
      pswp.goTo(view - 1);
    }
  };
  window.addEventListener("popstate", onPop, { signal });

  pswp.on("close", () => {
    stop();
    playing = false;
    if (leaving) return; // the page is going away: history already moved on
    // close onto the tile of the image shown last
    thumbFor?.(pswp.currIndex)?.scrollIntoView({ block: "nearest" });
    if (closingByHistory) return;
    if (pushed) history.back();
    else if (viewFromHash() !== null) history.replaceState(history.state, "", `${location.pathname}${location.search}`);
  });
  pswp.on("destroy", () => {
    destroyed = true;
    window.removeEventListener("popstate", onPop);
  });
  signal?.addEventListener("abort", () => {
    leaving = true;
    if (destroyed) return;
    pswp.destroy(); // closes at once (no animation), then destroys
    if (!pswp.isDestroying) { // still opening: PhotoSwipe's close() would wait for that
      pswp.isDestroying = true;
      pswp.destroy();
    }
  }, { once: true });

  if (!fromHistory) {
    history.pushState(history.state, "", hashUrl(index));
    pushed = true;
  }
  pswp.init();
  if (slideshow) setPlaying(true);
  return pswp;
}
