// The contributions page (/stashbox/contributions, templates/stashbox/contributions.html): "Submit"
// posts the video's fingerprints to that endpoint (contribute.js), says what happened in the status
// line, then reloads the list (data-list-url) so each fingerprint's state is the server's.
import { toast } from "/static/js/ui.js";
import { describeSubmission, submitFingerprints } from "./contribute.js";

export function mount({ root, signal }) {
  const box = root.querySelector("[data-contributions]");
  if (!box) return;
  const list = box.querySelector("[data-contrib-list]");
  const status = box.querySelector("[data-contrib-status]");

  async function reload() {
    list.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(box.dataset.listUrl, { headers: { Accept: "text/html" }, signal });
      if (!res.ok) throw new Error(`The list could not be loaded (the server answered ${res.status}).`);
      list.innerHTML = await res.text();
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  async function submit(button) {
    const video = button.closest("[data-video]");
    const endpoint = button.closest("[data-endpoint-id]");
    const title = video.querySelector("h3")?.textContent.trim() || "the video";
    const name = endpoint.querySelector(".sb-contrib-name")?.textContent.trim() || "the server";
    button.disabled = true;
    status.className = "sb-contrib-status is-working";
    status.textContent = `Submitting ${title} to ${name}…`;
    try {
      const answer = await submitFingerprints(endpoint.dataset.endpointId, video.dataset.video);
      if (signal.aborted) return;
      const { ok, text } = describeSubmission(answer);
      status.className = `sb-contrib-status ${ok ? "is-ok" : "is-error"}`;
      status.textContent = `${title} → ${name}: ${text}`;
      await reload();
    } catch (err) {
      if (signal.aborted) return;
      status.className = "sb-contrib-status is-error";
      status.textContent = `${title} → ${name}: ${err.message || "the server cannot be reached."}`;
      toast(err.message || "The server cannot be reached.", "error");
      button.disabled = false;
    }
  }

  box.addEventListener("click", (e) => {
    const button = e.target.closest?.("button[data-submit-contribution]");
    if (button && box.contains(button)) submit(button);
  }, { signal });
  box.querySelector("[data-endpoint-filter]")?.addEventListener("change", (e) => e.target.form.requestSubmit(), { signal });
  box.dataset.ready = "true";
}
