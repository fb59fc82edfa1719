// <md-typed-result>: the card of a typed scrape result (a movie, a series or an episode of a script
// plugin; templates/metadata/_typed_result.html), in the "Scrape with…" panel and the review queue.
// Imported by panel.js, the metadata plugin's shell module, so it is defined once per visit.
//
// Accept builds the typed accept body from the card: the ticked mask fields ("fields"), the chosen
// image of each slot ("selectedImages": a candidate's URL, or "" for none) and, for a series, the
// cascade: every season that is here in "seasonOverrides" ({accepted, fieldMask, selectedImages,
// episodes: {n: {accepted, fieldMask}}}, with "acceptAllSeasons": false so nothing else is), the
// episodes that are not here always left out. The metadata-import job is followed as results.js
// does; once it has completed the page is loaded again in place.
//
// "Use this one" (a series search's other candidates) scrapes again with the candidate's external
// ids (input.externalIds), rejects this result and shows the new one. Current values the server
// cannot read (tagline, content rating, rating, artwork, a season's own fields) come from the
// entity's JSON (data-entity-api).
import { get, post } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";
import { toast } from "/static/js/ui.js";
import { waitForRun } from "./results.js";

const ENTITY_TTL_MS = 3000;
const entities = new Map(); // url → { at, promise }: the cards of one entity share one request

function entity(url) {
  const cached = entities.get(url);
  if (cached && Date.now() - cached.at < ENTITY_TTL_MS) return cached.promise;
  const promise = get(url);
  entities.set(url, { at: Date.now(), promise });
  promise.catch(() => entities.delete(url));
  return promise;
}

function checked(root, selector) {
  return [...root.querySelectorAll(selector)].filter((box) => box.checked && !box.disabled).map((box) => box.value);
}

/** The chosen URL of an image picker (a radio group): "" for "None"; undefined when it has none. */
function chosenImage(fieldset) {
  const radio = fieldset?.querySelector("input[type=radio]:checked");
  return radio ? radio.value : undefined;
}

/** The accept body of a typed card (see the module comment). */
export function typedAcceptBody(card) {
  const body = { resultId: card.dataset.result, fields: checked(card, 'tr[data-field] input[name="field"]') };
  const images = {};
  for (const picker of card.querySelectorAll(".md-image-pickers [data-image-slot]")) {
    const url = chosenImage(picker);
    if (url !== undefined) images[picker.dataset.imageSlot] = url;
  }
  if (Object.keys(images).length) body.selectedImages = images;
  const seasons = [...card.querySelectorAll("[data-season][data-local]")];
  if (card.dataset.typed === "series" && card.querySelector("[data-cascade]")) {
    body.acceptAllSeasons = false;
    body.seasonOverrides = {};
    for (const season of seasons) {
      const box = season.querySelector("[data-season-accept]");
      const override = { accepted: Boolean(box?.checked) };
      if (override.accepted) {
        override.fieldMask = checked(season, "[data-season-field]");
        const poster = chosenImage(season.querySelector("[data-image-slot]"));
        if (poster !== undefined) override.selectedImages = { poster };
        override.episodes = {};
        for (const ep of season.querySelectorAll("[data-episode]")) {
          const epBox = ep.querySelector("[data-episode-accept]");
          override.episodes[ep.dataset.episode] = ep.hasAttribute("data-local") && epBox?.checked
            ? { accepted: true, fieldMask: checked(ep, "[data-episode-field]") }
            : { accepted: false };
        }
      }
      body.seasonOverrides[season.dataset.season] = override;
    }
  }
  return body;
}

/** Whether the body would change anything: a field, an image, or an accepted season. */
function changesSomething(body) {
  const image = Object.values(body.selectedImages || {}).some((url) => url);
  const season = Object.values(body.seasonOverrides || {}).some((s) => s.accepted);
  return body.fields.length > 0 || image || season;
}

function rating(value) {
  return typeof value === "number" ? `${(value / 10).toFixed(1)} / 10` : value;
}

class TypedResult extends HTMLElement {
  connectedCallback() {
    if (this.controller) return;
    this.controller = new AbortController();
    const signal = this.controller.signal;
    this.card = this.querySelector("[data-result]");
    if (!this.card) return;
    this.addEventListener("click", (e) => {
      const button = e.target.closest?.("button");
      if (!button || button.disabled) return;
      if (button.matches("[data-typed-accept]")) this.accept();
      else if (button.matches("[data-use-candidate]")) this.useCandidate(button);
    }, { signal });
    this.addEventListener("change", (e) => {
      if (e.target.matches?.("[data-season-accept]")) this.toggleSeason(e.target);
      else if (e.target.matches?.("[data-episode-accept]")) this.toggleEpisode(e.target);
    }, { signal });
    this.fillCurrent();
    this.dataset.ready = "true";
  }

  disconnectedCallback() {
    this.controller?.abort();
    this.controller = null;
  }

  get signal() {
    return this.controller?.signal;
  }

  /** An unticked season: its fields, poster and episodes are greyed and left out. */
  toggleSeason(box) {
    const season = box.closest("[data-season]");
    const on = box.checked;
    season.classList.toggle("is-off", !on);
    for (const input of season.querySelectorAll("input")) {
      if (input !== box) input.disabled = !on;
    }
    if (on) for (const ep of season.querySelectorAll("[data-episode-accept]")) this.toggleEpisode(ep);
  }

  toggleEpisode(box) {
    const ep = box.closest("[data-episode]");
    ep.classList.toggle("is-off", !box.checked);
    for (const input of ep.querySelectorAll("[data-episode-field]")) input.disabled = !box.checked || box.disabled;
  }

  say(text) {
    const line = this.card.querySelector("[data-status-line]");
    if (line) line.textContent = text;
  }

  fail(message) {
    const box = this.card.querySelector("[data-error]");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  busy(on) {
    this.card.dataset.state = on ? "working" : "";
    this.card.setAttribute("aria-busy", String(on));
    for (const el of this.card.querySelectorAll("button, input")) {
      if (on) {
        el.dataset.wasDisabled = String(el.disabled);
        el.disabled = true;
      } else {
        el.disabled = el.dataset.wasDisabled === "true";
        delete el.dataset.wasDisabled;
      }
    }
  }

  async accept() {
    const body = typedAcceptBody(this.card);
    if (!changesSomething(body)) {
      this.fail("Tick at least one field, image or season to accept, or reject the result.");
      return;
    }
    this.fail("");
    this.busy(true);
    this.say("Sending…");
    const signal = this.signal;
    try {
      const { jobRunId } = await post(this.card.dataset.typedAcceptUrl, body);
      const run = await waitForRun(jobRunId, {
        signal,
        onStatus: (r) => this.say(r.status === "active" ? "Applying…" : "Queued: waiting for a worker…"),
      });
      if (signal?.aborted) return;
      if (run === null) {
        this.say("Still waiting for a worker; the changes show once the job has run (see Operations).");
        return;
      }
      if (run.status !== "completed") {
        this.busy(false);
        this.say("");
        this.fail(`The job ${run.status === "failed" ? "failed" : `was ${run.status}`}: ${run.error || "no reason given"}`);
        return;
      }
      this.card.dataset.state = "applied";
      this.say("Applied.");
      toast(this.summary(body, run), "ok");
      for (const warning of run?.result?.warnings ?? []) toast(warning, "info", 8000);
      // the page again, in place: its title, artwork, seasons and episodes now show what was applied
      await navigate(location.href, { push: false, scrollY: window.scrollY });
    } catch (err) {
      if (signal?.aborted) return;
      this.busy(false);
      this.say("");
      this.fail(err.message || "The server cannot be reached.");
    }
  }

  summary(body, run) {
    const fields = run?.result?.fields?.length ?? body.fields.length;
    const parts = [`${fields} field${fields === 1 ? "" : "s"}`];
    const seasons = Object.values(body.seasonOverrides || {}).filter((s) => s.accepted);
    if (body.seasonOverrides) {
      const episodes = seasons.reduce((n, s) => n + Object.values(s.episodes || {}).filter((e) => e.accepted).length, 0);
      parts.push(`${seasons.length} season${seasons.length === 1 ? "" : "s"}`, `${episodes} episode${episodes === 1 ? "" : "s"}`);
    }
    return `Applied ${parts.slice(0, -1).join(", ")}${parts.length > 1 ? " and " : ""}${parts.at(-1)}.`;
  }

  /** Scrape again with a candidate's external ids, reject this result and show the new one. */
  async useCandidate(button) {
    let ids;
    try {
      ids = JSON.parse(button.dataset.externalIds || "{}");
    } catch {
      ids = {};
    }
    const card = this.card;
    this.fail("");
    this.busy(true);
    this.say("Identifying again with the chosen match…");
    const signal = this.signal;
    try {
      const data = await post(card.dataset.rescrapeUrl, {
        entityType: card.dataset.entityType,
        entityId: card.dataset.entityId,
        action: card.dataset.action || undefined,
        input: { externalIds: ids },
      });
      if (signal?.aborted) return;
      const fresh = (data.results || []).map((r) => r.id);
      if (!fresh.length) {
        this.busy(false);
        this.say("");
        this.fail("The source found nothing for that match.");
        return;
      }
      await post(`/api/scrape-results/${encodeURIComponent(card.dataset.result)}/reject`, {});
      const panel = this.closest("md-scrape-panel");
      if (typeof panel?.reload === "function") await panel.reload(fresh);
      else await navigate(location.href, { push: false, scrollY: window.scrollY });
    } catch (err) {
      if (signal?.aborted) return;
      this.busy(false);
      this.say("");
      this.fail(err.message || "The server cannot be reached.");
    }
  }

  /** The current values the server left out, from the entity's JSON (a dash stays where it has none). */
  async fillCurrent() {
    const url = this.card.dataset.entityApi;
    const wanted = this.card.querySelector("[data-current-pending], [data-current-art], [data-season-current]");
    if (!url || !wanted) return;
    let data;
    try {
      data = await entity(url);
    } catch {
      return; // nothing to compare with: the cells keep their dash
    }
    if (!this.isConnected || !data) return;
    const values = {
      tagline: data.tagline,
      contentRating: data.contentRating,
      rating: rating(data.rating),
      firstAirDate: data.firstAirDate,
      releaseDate: data.date,
      airDate: data.date,
    };
    for (const cell of this.card.querySelectorAll("[data-current-pending]")) {
      const value = values[cell.dataset.currentKey];
      if (value !== null && value !== undefined && value !== "") cell.textContent = String(value);
      cell.removeAttribute("data-current-pending");
    }
    const art = { ...(data.artwork || {}), still: data.thumbnailUrl };
    for (const fig of this.card.querySelectorAll("[data-current-art]")) {
      const slot = fig.dataset.currentArt;
      const season = fig.closest("[data-season]");
      const src = slot === "season-poster"
        ? (data.seasons || []).find((s) => String(s.seasonNumber) === season?.dataset.season)?.posterUrl
        : art[slot];
      if (!src) continue;
      fig.querySelector("img").src = src;
      fig.hidden = false;
    }
    for (const slot of this.card.querySelectorAll("[data-season-current]")) {
      const number = slot.closest("[data-season]")?.dataset.season;
      const season = (data.seasons || []).find((s) => String(s.seasonNumber) === number);
      const value = season?.[slot.dataset.seasonCurrent];
      if (value === null || value === undefined || value === "" || typeof value === "object") continue;
      slot.textContent = `now: ${value}`;
      slot.hidden = false;
    }
  }
}

if (!customElements.get("md-typed-result")) customElements.define("md-typed-result", TypedResult);
