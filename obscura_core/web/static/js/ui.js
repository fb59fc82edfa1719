// Small UI helpers shared by page modules: toasts, confirm dialogs, formatting.

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

export function formatDuration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "";
  const s = Math.floor(seconds % 60), m = Math.floor(seconds / 60) % 60, h = Math.floor(seconds / 3600);
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? h + ":" : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export function formatBytes(bytes) {
  if (bytes == null) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0, n = bytes;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(n < 10 && i ? 1 : 0)} ${units[i]}`;
}

export function icon(name, cls = "i") {
  return `<svg class="${cls}" aria-hidden="true"><use href="/static/icons.svg#${name}"/></svg>`;
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
