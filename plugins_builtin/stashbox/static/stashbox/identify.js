// Identify with StashBox (/stashbox/identify, templates/stashbox/identify.html), Stash's tagger:
//
// Identify: POST /api/stashbox-endpoints/<id>/identify with the chosen videos ({videoIds} or
//   {filter: {organized, rootId, kind, seriesId}}), the method (action findByFingerprint, or the whole
//   cascade) and autoAccept. The answer counts the jobs it enqueued ({enqueued, entities}); the page
//   finds those runs in the metadata-import queue and follows them (GET /api/jobs while they wait or
//   run, GET /api/jobs/<id> once each has ended), then reloads the review. Runs of an earlier visit
//   that are still going are picked up the same way.
//
// Review: the pending StashBox results (GET /api/scrape-results?status=pending&source=stashbox), by
//   video, a page of videos at a time. Each video's head is /stashbox/fragments/identify-targets; its
//   result cards are the metadata plugin's own (/metadata/fragments/results, with its results.js for
//   the checkboxes, Accept and Reject). The proposed studio, performers and tags get a mark: "matched"
//   when one of ours has that name or alias (and says whether it already has that stash id), "new"
//   when accepting would create it. "Accept all single matches" accepts, in one request
//   (POST /api/scrape-results/accept), every video's result when it is that video's only one and
//   matched by fingerprint or stash id.
import { get, post } from "/static/js/api.js";
import { plural } from "/static/js/format.js";
import { confirmDialog, toast } from "/static/js/ui.js";
import { appliedSummary, bindCards, waitForRun } from "/static/metadata/results.js";
import { json, limited, nameKey } from "./common.js";

const QUEUE = "metadata-import";
const POLL_MS = 800;
const RUNNING = ["waiting", "active"];
const GROUPS_PER_PAGE = 10;
const RESULTS_PER_REQUEST = 500;
const RESULTS_CAP = 5000;
const SINGLE_MATCHES = new Set(["fingerprint", "stashid"]);
const CARDS_URL = "/metadata/fragments/results";
/** Proposed fields naming linked objects → [entity type, list API, page path, noun]. */
const LINKED = {
  studio: ["studio", "/api/studios", "/studios", "studio"],
  performers: ["performer", "/api/performers", "/performers", "performer"],
  tags: ["tag", "/api/tags", "/tags", "tag"],
};
/** Where an entity type's JSON is, for its picture (the card's "current image"). */
const ENTITY_API = { video: "/api/videos", performer: "/api/performers" };

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

async function html(url, signal) {
  const res = await fetch(url, { headers: { Accept: "text/html" }, signal });
  if (!res.ok) throw new Error(`The server answered ${res.status} for ${new URL(url, location.href).pathname}.`);
  return res.text();
}

function isIdentifyRun(run, endpointId = null) {
  const p = run?.payload ?? {};
  return p.op === "scrape" && p.source === "stashbox" && Array.isArray(p.entityIds)
    && (endpointId === null || p.sourceId === endpointId);
}

export function mount({ root, signal }) {
  const box = root.querySelector("[data-identify]");
  if (!box) return;
  const endpoints = new Map(json(box.querySelector("[data-endpoints]")?.textContent, []).map((e) => [e.id, e]));
  const form = box.querySelector("[data-identify-form]");
  const review = box.querySelector("[data-review]");
  const groupsBox = review.querySelector("[data-groups]");
  const pager = review.querySelector("[data-pager]");
  const singlesButton = review.querySelector("[data-accept-singles]");
  let results = []; // every pending StashBox result loaded (newest first)
  let groups = []; // [{key, type, id, results: [...]}] in the order of their newest result
  let page = 1;
  let loading = null;
  const lookups = new Map(); // "performer:jane roe:<remote id>:<endpoint>" → Promise<match>
  const pictures = new Map(); // "video:<id>" → Promise<url | null>

  // ---------------------------------------------------------------------------------------- identify

  const runBox = box.querySelector("[data-progress]");
  const tracked = new Map(); // run id → run
  let following = false;

  function formError(message) {
    const el = form?.querySelector("[data-identify-error]");
    if (!el) return;
    el.textContent = message || "";
    el.hidden = !message;
  }

  function syncScope() {
    if (!form) return;
    const chosen = form.elements.scope?.value === "chosen";
    for (const el of form.querySelectorAll("[data-filters] select")) el.disabled = chosen;
  }

  function identifyBody() {
    const f = form.elements;
    const out = { autoAccept: f.autoAccept.checked };
    if (f.action.value) out.action = f.action.value;
    if (f.scope.value === "chosen") {
      out.videoIds = [...form.querySelectorAll('input[name="ids"]')].map((i) => i.value);
      return out;
    }
    const filter = {};
    if (f.scope.value === "unorganized") filter.organized = false;
    if (f.rootId.value) filter.rootId = f.rootId.value;
    if (f.kind.value) filter.kind = f.kind.value;
    if (f.seriesId?.value) filter.seriesId = f.seriesId.value;
    out.filter = filter;
    return out;
  }

  async function recentRuns() {
    const data = await get(`/api/jobs?queue=${QUEUE}&perPage=100`);
    return data.items.filter((r) => isIdentifyRun(r));
  }

  async function identify(e) {
    e.preventDefault();
    const endpointId = form.elements.endpoint.value;
    const name = endpoints.get(endpointId)?.name || "the server";
    const status = form.querySelector("[data-run-status]");
    const button = form.querySelector("[data-run]");
    formError("");
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = `Asking ${name}…`;
    try {
      const before = new Set((await recentRuns()).map((r) => r.id));
      const answer = await post(`/api/stashbox-endpoints/${encodeURIComponent(endpointId)}/identify`, identifyBody());
      if (signal.aborted) return;
      if (!answer.enqueued) {
        status.textContent = "No video matches this choice.";
        return;
      }
      status.textContent = `Identifying ${plural(answer.entities, "video")} with ${name}.`;
      const fresh = (await recentRuns()).filter((r) => !before.has(r.id) && r.payload.sourceId === endpointId);
      if (!fresh.length) status.append(" Follow the jobs in Operations.");
      follow(fresh.slice(0, answer.enqueued).reverse(), answer.entities);
    } catch (err) {
      if (signal.aborted) return;
      status.textContent = "";
      formError(err.message || "The server cannot be reached.");
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  function runLabel(run) {
    const p = run.payload ?? {};
    const who = endpoints.get(p.sourceId)?.name || "StashBox";
    return `${who} · ${plural(p.entityIds?.length ?? 0, "video")}`;
  }

  /** What a finished run did: {scraped, results, accepted, failed} (a run of one video answers
   *  {results: [ids], accepted: run | null}, a run of many {scraped, results, accepted, failed: [...]}). */
  function outcome(run) {
    const r = run.result ?? {};
    if (run.status !== "completed") return { scraped: 0, results: 0, accepted: 0, failed: 0 };
    if (Array.isArray(r.results)) {
      return { scraped: run.payload?.entityIds?.length ?? 1, results: r.results.length, accepted: r.accepted ? 1 : 0, failed: 0 };
    }
    return {
      scraped: Number(r.scraped) || 0,
      results: Number(r.results) || 0,
      accepted: Number(r.accepted) || 0,
      failed: Array.isArray(r.failed) ? r.failed.length : 0,
    };
  }

  function runState(run) {
    if (run.status === "waiting") return "Waiting for a worker…";
    if (run.status === "active") return run.progressNote ? `Checking ${run.progressNote}` : "Checking…";
    if (run.status === "completed") {
      const r = outcome(run);
      const parts = [`${plural(r.results, "result")}`];
      if (r.accepted) parts.push(`${r.accepted} accepted`);
      if (r.failed) parts.push(`${r.failed} failed`);
      return `Done: ${parts.join(", ")}`;
    }
    return run.status === "failed" ? `Failed: ${run.error || "no reason given"}` : `${run.status[0].toUpperCase()}${run.status.slice(1)}`;
  }

  function drawRuns(total) {
    const runs = [...tracked.values()];
    const list = runBox.querySelector("[data-runs]");
    list.replaceChildren(...runs.map((run) => {
      const li = document.createElement("li");
      li.className = `sb-run is-${run.status}`;
      li.dataset.run = run.id;
      const label = document.createElement("span");
      label.className = "sb-run-label";
      label.textContent = runLabel(run);
      const state = document.createElement("span");
      state.className = "sb-run-state";
      state.textContent = runState(run);
      const bar = document.createElement("div");
      bar.className = `progress${run.status === "waiting" ? " is-idle" : ""}`;
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-label", label.textContent);
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      const done = RUNNING.includes(run.status) ? run.progress ?? 0 : 100;
      bar.setAttribute("aria-valuenow", String(done));
      const fill = document.createElement("i");
      fill.style.width = `${done}%`;
      bar.append(fill);
      li.append(label, bar, state);
      return li;
    }));
    const ended = runs.filter((r) => !RUNNING.includes(r.status));
    const overall = runs.length
      ? Math.round(runs.reduce((n, r) => n + (RUNNING.includes(r.status) ? r.progress ?? 0 : 100), 0) / runs.length)
      : 0;
    const bar = runBox.querySelector("[data-progress-bar]");
    bar.setAttribute("aria-valuenow", String(overall));
    bar.querySelector("i").style.width = `${overall}%`;
    runBox.querySelector("[data-progress-count]").textContent = `${ended.length} of ${plural(runs.length, "job")} done`;
    const summary = runBox.querySelector("[data-progress-summary]");
    if (ended.length < runs.length) {
      summary.textContent = total ? `Identifying ${plural(total, "video")}… ${overall}%` : `Identifying… ${overall}%`;
      return;
    }
    const sum = (key) => ended.reduce((n, r) => n + outcome(r)[key], 0);
    const failed = sum("failed");
    const broken = ended.filter((r) => r.status !== "completed");
    const parts = [`checked ${plural(sum("scraped"), "video")}`, `${plural(sum("results"), "result")} found`];
    if (sum("accepted")) parts.push(`${sum("accepted")} accepted at once`);
    if (failed) parts.push(`${plural(failed, "video")} not checked`);
    if (broken.length) parts.push(`${plural(broken.length, "job")} ${broken.length === 1 ? "has" : "have"} failed`);
    summary.textContent = `Done: ${parts.join(", ")}.`;
    runBox.dataset.state = broken.length || failed ? "problem" : "done";
  }

  async function follow(runs, total = 0) {
    for (const run of runs) tracked.set(run.id, run);
    if (!tracked.size) return;
    runBox.hidden = false;
    runBox.dataset.state = "running";
    drawRuns(total);
    if (following) return;
    following = true;
    try {
      while (!signal.aborted && [...tracked.values()].some((r) => RUNNING.includes(r.status))) {
        await sleep(POLL_MS, signal);
        if (signal.aborted) return;
        const pending = await get(`/api/jobs?queue=${QUEUE}&status=waiting&status=active&perPage=100`);
        const live = new Map(pending.items.map((r) => [r.id, r]));
        for (const [id, run] of tracked) {
          if (!RUNNING.includes(run.status)) continue;
          tracked.set(id, live.get(id) ?? (await get(`/api/jobs/${encodeURIComponent(id)}`)));
        }
        drawRuns(total);
      }
      if (!signal.aborted) await loadReview();
    } catch (err) {
      if (!signal.aborted) toast(`The jobs could not be followed: ${err.message}`, "error");
    } finally {
      following = false;
    }
  }

  /** Runs of an earlier visit still waiting or running: follow them too. */
  async function resume() {
    const pending = await get(`/api/jobs?queue=${QUEUE}&status=waiting&status=active&perPage=100`);
    const runs = pending.items.filter((r) => isIdentifyRun(r)).reverse();
    if (runs.length) follow(runs);
  }

  // ---------------------------------------------------------------------------------------- review

  function reviewStatus(text) {
    review.querySelector("[data-review-status]").textContent = text;
  }

  function reviewError(message) {
    const el = review.querySelector("[data-review-error]");
    el.textContent = message || "";
    el.hidden = !message;
  }

  function singles() {
    return groups.filter((g) => g.results.length === 1 && SINGLE_MATCHES.has(g.results[0].matchType));
  }

  function regroup() {
    const byKey = new Map();
    for (const r of results) {
      const key = `${r.entityType}:${r.entityId}`;
      if (!byKey.has(key)) byKey.set(key, { key, type: r.entityType, id: r.entityId, results: [] });
      byKey.get(key).results.push(r);
    }
    groups = [...byKey.values()];
    const count = review.querySelector("[data-review-count]");
    count.textContent = groups.length ? plural(groups.length, "video") : "";
    count.hidden = !groups.length;
    const n = singles().length;
    singlesButton.disabled = n === 0;
    singlesButton.querySelector("[data-singles-label]").textContent = n
      ? `Accept ${plural(n, "single match", "single matches")}`
      : "Accept all single matches";
    review.querySelector("[data-review-empty]").hidden = groups.length > 0;
  }

  async function loadResults() {
    const all = [];
    for (let p = 1; all.length < RESULTS_CAP; p++) {
      const data = await get(`/api/scrape-results?status=pending&source=stashbox&perPage=${RESULTS_PER_REQUEST}&page=${p}`);
      all.push(...data.items);
      if (!data.items.length || all.length >= data.total) {
        const note = review.querySelector("[data-review-note]");
        note.textContent = data.total > all.length ? `Showing the newest ${all.length} of ${data.total} results.` : "";
        note.hidden = !note.textContent;
        break;
      }
    }
    results = all;
    regroup();
  }

  /** Load every pending result again, then show the current page of videos. */
  function loadReview() {
    loading ??= (async () => {
      groupsBox.setAttribute("aria-busy", "true");
      lookups.clear(); // what was "new" may exist by now
      try {
        reviewError("");
        await loadResults();
        await drawPage();
      } catch (err) {
        if (!signal.aborted) reviewError(`The results could not be loaded: ${err.message}`);
      } finally {
        groupsBox.removeAttribute("aria-busy");
        loading = null;
        review.dataset.ready = "true";
      }
    })();
    return loading;
  }

  async function drawPage() {
    const pages = Math.max(1, Math.ceil(groups.length / GROUPS_PER_PAGE));
    page = Math.min(Math.max(page, 1), pages);
    const shown = groups.slice((page - 1) * GROUPS_PER_PAGE, page * GROUPS_PER_PAGE);
    pager.hidden = pages < 2;
    pager.querySelector("[data-page-label]").textContent = `Page ${page} of ${pages}`;
    pager.querySelector("[data-page-prev]").disabled = page <= 1;
    pager.querySelector("[data-page-next]").disabled = page >= pages;
    if (!shown.length) {
      groupsBox.replaceChildren();
      return;
    }
    const byType = new Map();
    for (const g of shown) byType.set(g.type, [...(byType.get(g.type) ?? []), g.id]);
    const parts = await Promise.all([...byType].map(([type, ids]) => html(
      `${box.dataset.targetsUrl}?${new URLSearchParams({ entity: type, ids: ids.join(",") })}`, signal,
    )));
    const holder = document.createElement("div");
    holder.innerHTML = parts.join("");
    const sections = new Map([...holder.querySelectorAll("[data-group]")].map((s) => [`${s.dataset.entity}:${s.dataset.group}`, s]));
    groupsBox.replaceChildren(...shown.map((g) => sections.get(g.key)).filter(Boolean));
    await Promise.all([...groupsBox.querySelectorAll("[data-group]")].map((s) => fillGroup(s)));
  }

  function groupOf(section) {
    return groups.find((g) => g.type === section.dataset.entity && g.id === section.dataset.group);
  }

  /** A group's result cards (the metadata plugin's fragment, only its StashBox results), its picture
   *  and the marks on the proposed names. */
  async function fillGroup(section) {
    const group = groupOf(section);
    const cards = section.querySelector("[data-cards]");
    try {
      const params = new URLSearchParams({ entity: section.dataset.entity, id: section.dataset.group });
      cards.innerHTML = await html(`${CARDS_URL}?${params}`, signal);
    } catch (err) {
      if (signal.aborted) return;
      cards.innerHTML = "";
      const p = document.createElement("p");
      p.className = "error-text";
      p.textContent = `The results could not be loaded: ${err.message}`;
      cards.append(p);
      return;
    } finally {
      cards.removeAttribute("aria-busy");
    }
    const ours = new Set((group?.results ?? []).map((r) => r.id));
    cards.querySelector(".md-results-title")?.remove(); // the group's head says what it is
    for (const card of cards.querySelectorAll("[data-result]")) {
      if (!ours.has(card.dataset.result)) card.remove(); // another source's result: not reviewed here
    }
    if (!cards.querySelector("[data-result]")) {
      done(section, "Nothing left to review for this video.");
      return;
    }
    showPicture(section);
    await markNames(section);
  }

  function done(section, text) {
    section.classList.add("is-done");
    const cards = section.querySelector("[data-cards]");
    const p = document.createElement("p");
    p.className = "sb-group-done";
    p.textContent = text;
    cards.replaceChildren(p);
  }

  function picture(type, id) {
    const key = `${type}:${id}`;
    if (!pictures.has(key)) {
      const api = ENTITY_API[type];
      pictures.set(key, api
        ? get(`${api}/${encodeURIComponent(id)}`).then((e) => e?.thumbnailUrl || e?.imageUrl || null, () => null)
        : Promise.resolve(null));
    }
    return pictures.get(key);
  }

  async function showPicture(section) {
    const src = await picture(section.dataset.entity, section.dataset.group);
    if (!src || signal.aborted) return;
    const thumb = section.querySelector("[data-thumb]");
    if (thumb && !thumb.querySelector("img")) {
      const img = document.createElement("img");
      img.src = src;
      img.alt = "";
      img.loading = "lazy";
      thumb.replaceChildren(img);
    }
    for (const img of section.querySelectorAll("img[data-current-image]")) {
      img.src = src;
      img.hidden = false;
      img.parentElement.querySelector("[data-current-image-none]")?.setAttribute("hidden", "");
    }
  }

  // ---------------------------------------------------------------------------------------- new / matched

  /** Whether one of ours has this name (or alias), and whether it already has this stash id. */
  function lookup(field, name, remoteId, endpoint) {
    const [type, api, path] = LINKED[field];
    const key = `${type}:${nameKey(name)}:${remoteId ?? ""}:${endpoint ?? ""}`;
    if (!lookups.has(key)) {
      lookups.set(key, (async () => {
        const data = await get(`${api}?${new URLSearchParams({ search: name, perPage: "25" })}`);
        const wanted = nameKey(name);
        const items = data.items ?? [];
        const hit = items.find((i) => nameKey(i.name) === wanted)
          ?? items.find((i) => (i.aliases ?? []).some((a) => nameKey(a) === wanted));
        if (!hit) return { state: "new" };
        let how = nameKey(hit.name) === wanted ? "name" : "alias";
        if (remoteId && endpoint) {
          const linked = await get(`/api/stash-ids?${new URLSearchParams({ entityType: type, entityId: hit.id })}`);
          if (linked.some((s) => s.endpoint === endpoint && s.stashId === remoteId)) how = "stash id";
        }
        return { state: "matched", how, name: hit.name, href: `${path}/${encodeURIComponent(hit.id)}` };
      })().catch(() => null));
    }
    return lookups.get(key);
  }

  function mark(match, field, name) {
    const noun = LINKED[field][3];
    const el = document.createElement("span");
    el.className = `sb-mark is-${match.state}`;
    el.dataset.match = match.state;
    if (match.state === "new") {
      el.textContent = "new";
      el.title = `No ${noun} here is called ${name}: accepting creates it.`;
    } else {
      el.textContent = "matched";
      el.title = match.how === "stash id"
        ? `${match.name} here already has this stash id.`
        : `Links to ${match.name} here (same ${match.how}).`;
    }
    return el;
  }

  /** The proposed studio's name, wrapped so its mark stays beside it (a phone stacks the cell's children). */
  function studioSlot(cell) {
    if (!cell) return [null, null];
    let wrap = cell.querySelector(".sb-studio");
    if (!wrap) {
      wrap = document.createElement("span");
      wrap.className = "sb-studio";
      wrap.append(...cell.childNodes);
      cell.append(wrap);
    }
    return [wrap, wrap.textContent.trim()];
  }

  async function markNames(section) {
    const tasks = [];
    for (const card of section.querySelectorAll("[data-result]")) {
      const result = results.find((r) => r.id === card.dataset.result);
      if (!result) continue;
      const endpoint = endpoints.get(result.source?.id)?.endpoint;
      const raw = result.raw ?? {};
      for (const field of Object.keys(LINKED)) {
        const row = card.querySelector(`tr[data-field="${field}"]`);
        if (!row) continue;
        const listed = field === "studio" ? (raw.studio ? [raw.studio] : []) : raw[field] ?? [];
        const remote = new Map(listed.filter((o) => o?.name).map((o) => [nameKey(o.name), o.remote_site_id]));
        const slots = field === "studio"
          ? [studioSlot(row.querySelector(".md-col-proposed"))]
          : [...row.querySelectorAll("label.md-name")].map((label) => [label, label.querySelector("input")?.value]);
        for (const [slot, name] of slots) {
          if (!slot || !name) continue;
          tasks.push(async () => {
            const match = await lookup(field, name, remote.get(nameKey(name)), endpoint);
            if (match && !signal.aborted && !slot.querySelector(".sb-mark")) slot.append(" ", mark(match, field, name));
          });
        }
      }
    }
    await limited(tasks, 4);
    section.dataset.marked = "true";
  }

  // ---------------------------------------------------------------------------------------- accepting

  /** After a card was accepted or rejected: forget the result and show its video as it is now. */
  async function settled(card) {
    const id = card.dataset.result;
    const section = card.closest("[data-group]");
    results = results.filter((r) => r.id !== id);
    lookups.clear();
    regroup();
    if (!section) return;
    try {
      const params = new URLSearchParams({ entity: section.dataset.entity, ids: section.dataset.group });
      const holder = document.createElement("div");
      holder.innerHTML = await html(`${box.dataset.targetsUrl}?${params}`, signal);
      const fresh = holder.querySelector("[data-group]");
      if (!fresh || signal.aborted) return;
      section.replaceWith(fresh);
      if (groupOf(fresh)) await fillGroup(fresh);
      else done(fresh, "Nothing left to review for this video.");
    } catch (err) {
      if (!signal.aborted) toast(err.message, "error");
    }
  }

  bindCards(groupsBox, {
    signal,
    onApplied: async (card, run) => {
      const title = card.querySelector("h4, h3")?.textContent.trim() || "The result";
      toast(`${title}: ${appliedSummary(run, card)}`, "ok");
      for (const warning of run?.result?.warnings ?? []) toast(warning, "info", 8000);
      await settled(card);
    },
    onRejected: async (card) => {
      toast(`Rejected ${card.querySelector("h4, h3")?.textContent.trim() || "the result"}.`, "ok");
      await settled(card);
    },
  });

  async function acceptSingles() {
    const chosen = singles();
    if (!chosen.length) return;
    const ok = await confirmDialog({
      title: `Accept ${plural(chosen.length, "single match", "single matches")}?`,
      message: `${plural(chosen.length, "video")} get every field of their one StashBox match: title, date, studio, `
        + "performers, tags and image. New studios, performers and tags are created.",
      confirmLabel: "Accept all",
    });
    if (!ok || signal.aborted) return;
    singlesButton.disabled = true;
    review.setAttribute("aria-busy", "true");
    reviewError("");
    try {
      const answer = await post("/api/scrape-results/accept", { resultIds: chosen.map((g) => g.results[0].id) });
      reviewStatus(`Accepting ${plural(answer.accepting, "result")}…`);
      const runs = await Promise.all(answer.jobRunIds.map((id) => waitForRun(id, { signal })));
      if (signal.aborted) return;
      const accepted = runs.reduce((n, r) => n + (r?.result?.accepted ?? 0), 0);
      const failed = runs.flatMap((r) => r?.result?.failed ?? []);
      const waiting = runs.filter((r) => r === null).length;
      let text = `Accepted ${plural(accepted, "match", "matches")}.`;
      if (failed.length) text += ` ${plural(failed.length, "result")} could not be applied: ${failed[0].error}`;
      if (waiting) text += ` ${plural(waiting, "job")} still running: see Operations.`;
      reviewStatus(text);
      toast(text, failed.length ? "error" : "ok", failed.length ? 8000 : 4000);
      await loadReview();
    } catch (err) {
      if (!signal.aborted) reviewError(err.message || "The server cannot be reached.");
    } finally {
      review.removeAttribute("aria-busy");
      regroup();
    }
  }

  // ---------------------------------------------------------------------------------------- wiring

  if (form) {
    form.addEventListener("submit", identify, { signal });
    form.addEventListener("change", (e) => e.target.name === "scope" && syncScope(), { signal });
    syncScope();
  }
  singlesButton.addEventListener("click", acceptSingles, { signal });
  review.querySelector("[data-review-refresh]").addEventListener("click", () => loadReview(), { signal });
  pager.addEventListener("click", (e) => {
    const button = e.target.closest("button");
    if (!button || button.disabled) return;
    page += button.matches("[data-page-next]") ? 1 : -1;
    groupsBox.setAttribute("aria-busy", "true");
    drawPage()
      .then(() => review.querySelector("h2")?.scrollIntoView({ block: "start", behavior: "smooth" }))
      .catch((err) => !signal.aborted && reviewError(err.message))
      .finally(() => groupsBox.removeAttribute("aria-busy"));
  }, { signal });

  loadReview();
  if (form) resume().catch(() => {});
  box.dataset.ready = "true";
}
