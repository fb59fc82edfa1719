// Operations page: queue actions, run actions, filters kept in the URL, and the live refresh of the
// two htmx regions (#ops-queues, #ops-runs). Polling pauses while the tab is hidden, while the user
// presses a button in a live region, while a dialog is open, or when "Pause updates" is on.
// Page contract (js/navigate.js): mount() wires the page; every document/window listener takes the
// page's abort signal, so leaving the page (soft navigation) removes them.
import { post } from "/static/js/api.js";
import { confirmDialog, toast } from "/static/js/ui.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function mount({ signal }) {
  const htmx = window.htmx;
  const regions = [...document.querySelectorAll("[data-live]")];
  const runsRegion = document.getElementById("ops-runs");
  const filterForm = document.getElementById("runs-filter");
  const statusLine = document.getElementById("ops-status");
  const liveButton = document.getElementById("toggle-live");
  const indicator = document.querySelector("[data-live-indicator]");

  let paused = false;
  let pointerDown = false;
  let skippedSwap = false;

  // ------------------------------------------------------------------------------- live refresh

  function refresh(which = regions) {
    for (const el of which) {
      el.dataset.force = "1";
      htmx.trigger(el, "refresh");
    }
  }

  function dialogOpen() {
    return !!document.querySelector("dialog[open]");
  }

  document.body.addEventListener("htmx:beforeRequest", (e) => {
    const el = e.detail.elt;
    if (!regions.includes(el)) return;
    if (el.dataset.force) {
      delete el.dataset.force;
      return;
    }
    if (paused || document.hidden || pointerDown || dialogOpen()) e.preventDefault();
  }, { signal });

  document.body.addEventListener("htmx:beforeSwap", (e) => {
    // Replacing a button between pointerdown and pointerup would swallow the click: wait.
    if (pointerDown && regions.includes(e.detail.target)) {
      e.detail.shouldSwap = false;
      skippedSwap = true;
    }
  }, { signal });

  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target?.id === "ops-queues") announce();
  }, { signal });

  // 204 (nothing changed) has no swap: clear the busy state once any answer is in.
  document.body.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt === runsRegion) runsRegion.removeAttribute("aria-busy");
  }, { signal });

  document.addEventListener("pointerdown", (e) => {
    if (regions.some((r) => r.contains(e.target))) pointerDown = true;
  }, { signal });
  for (const type of ["pointerup", "pointercancel"]) {
    document.addEventListener(type, () => {
      if (!pointerDown) return;
      pointerDown = false;
      if (skippedSwap) {
        skippedSwap = false;
        setTimeout(() => refresh(), 50);
      }
    }, { signal });
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !paused) refresh();
  }, { signal });

  // The screen-reader status line only speaks when the totals change.
  function announce() {
    const summary = document.querySelector("#ops-queues [data-summary]")?.dataset.summary;
    if (!summary || summary === statusLine.dataset.announced) return;
    statusLine.dataset.announced = summary;
    statusLine.textContent = summary;
  }

  function setPaused(value) {
    paused = value;
    liveButton.setAttribute("aria-pressed", String(paused));
    liveButton.querySelector("span").textContent = paused ? "Resume updates" : "Pause updates";
    liveButton.querySelector("use").setAttribute("href", `/static/icons.svg#${paused ? "play" : "pause"}`);
    indicator.classList.toggle("is-paused", paused);
    indicator.querySelector("[data-live-label]").textContent = paused ? "Paused" : "Live";
    if (!paused) refresh();
  }

  // ------------------------------------------------------------------------------- filters in the URL

  function formQuery() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(filterForm)) {
      if (value && !(key === "page" && value === "1")) params.set(key, value);
    }
    const qs = params.toString();
    return qs ? `?${qs}` : "";
  }

  function applyParams(params) {
    filterForm.elements.queue.value = params.get("queue") || "";
    filterForm.elements.status.value = params.get("status") || "";
    filterForm.elements.page.value = params.get("page") || "1";
    // An unknown queue/status leaves the select on a blank option: show "all" instead.
    if (filterForm.elements.queue.selectedIndex < 0) filterForm.elements.queue.value = "";
    if (filterForm.elements.status.selectedIndex < 0) filterForm.elements.status.value = "";
  }

  function filterChanged({ push = true } = {}) {
    if (push) history.pushState(null, "", `${location.pathname}${formQuery()}`);
    runsRegion.setAttribute("aria-busy", "true");
    refresh([runsRegion]);
  }

  filterForm.addEventListener("change", () => {
    filterForm.elements.page.value = "1";
    filterChanged();
  });
  filterForm.addEventListener("submit", (e) => {
    e.preventDefault();
    filterChanged();
  });
  window.addEventListener("popstate", () => {
    applyParams(new URLSearchParams(location.search));
    filterChanged({ push: false });
  }, { signal });

  // Links that change the filters (queue "Runs", pager, "Show all runs") stay on the page.
  document.addEventListener("click", (e) => {
    const link = e.target.closest("a[data-filter-link]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    applyParams(new URL(link.href).searchParams);
    filterChanged();
    const heading = document.getElementById("runs-title");
    if (!link.closest("#ops-runs")) heading.scrollIntoView({ behavior: "smooth", block: "start" });
    if (!link.id) heading.focus({ preventScroll: true });
  }, { signal });

  // ------------------------------------------------------------------------------- actions

  async function act(button, work) {
    if (button.getAttribute("aria-disabled") === "true") {
      if (button.title) toast(button.title);
      return;
    }
    if (button.dataset.busy) return;
    button.dataset.busy = "1";
    button.setAttribute("aria-busy", "true");
    try {
      const message = await work();
      if (message) toast(message, "ok");
    } catch (err) {
      toast(err.message || "The request failed.", "error");
    } finally {
      delete button.dataset.busy;
      button.removeAttribute("aria-busy");
      refresh();
    }
  }

  const actions = {
    "toggle-live": () => setPaused(!paused),

    "run-queue": (b) =>
      act(b, async () => {
        const { count } = await post(`/api/jobs/queues/${encodeURIComponent(b.dataset.queue)}/run`, {});
        return count
          ? `Queued ${plural(count, "run")} of “${b.dataset.label}”.`
          : `Nothing to do: “${b.dataset.label}” is up to date.`;
      }),

    "cancel-queue": (b) =>
      act(b, async () => {
        const ok = await confirmDialog({
          title: `Cancel all runs of “${b.dataset.label}”?`,
          message: "Waiting runs are dropped and running ones are stopped. You can retry them afterwards.",
          confirmLabel: "Cancel runs",
          danger: true,
        });
        if (!ok) return null;
        const { count } = await post(`/api/jobs/queues/${encodeURIComponent(b.dataset.queue)}/cancel`, {});
        return `Cancelled ${plural(count, "run")} of “${b.dataset.label}”.`;
      }),

    "ack-failed": (b) =>
      act(b, async () => {
        const body = b.dataset.queue ? { queueName: b.dataset.queue } : {};
        const { count } = await post("/api/jobs/acknowledge-failed", body);
        return `Acknowledged ${plural(count, "failed run")}.`;
      }),

    "cancel-run": (b) =>
      act(b, async () => {
        await post(`/api/jobs/${encodeURIComponent(b.dataset.runId)}/cancel`, {});
        return `Cancelled “${b.dataset.label}”.`;
      }),

    "retry-run": (b) =>
      act(b, async () => {
        await post(`/api/jobs/${encodeURIComponent(b.dataset.runId)}/retry`, {});
        return `Queued “${b.dataset.label}” again.`;
      }),
  };

  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-action]");
    if (!button || !actions[button.dataset.action]) return;
    e.preventDefault();
    actions[button.dataset.action](button);
  }, { signal });

  return { handlesHistory: true };
}
