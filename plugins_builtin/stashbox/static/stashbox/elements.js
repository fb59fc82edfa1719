// <sb-stash-ids data-entity data-id data-noun data-remote-kind data-endpoints>: the "StashBox" panel of a
// video's, performer's, studio's or tag's page (templates/stashbox/panel.html, loaded by htmx after the
// page). Defined once per visit by the stashbox plugin's shell part, so the fragment finds it defined
// whenever it arrives.
//
// It reads the entity's stash ids (GET /api/stash-ids?entityType&entityId) and shows each as a badge:
// the endpoint's name (the configured endpoint whose GraphQL URL the stash id names, else the URL's host)
// and the id, linking to the remote page (<site>/scenes/<id>, /performers/<id>…) in a new tab.
import { get } from "/static/js/api.js";
import { hostOf, json, remoteUrl } from "./common.js";

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
