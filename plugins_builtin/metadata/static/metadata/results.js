// Scrape result cards (templates/metadata/_result.html), shared by the "Scrape with…" panel and the
// review page: the field and name checkboxes kept in step, the accept body built from them, accepting
// (a metadata-import job, followed until it ends) and rejecting.
//
//   bindCards(root, { signal, onApplied(card, run), onRejected(card) })
//
// listens on `root` for the cards' checkboxes and Accept / Reject buttons. Errors are shown in the
// card itself ([data-error], the API envelope's message); progress in its [data-status-line].
import { get, post } from "/static/js/api.js";

const POLL_MS = 600;
const WAIT_LIMIT_MS = 120_000;
const RUNNING = ["waiting", "active"];

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function rows(card) {
  return [...card.querySelectorAll("tr[data-field]")];
}

/** The accept body of a card: the ticked fields, and the unticked names of performers and tags. */
export function acceptBody(card) {
  const body = { resultId: card.dataset.result, fields: [] };
  for (const row of rows(card)) {
    const box = row.querySelector('input[name="field"]');
    if (!box?.checked) continue;
    const names = [...row.querySelectorAll("input[data-name]")];
    if (names.length) {
      const left = names.filter((n) => !n.checked).map((n) => n.value);
      if (left.length === names.length) continue; // every name unticked: the field stays as it is
      if (left.length && row.dataset.exclude) body[row.dataset.exclude] = left;
    }
    body.fields.push(row.dataset.field);
  }
  return body;
}

/** Keep a row's field checkbox and its name checkboxes in step after `input` changed. */
export function syncRow(input) {
  const row = input.closest("tr[data-field]");
  if (!row) return;
  const box = row.querySelector('input[name="field"]');
  const names = [...row.querySelectorAll("input[data-name]")];
  if (input === box && box.checked && names.length && names.every((n) => !n.checked)) {
    names.forEach((n) => (n.checked = true));
  } else if (input.matches("[data-name]") && box) {
    box.checked = names.some((n) => n.checked);
  }
  if (box) row.classList.toggle("is-on", box.checked);
}

function say(card, text, { link = null } = {}) {
  const line = card.querySelector("[data-status-line]");
  if (!line) return;
  line.textContent = text;
  if (link) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    line.append(" ", a);
  }
}

function fail(card, message) {
  const box = card.querySelector("[data-error]");
  if (!box) return;
  box.textContent = message || "";
  box.hidden = !message;
}

function busy(card, on) {
  card.dataset.state = on ? "working" : "";
  card.setAttribute("aria-busy", String(on));
  for (const el of card.querySelectorAll("button, input")) el.disabled = on;
}

/** Follow a job run until it ends; `null` when it is still pending after the limit (or aborted). */
export async function waitForRun(runId, { signal, onStatus } = {}) {
  const started = Date.now();
  let last = "";
  while (!signal?.aborted) {
    const run = await get(`/api/jobs/${encodeURIComponent(runId)}`);
    if (run.status !== last) {
      last = run.status;
      onStatus?.(run);
    }
    if (!RUNNING.includes(run.status)) return run;
    if (Date.now() - started > WAIT_LIMIT_MS) return null;
    await sleep(POLL_MS, signal);
  }
  return null;
}

async function accept(card, { signal, onApplied }) {
  const body = acceptBody(card);
  if (!body.fields.length) {
    fail(card, "Tick at least one field to accept, or reject the result.");
    return;
  }
  fail(card, "");
  busy(card, true);
  say(card, "Sending…");
  try {
    const { jobRunId } = await post(card.dataset.acceptUrl, body);
    const run = await waitForRun(jobRunId, {
      signal,
      onStatus: (r) => say(card, r.status === "active" ? "Applying…" : "Queued: waiting for a worker…"),
    });
    if (signal?.aborted) return;
    if (run === null) {
      say(card, "Still waiting for a worker; the changes show once the job has run.", {
        link: { href: "/operations", text: "Operations" },
      });
      return;
    }
    if (run.status !== "completed") {
      busy(card, false);
      say(card, "");
      fail(card, `The job ${run.status === "failed" ? "failed" : `was ${run.status}`}: ${run.error || "no reason given"}`);
      return;
    }
    card.dataset.state = "applied";
    say(card, "Applied.");
    await onApplied?.(card, run);
  } catch (err) {
    if (signal?.aborted) return;
    busy(card, false);
    say(card, "");
    fail(card, err.message || "The server cannot be reached.");
  }
}

async function reject(card, { signal, onRejected }) {
  fail(card, "");
  busy(card, true);
  say(card, "Rejecting…");
  try {
    await post(`/api/scrape-results/${encodeURIComponent(card.dataset.result)}/reject`, {});
    if (signal?.aborted) return;
    card.dataset.state = "rejected";
    say(card, "Rejected.");
    await onRejected?.(card);
  } catch (err) {
    if (signal?.aborted) return;
    busy(card, false);
    say(card, "");
    fail(card, err.message || "The server cannot be reached.");
  }
}

/** What an applied run changed, for a toast, in the card's order: "Applied title, date and studio." */
export function appliedSummary(run, card) {
  const applied = new Set(run?.result?.fields ?? []);
  const names = card
    ? rows(card).filter((r) => applied.has(r.dataset.field)).map((r) => {
      const label = r.querySelector(".md-col-field label, .md-col-field")?.textContent.trim() || r.dataset.field;
      return label === "URLs" ? label : label.toLowerCase();
    })
    : [...applied];
  if (!names.length) return "Accepted; nothing needed changing.";
  const shown = names.length > 6 ? [...names.slice(0, 5), `${names.length - 5} more`] : names;
  const text = shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}` : shown[0];
  return `Applied ${text}.`;
}

/** Listen for the cards' checkboxes and buttons inside `root` (until `signal` aborts). */
export function bindCards(root, { signal, onApplied, onRejected } = {}) {
  root.addEventListener("change", (e) => {
    if (e.target.closest?.("[data-result]") && e.target.matches("input[type=checkbox]")) syncRow(e.target);
  }, { signal });
  root.addEventListener("click", (e) => {
    const button = e.target.closest?.("button[data-accept], button[data-reject]");
    const card = button?.closest("[data-result]");
    if (!card || button.disabled || !root.contains(card)) return;
    if (button.matches("[data-accept]")) accept(card, { signal, onApplied });
    else reject(card, { signal, onRejected });
  }, { signal });
}
