// Settings → StashBox (templates/stashbox/settings_section.html), mounted by the Settings page with the
// section element: add, edit and delete endpoints through /api/stashbox-endpoints, test one
// (POST …/<id>/test answers the key's user name or a clear error), then reload the list from
// data-list-url. The API key is write-only: the dialog never shows it; an empty field keeps the stored
// key, "Remove the stored key" sends apiKey: null.
import { del, patch, post } from "/static/js/api.js";
import { confirmDialog, toast } from "/static/js/ui.js";
import { json } from "./common.js";

const URL_RE = /^https?:\/\/[^\s/]+/i;
const FIELDS = ["name", "endpoint", "apiKey", "maxRequestsPerMinute", "excludeTagPatterns", "enabled", "submitMd5"];

export function mount({ root, signal }) {
  const box = root.querySelector("[data-stashbox-settings]");
  if (!box) return;
  const list = box.querySelector("[data-endpoint-list]");
  const dialog = box.querySelector("[data-endpoint-dialog]");
  const form = dialog.querySelector("[data-endpoint-form]");
  const formError = form.querySelector("[data-form-error]");
  const keyHint = form.querySelector("[data-key-hint]");
  const removeKey = form.querySelector("[data-remove-key-field]");
  let editing = null; // the endpoint being edited (its list JSON), or null when adding

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

  function showError(message, field = null) {
    formError.textContent = message || "";
    formError.hidden = !message;
    for (const name of FIELDS) form.elements[name]?.removeAttribute("aria-invalid");
    if (field && form.elements[field]) {
      form.elements[field].setAttribute("aria-invalid", "true");
      form.elements[field].focus();
    }
  }

  /** The field an API message names ("body.endpoint: …" → endpoint). */
  function fieldOf(message) {
    const match = /^body\.(\w+)/.exec(message || "");
    return match && FIELDS.includes(match[1]) ? match[1] : null;
  }

  function open(endpoint) {
    editing = endpoint;
    form.reset();
    showError("");
    const f = form.elements;
    dialog.querySelector("[data-dialog-title]").textContent = endpoint ? `Edit ${endpoint.name}` : "Add a StashBox server";
    dialog.querySelector("[data-dialog-intro]").textContent = endpoint
      ? "Change what you need; the API key stays as it is unless you type a new one."
      : "Its GraphQL address and your API key for it.";
    f.name.value = endpoint?.name ?? "";
    f.endpoint.value = endpoint?.endpoint ?? "";
    f.apiKey.value = "";
    f.apiKey.placeholder = endpoint?.apiKeySet ? "A key is stored: leave empty to keep it" : "Paste your API key";
    keyHint.textContent = endpoint?.apiKeySet
      ? "Type a new key to replace the stored one; it is never shown."
      : "Found on your user page on the server.";
    removeKey.hidden = !endpoint?.apiKeySet;
    f.removeKey.checked = false;
    f.apiKey.disabled = false;
    if (endpoint) f.maxRequestsPerMinute.value = endpoint.maxRequestsPerMinute;
    f.excludeTagPatterns.value = (endpoint?.excludeTagPatterns ?? []).join("\n");
    f.enabled.checked = endpoint?.enabled ?? true;
    f.submitMd5.checked = endpoint?.submitMd5 ?? true;
    dialog.showModal();
    f.name.focus();
  }

  function body() {
    const f = form.elements;
    const out = {
      name: f.name.value.trim(),
      endpoint: f.endpoint.value.trim(),
      maxRequestsPerMinute: Number(f.maxRequestsPerMinute.value),
      excludeTagPatterns: f.excludeTagPatterns.value.split("\n").map((p) => p.trim()).filter(Boolean),
      enabled: f.enabled.checked,
      submitMd5: f.submitMd5.checked,
    };
    const key = f.apiKey.value.trim();
    if (editing && f.removeKey.checked) out.apiKey = null;
    else if (key) out.apiKey = key;
    return out;
  }

  function check(data) {
    if (!data.name) return ["Give the server a name.", "name"];
    if (!URL_RE.test(data.endpoint)) {
      return ["Enter the GraphQL URL, starting with http:// or https:// (like https://stashdb.org/graphql).", "endpoint"];
    }
    const rate = data.maxRequestsPerMinute;
    if (!Number.isInteger(rate) || rate < 1 || rate > 60000) {
      return ["Requests per minute: a whole number from 1 to 60000.", "maxRequestsPerMinute"];
    }
    return null;
  }

  async function save(e) {
    e.preventDefault();
    const data = body();
    const problem = check(data);
    if (problem) {
      showError(...problem);
      return;
    }
    showError("");
    const button = form.querySelector("[data-dialog-save]");
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const saved = editing
        ? await patch(`/api/stashbox-endpoints/${encodeURIComponent(editing.id)}`, data)
        : await post("/api/stashbox-endpoints", data);
      if (signal.aborted) return;
      dialog.close();
      await reload();
      toast(editing ? `Saved ${saved.name}.` : `Added ${saved.name}. Test it to check the key.`, "ok");
      list.querySelector(`[data-endpoint="${CSS.escape(saved.id)}"] [data-test-endpoint]`)?.focus();
    } catch (err) {
      if (!signal.aborted) showError(err.message || "The server cannot be reached.", fieldOf(err.message));
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  async function test(item, button) {
    const line = item.querySelector("[data-test-result]");
    const name = item.querySelector("h3")?.textContent.trim() || "the server";
    button.disabled = true;
    line.hidden = false;
    line.className = "sb-test-result is-working";
    line.textContent = `Asking ${name}…`;
    try {
      const { name: user } = await post(`/api/stashbox-endpoints/${encodeURIComponent(item.dataset.endpoint)}/test`, {});
      line.className = "sb-test-result is-ok";
      line.textContent = `Connected as ${user}.`;
    } catch (err) {
      line.className = "sb-test-result is-error";
      line.textContent = err.message || "The server cannot be reached.";
    } finally {
      button.disabled = false;
    }
  }

  async function remove(item) {
    const endpoint = json(item.dataset.endpointJson, {});
    const ok = await confirmDialog({
      title: `Delete ${endpoint.name}?`,
      message: "Its API key is forgotten. Stash ids already linked to videos and performers stay.",
      confirmLabel: "Delete",
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/stashbox-endpoints/${encodeURIComponent(endpoint.id)}`);
      await reload();
      toast(`Deleted ${endpoint.name}.`, "ok");
    } catch (err) {
      toast(err.message || "The server cannot be reached.", "error");
    }
  }

  box.addEventListener("click", (e) => {
    const button = e.target.closest?.("button");
    if (!button || !box.contains(button)) return;
    const item = button.closest("[data-endpoint]");
    if (button.matches("[data-add-endpoint]")) open(null);
    else if (button.matches("[data-dialog-cancel]")) dialog.close();
    else if (item && button.matches("[data-edit-endpoint]")) open(json(item.dataset.endpointJson, null));
    else if (item && button.matches("[data-test-endpoint]")) test(item, button);
    else if (item && button.matches("[data-delete-endpoint]")) remove(item);
  }, { signal });
  form.addEventListener("submit", save, { signal });
  form.elements.removeKey.addEventListener("change", () => {
    form.elements.apiKey.disabled = form.elements.removeKey.checked;
    if (form.elements.removeKey.checked) form.elements.apiKey.value = "";
  }, { signal });
  signal.addEventListener("abort", () => dialog.open && dialog.close(), { once: true });
  box.dataset.ready = "true";
}
