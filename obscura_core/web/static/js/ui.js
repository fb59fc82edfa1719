// Small UI helpers shared by page modules: toasts, confirm dialogs, icons, escaping, key presses in
// text fields. Formatting (durations, sizes, dates, counts, stars) lives in format.js; the two
// formatters that used to be here are re-exported for modules that still import them from ui.js.

export { formatBytes, formatDuration } from "./format.js";

export function toast(message, kind = "info", timeout = 4000) {
  let host = document.getElementById("toasts");
  if (!host) {
    host = document.createElement("div");
    host.id = "toasts";
    host.className = "toasts";
    host.setAttribute("role", "status");
    host.setAttribute("aria-live", "polite");
    document.body.append(host);
  }
  const el = document.createElement("div");
  el.className = `toast is-${kind}`;
  el.textContent = message;
  host.append(el);
  setTimeout(() => el.remove(), timeout);
  return el;
}

// Run `work` with `button` disabled and showing `label`; a failure is a toast and gives the button
// back. `restore: true` gives it back after a success too (when the list holding it is not redrawn).
export async function busyButton(button, label, work, { restore = false } = {}) {
  const before = button.innerHTML;
  button.disabled = true;
  button.textContent = label;
  let failed = false;
  try {
    await work();
  } catch (err) {
    failed = true;
    toast(err.message, "error", 8000);
  } finally {
    if ((failed || restore) && button.isConnected) {
      button.disabled = false;
      button.innerHTML = before;
    }
  }
}

// A native <dialog> confirmation. `extra` may be an HTMLElement (e.g. a checkbox) shown in it;
// resolves to true/false.
export function confirmDialog({ title, message, confirmLabel = "Confirm", danger = false, extra = null }) {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.setAttribute("aria-labelledby", "confirm-title");
    dialog.innerHTML = `<form method="dialog"><div class="dialog-body"><h2 id="confirm-title"></h2><p class="muted"></p><div class="extra"></div></div>
      <div class="dialog-foot"><button class="btn" value="cancel">Cancel</button>
      <button class="btn ${danger ? "btn-danger" : "btn-primary"}" value="ok"></button></div></form>`;
    dialog.querySelector("h2").textContent = title;
    dialog.querySelector("p").textContent = message;
    dialog.querySelector("button[value=ok]").textContent = confirmLabel;
    if (extra) dialog.querySelector(".extra").append(extra);
    document.body.append(dialog);
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    dialog.showModal();
  });
}

export function icon(name, cls = "i") {
  return `<svg class="${cls}" aria-hidden="true"><use href="/static/icons.svg#${name}"/></svg>`;
}

/** Whether a key press is meant for a text field (page shortcuts stay out of its way). */
export function typingIn(e) {
  const el = e.target;
  return Boolean(el?.isContentEditable || /^(input|textarea|select)$/i.test(el?.tagName || ""));
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
