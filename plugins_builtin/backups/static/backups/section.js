// Settings section "Backups" (backups plugin): "Back up now" and the list of backups with their
// download links. Mounted by the Settings page (SettingsSection.module) with the section element.
import { get, post } from "/static/js/api.js";
import { formatBytes, formatDateTime } from "/static/js/format.js";
import { escapeHtml, toast } from "/static/js/ui.js";

function rowHtml(b) {
  const auto = b.kind === "auto" ? ` <span class="badge">before upgrade</span>` : "";
  return `<tr data-backup="${escapeHtml(b.name)}">
    <td data-label="Backup"><code>${escapeHtml(b.name)}</code>${auto}</td>
    <td data-label="Made"><time datetime="${escapeHtml(b.createdAt)}">${escapeHtml(formatDateTime(b.createdAt))}</time></td>
    <td data-label="Size">${formatBytes(b.sizeBytes)}</td>
    <td data-label="Rows">${b.rows}</td>
    <td><a class="btn btn-ghost" href="${escapeHtml(b.downloadUrl)}" download>Download</a></td></tr>`;
}

export function mount({ root, signal }) {
  const box = root.querySelector("[data-backups]");
  if (!box) return;
  const list = box.querySelector("[data-backups-list]");
  const button = box.querySelector("[data-backup-now]");
  const state = box.querySelector("[data-backup-state]");
  const keep = box.querySelector("[data-keep]");

  function render(data) {
    list.innerHTML = data.items.length
      ? data.items.map(rowHtml).join("")
      : `<tr data-backups-empty><td colspan="5" class="muted">No backups yet.</td></tr>`;
    keep.textContent = String(data.keepAutomatic);
  }

  render(JSON.parse(box.querySelector("[data-backups-initial]").textContent));

  button.addEventListener(
    "click",
    async () => {
      button.disabled = true;
      state.textContent = "Backing up…";
      try {
        const made = await post("/api/backups", {});
        state.textContent = `Written: ${made.name} (${formatBytes(made.sizeBytes)}).`;
        render(await get("/api/backups"));
      } catch (err) {
        state.textContent = "";
        toast(err.message, "error");
      } finally {
        button.disabled = false;
      }
    },
    { signal },
  );

  document.addEventListener(
    "obscura:settings-saved",
    async (e) => {
      if (e.detail?.changed?.includes("backupKeepAutomatic")) render(await get("/api/backups"));
    },
    { signal },
  );
}
