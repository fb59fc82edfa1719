// <md-scrape-panel data-entity data-id data-noun data-results-url data-api-url>: "Scrape with…" on an
// entity's page (templates/metadata/panel.html, loaded by htmx after the page). Defined once per visit
// by the metadata plugin's shell part, so the fragment finds it defined whenever it arrives.
//
// Scrape: POST the chosen entry's scrape route ({entityType, entityId, url?, query?, action?}), then
// reload the pending results (data-results-url, ?new=<ids> marks the fresh ones). Accept / Reject: see
// results.js; once an accept's job has completed the page is loaded again in place (soft navigation),
// so its title, studio, performers and tags show the new values. On a movie, an episode or a series,
// typed sources' entries (data-typed) read "Identify with…" / "Identify"; their results are
// <md-typed-result> cards (typed.js, imported here so it is defined once per visit too).
import { get, post } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";
import { toast } from "/static/js/ui.js";
import { appliedSummary, bindCards } from "./results.js";
import "./typed.js";

const URL_RE = /^https?:\/\/\S+$/i;

function parseActions(option) {
  try {
    const list = JSON.parse(option?.dataset.actions || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

class ScrapePanel extends HTMLElement {
  connectedCallback() {
    if (this.controller) return;
    this.controller = new AbortController();
    const signal = this.controller.signal;
    this.form = this.querySelector("[data-scrape-form]");
    this.results = this.querySelector("[data-results]");
    if (this.form) {
      this.source = this.form.querySelector("[data-source]");
      this.actionField = this.form.querySelector("[data-action-field]");
      this.action = this.form.querySelector("[data-action]");
      this.button = this.form.querySelector("[data-scrape]");
      this.error = this.form.querySelector("[data-scrape-error]");
      this.status = this.form.querySelector("[data-scrape-status]");
      this.source.addEventListener("change", () => this.showActions(), { signal });
      this.form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.scrape();
      }, { signal });
    }
    bindCards(this, {
      signal,
      onApplied: (card, run) => this.applied(run, card),
      onRejected: () => this.reload().catch((err) => this.fail(err.message)),
    });
    this.showCurrentImage();
    this.dataset.ready = "true";
  }

  disconnectedCallback() {
    this.controller?.abort();
    this.controller = null;
  }

  get signal() {
    return this.controller?.signal;
  }

  /** The "Method" choices of the chosen entry (hidden when it lists none). */
  showActions() {
    const actions = parseActions(this.source.selectedOptions[0]);
    const kept = this.action.value;
    this.action.replaceChildren(new Option("Automatic", ""));
    for (const [value, label] of actions) this.action.append(new Option(label, value));
    this.action.value = actions.some(([value]) => value === kept) ? kept : "";
    this.actionField.hidden = actions.length === 0;
    const typed = this.source.selectedOptions[0]?.hasAttribute("data-typed") ?? false;
    const label = this.form.querySelector('label[for="md-source"]');
    if (label) label.textContent = typed ? "Identify with…" : "Source";
    const button = this.form.querySelector("[data-scrape-label]");
    if (button) button.textContent = typed ? "Identify" : "Scrape";
  }

  fail(message) {
    if (!this.error) return;
    this.error.textContent = message || "";
    this.error.hidden = !message;
  }

  async scrape() {
    const option = this.source.selectedOptions[0];
    if (!option) return;
    const url = this.form.elements.url.value.trim();
    const query = this.form.elements.query.value.trim();
    const input = this.form.elements.url;
    if (url && !URL_RE.test(url)) {
      input.setAttribute("aria-invalid", "true");
      this.fail("Enter a web address starting with http:// or https://.");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    this.fail("");
    this.button.disabled = true;
    this.form.setAttribute("aria-busy", "true");
    this.status.textContent = `Scraping with ${option.textContent.trim()}…`;
    try {
      const data = await post(option.value, {
        entityType: this.dataset.entity,
        entityId: this.dataset.id,
        url: url || undefined,
        query: query || undefined,
        action: this.action.value || undefined,
      });
      if (!this.signal || this.signal.aborted) return;
      this.showLog(data.log || []);
      const ids = (data.results || []).map((r) => r.id);
      if (!ids.length) {
        this.status.textContent = `${option.textContent.trim()} found nothing for this ${this.dataset.noun}.`;
        return;
      }
      await this.reload(ids);
      this.status.textContent = ids.length === 1 ? "1 new result." : `${ids.length} new results.`;
      this.results.querySelector(".md-result.is-new h4")?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } catch (err) {
      if (this.signal?.aborted) return;
      this.status.textContent = "";
      this.fail(err.message || "The server cannot be reached.");
    } finally {
      if (this.button) this.button.disabled = false;
      this.form.removeAttribute("aria-busy");
    }
  }

  /** The scraper's own log lines of the last scrape (script scrapers log through py_common). */
  showLog(lines) {
    const box = this.form.querySelector("[data-scrape-log]");
    if (!box) return;
    box.hidden = !lines.length;
    box.querySelector("summary").textContent = `Scraper log (${lines.length} line${lines.length === 1 ? "" : "s"})`;
    box.querySelector("[data-scrape-log-lines]").textContent = lines
      .map((l) => `${l.level.toUpperCase().padEnd(8)}${l.message}`)
      .join("\n");
  }

  /** Load the pending results again (`fresh`: ids to mark as new). */
  async reload(fresh = []) {
    const params = new URLSearchParams({ entity: this.dataset.entity, id: this.dataset.id });
    if (fresh.length) params.set("new", fresh.join(","));
    const res = await fetch(`${this.dataset.resultsUrl}?${params}`, {
      headers: { Accept: "text/html" },
      signal: this.signal,
    });
    if (!res.ok) throw new Error(`The results could not be loaded (the server answered ${res.status}).`);
    this.results.innerHTML = await res.text();
    this.showCurrentImage();
  }

  /** The entity's own picture beside a proposed image (from its JSON: thumbnailUrl, imageUrl…). */
  async showCurrentImage() {
    const slots = [...this.querySelectorAll("img[data-current-image]")];
    if (!slots.length || !this.dataset.apiUrl) return;
    try {
      this.entity ??= await get(this.dataset.apiUrl);
    } catch {
      return; // no picture to compare with: the cell keeps its dash
    }
    const src = this.entity?.thumbnailUrl || this.entity?.imageUrl || this.entity?.posterUrl;
    if (!src) return;
    for (const img of slots) {
      img.src = src;
      img.hidden = false;
      img.parentElement.querySelector("[data-current-image-none]")?.setAttribute("hidden", "");
    }
  }

  async applied(run, card) {
    toast(appliedSummary(run, card), "ok");
    for (const warning of run?.result?.warnings ?? []) toast(warning, "info", 8000);
    // the page again, in place: its title, links and picture now show what was applied
    await navigate(location.href, { push: false, scrollY: window.scrollY });
  }
}

if (!customElements.get("md-scrape-panel")) customElements.define("md-scrape-panel", ScrapePanel);
