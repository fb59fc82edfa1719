// <sb-stash-ids data-entity data-id data-noun data-remote-kind data-endpoints>: the "StashBox" panel of a
// video's, performer's, studio's or tag's page (templates/stashbox/panel.html, loaded by htmx after the
// page). Defined once per visit by the stashbox plugin's shell part, so the fragment finds it defined
// whenever it arrives.
//
// It reads the entity's stash ids (GET /api/stash-ids?entityType&entityId) and shows each as a badge:
// the endpoint's name (the configured endpoint whose GraphQL URL the stash id names, else the URL's host)
// and the id, linking to the remote page (<site>/scenes/<id>, /performers/<id>…) in a new tab.
//
// On a video's page ([data-contribute]), one row per enabled endpoint: "Submit fingerprints" where the
// video is linked (what was submitted, already submitted or skipped, and why) and "Submit draft" (the
// thumbnail as its cover; the answer's link to the draft on the server).
import { get } from "/static/js/api.js";
import { hostOf, json, remoteUrl } from "./common.js";
import { describeSubmission, submitDraft, submitFingerprints } from "./contribute.js";

class StashIds extends HTMLElement {
  connectedCallback() {
    if (this.started) return;
    this.started = true;
    this.load();
  }

  async load() {
    const list = this.querySelector("[data-stash-ids]");
    const none = this.querySelector("[data-stash-none]");
    const error = this.querySelector("[data-stash-error]");
    const endpoints = new Map(json(this.dataset.endpoints, []).map((e) => [e.endpoint, e]));
    const params = new URLSearchParams({ entityType: this.dataset.entity, entityId: this.dataset.id });
    try {
      const ids = await get(`/api/stash-ids?${params}`);
      list.replaceChildren(...ids.map((item) => this.badge(item, endpoints.get(item.endpoint))));
      list.hidden = ids.length === 0;
      none.hidden = ids.length > 0;
      this.contributions(ids, [...endpoints.values()]);
    } catch (err) {
      list.replaceChildren();
      list.hidden = true;
      error.textContent = `The stash ids could not be loaded: ${err.message}`;
      error.hidden = false;
    } finally {
      list.removeAttribute("aria-busy");
      this.dataset.ready = "true";
    }
  }

  /** The contribute rows (video pages only): one per enabled endpoint. */
  contributions(ids, endpoints) {
    const box = this.querySelector("[data-contribute]");
    if (!box) return;
    const linked = new Map(ids.map((item) => [item.endpoint, item.stashId]));
    const usable = endpoints.filter((e) => e.enabled);
    box.querySelector("[data-contribute-list]").replaceChildren(...usable.map((e) => this.contributeRow(e, linked.get(e.endpoint))));
    box.hidden = usable.length === 0;
    if (this.wired) return;
    this.wired = true;
    box.addEventListener("click", (e) => {
      const button = e.target.closest?.("button[data-action]");
      const row = button?.closest("[data-contribute-endpoint]");
      if (button && row && box.contains(button)) this.contribute(button, row);
    });
  }

  contributeRow(endpoint, stashId) {
    const li = document.createElement("li");
    li.className = "sb-contribute-row";
    li.dataset.contributeEndpoint = endpoint.id;
    li.dataset.endpointName = endpoint.name;
    const name = document.createElement("span");
    name.className = "sb-contribute-name";
    name.textContent = endpoint.name;
    const actions = document.createElement("span");
    actions.className = "sb-contribute-actions";
    const button = (action, text, label) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-s";
      b.dataset.action = action;
      b.textContent = text;
      b.setAttribute("aria-label", `${label} to ${endpoint.name}`);
      return b;
    };
    if (stashId) actions.append(button("fingerprints", "Submit fingerprints", "Submit fingerprints"));
    actions.append(button("draft", "Submit draft", "Submit a scene draft"));
    const result = document.createElement("p");
    result.className = "sb-contribute-result";
    result.dataset.contributeResult = "";
    result.setAttribute("role", "status");
    result.hidden = true;
    li.append(name, actions, result);
    return li;
  }

  async contribute(button, row) {
    const result = row.querySelector("[data-contribute-result]");
    const name = row.dataset.endpointName;
    const draft = button.dataset.action === "draft";
    button.disabled = true;
    result.hidden = false;
    result.className = "sb-contribute-result is-working";
    result.textContent = draft ? `Sending a draft to ${name}…` : `Submitting the fingerprints to ${name}…`;
    try {
      if (draft) {
        const answer = await submitDraft(row.dataset.contributeEndpoint, this.dataset.id);
        result.className = "sb-contribute-result is-ok";
        result.textContent = answer.image ? "Draft sent with the thumbnail as its cover. " : "Draft sent (no thumbnail to use as its cover). ";
        const link = document.createElement("a");
        link.href = answer.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.dataset.draftLink = "";
        link.textContent = `Finish it on ${name}`;
        result.append(link);
      } else {
        const { ok, text } = describeSubmission(await submitFingerprints(row.dataset.contributeEndpoint, this.dataset.id));
        result.className = `sb-contribute-result ${ok ? "is-ok" : "is-warn"}`;
        result.textContent = `${text} `;
        const link = document.createElement("a");
        link.href = this.querySelector("[data-contribute]").dataset.contributionsUrl;
        link.textContent = "All contributions";
        result.append(link);
      }
      result.dataset.state = "done";
    } catch (err) {
      result.className = "sb-contribute-result is-error";
      result.textContent = err.message || "The server cannot be reached.";
      result.dataset.state = "error";
    } finally {
      button.disabled = false;
    }
  }

  /** One stash id: `<li><a class="sb-stash-id" href=…><span>StashDB</span><code>…</code></a></li>`. */
  badge(item, endpoint) {
    const li = document.createElement("li");
    const name = endpoint?.name || hostOf(item.endpoint);
    const href = remoteUrl(item.endpoint, this.dataset.remoteKind, item.stashId);
    const el = document.createElement(href ? "a" : "span");
    el.className = "sb-stash-id";
    el.dataset.stashId = item.stashId;
    el.dataset.endpoint = item.endpoint;
    el.title = `${item.endpoint} · ${item.stashId}`;
    if (href) {
      el.href = href;
      el.target = "_blank";
      el.rel = "noopener noreferrer";
      el.setAttribute("aria-label", `${name}: ${item.stashId} (opens ${name} in a new tab)`);
    }
    const label = document.createElement("span");
    label.className = "sb-stash-id-name";
    label.textContent = name;
    const code = document.createElement("code");
    code.textContent = item.stashId;
    el.append(label, code);
    li.append(el);
    return li;
  }
}

if (!customElements.get("sb-stash-ids")) customElements.define("sb-stash-ids", StashIds);
