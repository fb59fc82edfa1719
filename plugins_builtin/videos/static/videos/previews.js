// Preview clips on video cards ([data-preview] = the clip's URL): on hover with a mouse, on a long
// press (≈500 ms) with touch — which then does not navigate. The <video> is created when the preview
// starts and removed when it stops, so a grid of 48 cards holds at most one player.

const HOVER_DELAY_MS = 140;
const LONG_PRESS_MS = 500;
const MOVE_TOLERANCE_PX = 10;

let active = null; // { card, video }

function start(card) {
  if (active?.card === card) return;
  stop();
  const thumb = card.querySelector(".thumb");
  const url = card.dataset.preview;
  if (!thumb || !url) return;
  const video = document.createElement("video");
  video.className = "vb-preview";
  video.muted = true;
  video.defaultMuted = true;
  video.playsInline = true;
  video.loop = true;
  video.preload = "none";
  for (const attr of ["muted", "playsinline", "loop", "disablepictureinpicture", "disableremoteplayback"]) {
    video.setAttribute(attr, "");
  }
  video.setAttribute("preload", "none");
  video.setAttribute("aria-hidden", "true");
  video.tabIndex = -1;
  video.addEventListener("playing", () => card.classList.add("is-previewing"));
  video.addEventListener("error", () => stop(card), { once: true });
  video.src = url;
  thumb.append(video);
  active = { card, video };
  video.play().catch(() => {}); // interrupted by stop(), or autoplay refused: the thumbnail stays
}

/** Stop the playing preview (of ``card`` only, when given). */
export function stop(card) {
  if (!active || (card && active.card !== card)) return;
  const { card: current, video } = active;
  active = null;
  current.classList.remove("is-previewing");
  video.pause();
  video.removeAttribute("src");
  video.load(); // releases the connection
  video.remove();
}

function cardOf(target) {
  return target instanceof Element ? target.closest("[data-preview]") : null;
}

/** Hover and long-press previews on the current page, until ``signal`` aborts. */
export function installPreviews(signal) {
  let hoverTimer = 0;
  let press = null; // { card, x, y, timer }
  const on = (target, type, fn, opts = {}) => target.addEventListener(type, fn, { ...opts, signal });
  const cancelPress = () => {
    if (press) clearTimeout(press.timer);
    press = null;
  };
  signal.addEventListener("abort", () => {
    clearTimeout(hoverTimer);
    cancelPress();
    stop();
  });

  // mouse: hover (a short delay, so sweeping across the grid does not start a dozen clips)
  on(document, "pointerover", (e) => {
    if (e.pointerType !== "mouse") return;
    const card = cardOf(e.target);
    if (!card || active?.card === card) return;
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(() => card.matches(":hover") && start(card), HOVER_DELAY_MS);
  });
  on(document, "pointerout", (e) => {
    if (e.pointerType !== "mouse") return;
    const card = cardOf(e.target);
    if (!card || card.contains(e.relatedTarget)) return;
    clearTimeout(hoverTimer);
    stop(card);
  });

  // touch: a long press previews, a touch elsewhere stops it
  on(document, "pointerdown", (e) => {
    if (e.pointerType === "mouse") return;
    const card = cardOf(e.target);
    if (active && active.card !== card) stop();
    cancelPress();
    if (!card) return;
    delete card.dataset.longPressed;
    press = {
      card, x: e.clientX, y: e.clientY,
      timer: setTimeout(() => {
        card.dataset.longPressed = "1";
        start(card);
        navigator.vibrate?.(10);
      }, LONG_PRESS_MS),
    };
  }, { passive: true });
  on(document, "pointermove", (e) => {
    if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > MOVE_TOLERANCE_PX) cancelPress();
  }, { passive: true });
  on(document, "pointerup", cancelPress, { passive: true });
  on(document, "pointercancel", cancelPress, { passive: true });
  // the click that ends a long press must not open the video
  on(document, "click", (e) => {
    const card = cardOf(e.target);
    if (card?.dataset.longPressed) {
      e.preventDefault();
      e.stopPropagation();
      delete card.dataset.longPressed;
    }
  }, { capture: true });
  on(document, "contextmenu", (e) => {
    const card = cardOf(e.target);
    if (card && (press?.card === card || active?.card === card || card.dataset.longPressed)) e.preventDefault();
  });
  // hidden page, or the card went away with the results it was in: nothing keeps playing
  on(document, "visibilitychange", () => document.hidden && stop());
  on(document, "htmx:afterSwap", () => active && !active.card.isConnected && stop());
}
