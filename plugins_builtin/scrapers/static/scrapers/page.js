// The Scrapers page (/scrapers): install, update, enable/disable and uninstall Stash community
// scraper packages. The installed list and the index are server-rendered fragments
// (/scrapers/installed, /scrapers/available) that this module reloads after each change;
// changes go through the JSON API (/api/scrapers/packages…).
import { ApiError, del, patch, post } from "/static/js/api.js";
import { plural } from "/static/js/format.js";
import { busyButton, confirmDialog, toast } from "/static/js/ui.js";

const SEARCH_DELAY_MS = 250;

async function fragment(url, signal) {
  const res = await fetch(url, { headers: { Accept: "text/html" }, signal });
  if (!res.ok) throw new ApiError(`The page part could not be loaded (${res.status}).`, res.status);
  return res.text();
}

export function mount({ root, signal }) {
  const box = root.querySelector("[data-scrapers]");
  if (!box) return;
  const installed = box.querySelector("[data-installed]");
  const available = box.querySelector("[data-available]");
  const search = box.querySelector("[data-index-search]");
  const input = search.querySelector("input[name=q]");
  let page = 1;
  let timer = null;
  let loadSeq = 0;

  async function loadAvailable({ force = false } = {}) {
    const seq = ++loadSeq;
    const params = new URLSearchParams({ page: String(page) });
    if (input.value.trim()) params.set("q", input.value.trim());
    if (force) params.set("force", "true");
    available.setAttribute("aria-busy", "true");
    try {
      const html = await fragment(`/scrapers/available?${params}`, signal);
      if (seq !== loadSeq) return;
      available.innerHTML = html;
    } catch (err) {
      if (signal.aborted) return;
      toast(err.message, "error");
    } finally {
      if (seq === loadSeq) available.removeAttribute("aria-busy");
    }
  }

  async function loadInstalled() {
    try {
      installed.innerHTML = await fragment("/scrapers/installed", signal);
    } catch (err) {
      if (!signal.aborted) toast(err.message, "error");
    }
  }

  const refresh = () => Promise.all([loadInstalled(), loadAvailable()]);

  const busy = busyButton;

  async function install(button) {
    const id = button.dataset.install;
    const updating = button.dataset.verb === "update";
    await busy(button, updating ? "Updating…" : "Installing…", async () => {
      const out = await post("/api/scrapers/packages", { packageId: id });
      const extra = out.installed.filter((p) => p !== id);
      const also = extra.length ? ` (with ${extra.join(", ")})` : "";
      toast(`${updating ? "Updated" : "Installed"} ${out.package.name}${also}.`, "ok");
      await refresh();
    });
  }

  async function uninstall(button) {
    const id = button.dataset.uninstall;
    const name = button.dataset.name || id;
    const yes = await confirmDialog({
      title: `Uninstall ${name}?`,
      message: "Its folder is deleted, with any settings saved in it. Scrape results it made stay.",
      confirmLabel: "Uninstall",
      danger: true,
    });
    if (!yes) return;
    await busy(button, "Removing…", async () => {
      await del(`/api/scrapers/packages/${encodeURIComponent(id)}`);
      toast(`Uninstalled ${name}.`, "ok");
      await refresh();
    });
  }

  async function updateAll(button) {
    await busy(button, "Updating…", async () => {
      const out = await post("/api/scrapers/packages/update-all");
      if (out.failed.length) {
        const why = out.failed.map((f) => `${f.id}: ${f.message}`).join("; ");
        toast(`${plural(out.updated.length, "package")} updated, ${out.failed.length} failed: ${why}`, "error", 10000);
      } else {
        toast(out.updated.length ? `${plural(out.updated.length, "package")} updated.` : "Everything is up to date.", "ok");
      }
      await refresh();
      button.disabled = false;
    });
  }

  async function toggle(checkbox) {
    const id = checkbox.dataset.toggleEnabled;
    checkbox.disabled = true;
    try {
      const out = await patch(`/api/scrapers/packages/${encodeURIComponent(id)}`, { enabled: checkbox.checked });
      toast(`${out.name} ${out.enabled ? "enabled" : "disabled"}.`, "ok");
      await loadInstalled();
    } catch (err) {
      checkbox.checked = !checkbox.checked;
      checkbox.disabled = false;
      toast(err.message, "error");
    }
  }

  box.addEventListener(
    "click",
    (e) => {
      const target = e.target.closest("button");
      if (!target || target.disabled) return;
      if (target.matches("[data-install]")) install(target);
      else if (target.matches("[data-uninstall]")) uninstall(target);
      else if (target.matches("[data-update-all]")) updateAll(target);
      else if (target.matches("[data-index-refresh]")) {
        page = 1;
        loadAvailable({ force: true }).then(loadInstalled);
      } else if (target.matches("[data-more]")) {
        page = Number(target.dataset.page) || page + 1;
        loadAvailable();
      }
    },
    { signal },
  );
  box.addEventListener(
    "change",
    (e) => {
      if (e.target.matches("[data-toggle-enabled]")) toggle(e.target);
    },
    { signal },
  );
  search.addEventListener(
    "submit",
    (e) => {
      e.preventDefault();
      clearTimeout(timer);
      page = 1;
      loadAvailable();
    },
    { signal },
  );
  input.addEventListener(
    "input",
    () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        page = 1;
        loadAvailable();
      }, SEARCH_DELAY_MS);
    },
    { signal },
  );
  signal.addEventListener("abort", () => clearTimeout(timer));
  box.dataset.ready = "true";
  loadAvailable().then(loadInstalled);
}
