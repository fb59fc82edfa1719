// The Plugins page (/plugins). Script plugin packages (the original Obscura's format: a
// manifest.yml and a script) are installed from the community index, a zip URL or a local folder,
// enabled or disabled, given their credentials, updated and removed; the Python plugins this
// server loaded (pip entry points and the built-ins) are listed with their load errors, and a
// banner asks for a restart when `obscura install` changed them since the server started.
// Every part is drawn here from the JSON API (/api/plugins/packages…, /api/plugins/index,
// /api/plugins/check-updates, /api/plugins); errors come back as the envelope's message.
import { del, get, patch, post, put } from "/static/js/api.js";
import { plural } from "/static/js/format.js";
import { busyButton, confirmDialog, escapeHtml as h, icon, toast } from "/static/js/ui.js";

const SEARCH_DELAY_MS = 150;
const OK_RUNTIME = new Set(["", "ok", "ready", "available"]);

const enc = encodeURIComponent;

/** The capability names a package or index entry declares: an object of booleans or a list. */
function capabilities(caps) {
  if (Array.isArray(caps)) return caps.map(String);
  if (caps && typeof caps === "object") return Object.keys(caps).filter((k) => caps[k] === true);
  return [];
}

function capsHtml(caps) {
  const names = capabilities(caps);
  if (!names.length) return "";
  return `<p class="pkg-caps" aria-label="Capabilities">${names.map((c) => `<span class="chip">${h(c)}</span>`).join("")}</p>`;
}

function httpUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function runtimeProblem(status) {
  const text = String(status ?? "").trim();
  return OK_RUNTIME.has(text.toLowerCase()) ? "" : text;
}

function notice(message, kind = "is-error", attr = "data-error") {
  return `<div class="notice ${kind}" ${attr}>${icon("alert", "i i-s")}<span>${h(message)}</span></div>`;
}

function empty(title, body) {
  return `<div class="empty pkg-empty">${icon("puzzle")}<h3>${h(title)}</h3><p>${body}</p></div>`;
}

// ------------------------------------------------------------------------------ script packages

function authFieldHtml(p, f) {
  const set = f.status === "set";
  const status = set
    ? `<span class="badge badge-ok" data-auth-status="set">Set</span>`
    : `<span class="badge ${f.required ? "badge-warn" : ""}" data-auth-status="missing">${f.required ? "Missing" : "Not set"}</span>`;
  const link = httpUrl(f.url)
    ? `<a class="btn btn-s btn-ghost" href="${h(f.url)}" target="_blank" rel="noopener noreferrer" data-get-key>Get a key</a>`
    : "";
  const label = f.label || f.key;
  return `<form class="pkg-auth-field" data-auth-form data-package-id="${h(p.id)}" data-key="${h(f.key)}" data-label="${h(label)}">
    <label class="pkg-auth-label">
      <span class="pkg-auth-name">${h(label)}${f.required ? "" : ' <span class="muted">(optional)</span>'} <code class="muted">${h(f.key)}</code> ${status}</span>
      <input class="input" type="password" name="value" required autocomplete="new-password" spellcheck="false"
        aria-label="${h(label)} for ${h(p.name)}" placeholder="${set ? "Saved · type a new one to replace it" : "Paste the key"}">
    </label>
    <div class="pkg-auth-actions">${link}<button class="btn btn-s" type="submit" aria-label="Save ${h(label)}">Save</button></div>
  </form>`;
}

function packageHtml(p, update, sfw) {
  const fields = Array.isArray(p.authFields) ? p.authFields : [];
  const missing = p.authStatus === "missing";
  const runtime = runtimeProblem(p.runtimeStatus);
  const update_ = update?.updateAvailable ? update : null;
  const homepage = httpUrl(p.homepage);
  const by = [p.author ? `by ${h(p.author)}` : "", homepage ? `<a href="${h(homepage)}" target="_blank" rel="noopener noreferrer">homepage</a>` : ""]
    .filter(Boolean)
    .join(" · ");
  const warnings = [];
  if (runtime) warnings.push(`<p class="pkg-warn" data-runtime-status>${icon("alert", "i i-s")}<span>${h(runtime)}</span></p>`);
  if (missing) {
    const need = fields.filter((f) => f.required && f.status !== "set").map((f) => f.label || f.key);
    const which = need.length ? `: ${h(need.join(", "))}` : "";
    warnings.push(`<p class="pkg-warn" data-auth-missing>${icon("alert", "i i-s")}<span>A required key is missing${which}. It cannot run until it is set.</span></p>`);
  }
  const auth = fields.length
    ? `<details class="pkg-auth" data-auth${missing ? " open" : ""}>
        <summary>Credentials <span class="muted">(${fields.length})</span></summary>
        <p class="muted small">Stored encrypted on this server; saved keys are never shown again.</p>
        ${fields.map((f) => authFieldHtml(p, f)).join("")}
      </details>`
    : "";
  return `<li class="pkg-item${p.enabled ? "" : " is-disabled"}" data-package="${h(p.id)}">
    <div class="pkg-main">
      <h4 class="pkg-name">${h(p.name || p.id)}${p.name && p.name !== p.id ? ` <span class="muted small">${h(p.id)}</span>` : ""}</h4>
      <p class="pkg-meta">
        ${p.version ? `<span class="muted">Version <code>${h(p.version)}</code></span>` : ""}
        ${p.runtime ? `<span class="badge" data-runtime>${h(p.runtime)}</span>` : ""}
        ${p.isNsfw && !sfw ? '<span class="badge badge-danger">NSFW</span>' : ""}
        ${p.verified === false && p.sourceIndex !== "local" ? '<span class="badge badge-warn" data-unverified title="Installed without a checksum to verify the download against">Unverified</span>' : ""}
        ${update_ ? `<span class="badge badge-accent" data-update-badge>Update: ${h(update_.availableVersion)}</span>` : ""}
        ${p.enabled ? "" : '<span class="badge badge-warn">Disabled</span>'}
        ${p.sourceIndex === "local" ? '<span class="badge" title="Registered in place from a folder on this server">Local folder</span>' : ""}
        ${p.sourceIndex === "zip" ? '<span class="badge" title="Installed from a zip URL">Zip</span>' : ""}
      </p>
      ${p.description ? `<p class="muted small pkg-desc">${h(p.description)}</p>` : ""}
      ${by ? `<p class="muted small">${by}</p>` : ""}
      ${capsHtml(p.capabilities)}
      ${warnings.join("")}
      ${auth}
    </div>
    <div class="pkg-actions">
      <label class="switch">
        <input type="checkbox" role="switch" data-toggle-enabled="${h(p.id)}" aria-label="Enable ${h(p.name || p.id)}"${p.enabled ? " checked" : ""}>
        <span>Enabled</span>
      </label>
      ${
        update_
          ? `<button class="btn btn-s btn-primary" type="button" data-install="${h(p.id)}" data-name="${h(p.name || p.id)}" data-verb="update" aria-label="Update ${h(p.name || p.id)}">${icon("download", "i i-s")}Update</button>`
          : ""
      }
      <button class="btn btn-s btn-danger" type="button" data-remove="${h(p.id)}" data-name="${h(p.name || p.id)}" aria-label="Remove ${h(p.name || p.id)}">${icon("trash", "i i-s")}Remove</button>
    </div>
  </li>`;
}

function packagesHtml(packages, updates, sfw) {
  const shown = sfw ? packages.filter((p) => !p.isNsfw) : packages;
  if (!shown.length) {
    return empty("No script packages installed yet", "Install one from the community index below, or from a zip URL or a folder under Updates.");
  }
  return `<ul class="pkg-list" role="list">${shown.map((p) => packageHtml(p, updates.get(p.id), sfw)).join("")}</ul>`;
}

// ------------------------------------------------------------------------------ python plugins

function pythonItemHtml(p) {
  const origin = p.dist ? `${p.dist}${p.version ? ` ${p.version}` : ""}` : p.module || "";
  const hooks = p.hooks?.length ?? 0;
  return `<li class="pkg-item" data-python-plugin="${h(p.name)}">
    <div class="pkg-main">
      <h4 class="pkg-name">${h(p.name)}</h4>
      <p class="pkg-meta">
        ${p.version ? `<span class="muted">Version <code>${h(p.version)}</code></span>` : ""}
        <span class="badge">Python plugin</span>
        <span class="muted small" title="${h((p.hooks || []).join(", "))}">${plural(hooks, "hook")}</span>
        ${p.queues?.length ? `<span class="muted small">Queues: ${h(p.queues.join(", "))}</span>` : ""}
        ${p.faults ? `<span class="badge badge-warn" title="Recent hook calls of this plugin that failed">${plural(p.faults, "fault")}</span>` : ""}
      </p>
      ${origin ? `<p class="muted small"><code>${h(origin)}</code></p>` : ""}
    </div>
  </li>`;
}

function failedItemHtml(f) {
  return `<li class="pkg-item is-failed" data-python-plugin="${h(f.name)}" data-failed>
    <div class="pkg-main">
      <h4 class="pkg-name">${h(f.name)}</h4>
      <p class="pkg-meta">
        ${f.version ? `<span class="muted">Version <code>${h(f.version)}</code></span>` : ""}
        <span class="badge">Python plugin</span>
        <span class="badge badge-danger">Not loaded</span>
        ${f.dist ? `<span class="muted small"><code>${h(f.dist)}</code></span>` : ""}
      </p>
      <p class="pkg-error" data-load-error>Failed at ${h(f.stage)}: ${h(f.error)}</p>
    </div>
  </li>`;
}

function pythonHtml(data) {
  const plugins = data.plugins || [];
  const external = plugins.filter((p) => p.kind === "external");
  const builtin = plugins.filter((p) => p.kind !== "external");
  const failed = data.failed || [];
  const parts = [];
  if (external.length || failed.length) {
    parts.push(`<ul class="pkg-list" role="list">${failed.map(failedItemHtml).join("")}${external.map(pythonItemHtml).join("")}</ul>`);
  } else {
    parts.push('<p class="muted small" data-no-python>No Python plugin packages are installed.</p>');
  }
  if (builtin.length) {
    const rows = builtin
      .map(
        (p) => `<li data-python-plugin="${h(p.name)}"><span class="pkg-builtin-name">${h(p.name)}</span>
          <span class="badge">${p.kind === "essential" ? "Core" : "Built-in"}</span>
          <span class="muted small" title="${h((p.hooks || []).join(", "))}">${plural(p.hooks?.length ?? 0, "hook")}</span>
          ${p.faults ? `<span class="badge badge-warn">${plural(p.faults, "fault")}</span>` : ""}</li>`,
      )
      .join("");
    parts.push(`<details class="pkg-builtins" data-builtins>
      <summary>Built-in plugins <span class="muted">(${builtin.length})</span></summary>
      <ul class="pkg-builtin-list" role="list">${rows}</ul>
    </details>`);
  }
  return parts.join("");
}

function pendingLine(c) {
  const origin = [c.dist, c.version].filter(Boolean).join(" ");
  return `<li>${h(c.change)} <strong>${h(c.name)}</strong>${origin ? ` <code>${h(origin)}</code>` : ""}</li>`;
}

// ------------------------------------------------------------------------------ index & updates

function entryHtml(e, sfw) {
  let action;
  if (e.updateAvailable) {
    action = `<button class="btn btn-s btn-primary" type="button" data-install="${h(e.id)}" data-name="${h(e.name)}" data-verb="update" aria-label="Update ${h(e.name)}">${icon("download", "i i-s")}Update</button>`;
  } else if (e.installed) {
    action = '<span class="badge badge-ok" data-installed-badge>Installed</span>';
  } else {
    action = `<button class="btn btn-s" type="button" data-install="${h(e.id)}" data-name="${h(e.name)}" data-verb="install" aria-label="Install ${h(e.name)}">${icon("download", "i i-s")}Install</button>`;
  }
  return `<li class="pkg-item" data-entry="${h(e.id)}">
    <div class="pkg-main">
      <h4 class="pkg-name">${h(e.name)}${e.name !== e.id ? ` <span class="muted small">${h(e.id)}</span>` : ""}</h4>
      <p class="pkg-meta">
        ${e.version ? `<span class="muted">Version <code>${h(e.version)}</code></span>` : ""}
        ${e.date ? `<span class="muted">${h(e.date)}</span>` : ""}
        ${e.runtime ? `<span class="badge">${h(e.runtime)}</span>` : ""}
        ${e.isNsfw && !sfw ? '<span class="badge badge-danger">NSFW</span>' : ""}
        ${e.verified === false ? '<span class="badge badge-warn" title="The index gives no checksum for this package">Unverified</span>' : ""}
        ${e.installed && e.installedVersion && e.updateAvailable ? `<span class="muted small">Installed: <code>${h(e.installedVersion)}</code></span>` : ""}
      </p>
      ${e.description ? `<p class="muted small pkg-desc">${h(e.description)}</p>` : ""}
      ${e.author ? `<p class="muted small">by ${h(e.author)}</p>` : ""}
      ${capsHtml(e.capabilities)}
    </div>
    <div class="pkg-actions">${action}</div>
  </li>`;
}

function matches(e, q) {
  if (!q) return true;
  const hay = [e.id, e.name, e.author, e.description, e.runtime].filter(Boolean).join(" ").toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .every((word) => hay.includes(word));
}

function updateRowHtml(u, names) {
  const name = names.get(u.pluginId) || u.pluginId;
  return `<li class="pkg-item" data-update="${h(u.pluginId)}">
    <div class="pkg-main">
      <h4 class="pkg-name">${h(name)}</h4>
      <p class="pkg-meta"><span class="muted"><code>${h(u.installedVersion ?? "?")}</code> → <code>${h(u.availableVersion ?? "?")}</code></span></p>
    </div>
    <div class="pkg-actions">
      <button class="btn btn-s btn-primary" type="button" data-install="${h(u.pluginId)}" data-name="${h(name)}" data-verb="update" aria-label="Update ${h(name)}">${icon("download", "i i-s")}Update</button>
    </div>
  </li>`;
}

// ------------------------------------------------------------------------------ the page

export function mount({ root, signal }) {
  const box = root.querySelector("[data-plugins]");
  if (!box) return;
  const sfw = box.hasAttribute("data-sfw");
  const el = {
    packages: box.querySelector("[data-packages]"),
    python: box.querySelector("[data-python]"),
    updates: box.querySelector("[data-updates]"),
    index: box.querySelector("[data-index]"),
    indexUrl: box.querySelector("[data-index-url]"),
    q: box.querySelector("[data-index-q]"),
    nsfw: box.querySelector("[data-index-nsfw]"),
    banner: box.querySelector("[data-restart-banner]"),
    bannerText: box.querySelector("[data-restart-text]"),
    pending: box.querySelector("[data-pending]"),
  };
  const state = { packages: null, updates: new Map(), index: null, indexError: null };
  let timer = null;
  const seq = { packages: 0, python: 0, index: 0, updates: 0 };

  // Run `work` unless a newer load of the same part started meanwhile; the part is busy until then.
  async function load(part, target, work) {
    const mine = ++seq[part];
    target.setAttribute("aria-busy", "true");
    try {
      const data = await work();
      if (mine === seq[part] && !signal.aborted) return { data, current: true };
    } catch (err) {
      if (mine === seq[part] && !signal.aborted) return { error: err, current: true };
    } finally {
      if (mine === seq[part]) target.removeAttribute("aria-busy");
    }
    return { current: false };
  }

  function drawPackages() {
    if (!state.packages) return;
    // credentials panels the user opened stay open when the list is drawn again
    const open = [...el.packages.querySelectorAll("[data-auth][open]")].map((d) => d.closest("[data-package]")?.dataset.package);
    el.packages.innerHTML = packagesHtml(state.packages, state.updates, sfw);
    for (const id of open) {
      if (id) el.packages.querySelector(`[data-package="${CSS.escape(id)}"] [data-auth]`)?.setAttribute("open", "");
    }
  }

  async function loadPackages() {
    const out = await load("packages", el.packages, () => get("/api/plugins/packages"));
    if (!out.current) return;
    if (out.error) {
      el.packages.innerHTML = notice(out.error.message);
      return;
    }
    state.packages = out.data;
    drawPackages();
  }

  async function loadPython() {
    const out = await load("python", el.python, () => get("/api/plugins"));
    if (!out.current) return;
    if (out.error) {
      el.python.innerHTML = notice(out.error.message);
      return;
    }
    const data = out.data;
    el.python.innerHTML = pythonHtml(data);
    const pending = data.pending || [];
    el.banner.hidden = !data.restartNeeded;
    if (data.restartNeeded) {
      const added = pending.filter((c) => c.change === "installed").length;
      el.bannerText.textContent = added
        ? `Restart obscura serve to load ${plural(added, "newly installed plugin")}.`
        : `Restart obscura serve to apply ${plural(pending.length, "plugin change")}.`;
      el.pending.innerHTML = pending.map(pendingLine).join("");
    }
  }

  function drawIndex() {
    if (state.indexError) {
      el.index.innerHTML = notice(
        `${state.indexError} Set OBSCURA_PLUGIN_INDEX_URL to a reachable index (or a local folder), then refresh.`,
        "is-error",
        "data-index-error",
      );
      return;
    }
    if (!state.index) return;
    const items = (state.index.items || []).filter((e) => !(sfw && e.isNsfw));
    const q = el.q.value.trim();
    const shown = items.filter((e) => matches(e, q));
    if (!shown.length) {
      el.index.innerHTML = `<p class="muted" data-index-empty>${q ? `No plugin matches “${h(q)}”.` : "The index lists no plugins."}</p>`;
      return;
    }
    el.index.innerHTML = `<p class="muted small" data-index-total>${plural(shown.length, "plugin")}${q ? ` matching “${h(q)}”` : ""}</p>
      <ul class="pkg-list" role="list">${shown.map((e) => entryHtml(e, sfw)).join("")}</ul>`;
  }

  async function loadIndex({ refresh = false } = {}) {
    const params = new URLSearchParams({ nsfw: !sfw && el.nsfw?.checked ? "true" : "false" });
    if (refresh) params.set("refresh", "true");
    const out = await load("index", el.index, () => get(`/api/plugins/index?${params}`));
    if (!out.current) return;
    if (out.error) {
      state.index = null;
      state.indexError = out.error.message;
    } else {
      state.index = out.data;
      state.indexError = null;
      if (out.data.indexUrl) el.indexUrl.textContent = out.data.indexUrl;
    }
    drawIndex();
  }

  async function loadUpdates({ refresh = false } = {}) {
    const out = await load("updates", el.updates, () => get(`/api/plugins/check-updates${refresh ? "?refresh=true" : ""}`));
    if (!out.current) return;
    if (out.error) {
      el.updates.innerHTML = notice(out.error.message, "is-error", "data-updates-error");
      return;
    }
    const list = Array.isArray(out.data) ? out.data : [];
    state.updates = new Map(list.map((u) => [u.pluginId, u]));
    drawPackages();
    const names = new Map((state.packages || []).map((p) => [p.id, p.name || p.id]));
    const due = list.filter((u) => u.updateAvailable);
    if (due.length) {
      el.updates.innerHTML = `<p class="muted small" data-updates-total>${plural(due.length, "update")} available</p>
        <ul class="pkg-list" role="list">${due.map((u) => updateRowHtml(u, names)).join("")}</ul>`;
    } else {
      el.updates.innerHTML = `<p class="muted" data-up-to-date>${list.length ? `Everything is up to date (${plural(list.length, "package")} checked).` : "No packages installed yet."}</p>`;
    }
  }

  const refresh = () => Promise.all([loadPackages(), loadIndex(), loadUpdates(), loadPython()]);

  const busy = (button, label, work) => busyButton(button, label, work, { restore: true });

  async function install(button) {
    const id = button.dataset.install;
    const updating = button.dataset.verb === "update";
    await busy(button, updating ? "Updating…" : "Installing…", async () => {
      const pkg = await post("/api/plugins/packages", { pluginId: id });
      const version = pkg.version ? ` ${pkg.version}` : "";
      toast(`${updating ? "Updated" : "Installed"} ${pkg.name || id}${version}.`, "ok");
      await refresh();
    });
  }

  async function remove(button) {
    const id = button.dataset.remove;
    const name = button.dataset.name || id;
    const yes = await confirmDialog({
      title: `Remove ${name}?`,
      message: "Its files and saved keys are deleted. Results it already proposed stay.",
      confirmLabel: "Remove",
      danger: true,
    });
    if (!yes) return;
    await busy(button, "Removing…", async () => {
      await del(`/api/plugins/packages/${enc(id)}`);
      toast(`Removed ${name}.`, "ok");
      await refresh();
    });
  }

  async function toggle(checkbox) {
    const id = checkbox.dataset.toggleEnabled;
    checkbox.disabled = true;
    try {
      const out = await patch(`/api/plugins/packages/${enc(id)}`, { enabled: checkbox.checked });
      toast(`${out?.name || id} ${checkbox.checked ? "enabled" : "disabled"}.`, "ok");
      await loadPackages();
    } catch (err) {
      checkbox.checked = !checkbox.checked;
      checkbox.disabled = false;
      toast(err.message, "error");
    }
  }

  async function saveAuth(form) {
    const input = form.elements.value;
    const value = input.value;
    if (!value.trim()) {
      input.setAttribute("aria-invalid", "true");
      toast("Paste the key first.", "error");
      return;
    }
    input.removeAttribute("aria-invalid");
    const button = form.querySelector("button[type=submit]");
    const { packageId, key, label } = form.dataset;
    await busy(button, "Saving…", async () => {
      await put(`/api/plugins/packages/${enc(packageId)}/auth/${enc(key)}`, { value });
      input.value = "";
      toast(`Saved ${label || key}.`, "ok");
      await loadPackages();
    });
  }

  async function installFrom(form, body, what) {
    const button = form.querySelector("button[type=submit]");
    await busy(button, "Installing…", async () => {
      const pkg = await post("/api/plugins/packages", body);
      form.reset();
      toast(`Installed ${pkg.name || pkg.id}${pkg.version ? ` ${pkg.version}` : ""} from ${what}.`, "ok");
      await refresh();
    });
  }

  box.addEventListener(
    "click",
    (e) => {
      const target = e.target.closest("button");
      if (!target || target.disabled) return;
      if (target.matches("[data-install]")) install(target);
      else if (target.matches("[data-remove]")) remove(target);
      else if (target.matches("[data-check-updates]")) {
        // read the index again, then the installed list and the index part follow what it says
        busy(target, "Checking…", () => loadUpdates({ refresh: true }).then(() => loadIndex()));
      } else if (target.matches("[data-index-refresh]")) busy(target, "Reading…", () => loadIndex({ refresh: true }));
    },
    { signal },
  );
  box.addEventListener(
    "change",
    (e) => {
      if (e.target.matches("[data-toggle-enabled]")) toggle(e.target);
      else if (e.target.matches("[data-index-nsfw]")) loadIndex();
    },
    { signal },
  );
  box.addEventListener(
    "submit",
    (e) => {
      const form = e.target;
      if (form.matches("[data-auth-form]")) {
        e.preventDefault();
        saveAuth(form);
      } else if (form.matches("[data-install-zip]")) {
        e.preventDefault();
        const zipUrl = form.elements.zipUrl.value.trim();
        const sha256 = form.elements.sha256.value.trim().toLowerCase();
        installFrom(form, sha256 ? { zipUrl, sha256 } : { zipUrl }, "the zip");
      } else if (form.matches("[data-install-local]")) {
        e.preventDefault();
        installFrom(form, { localPath: form.elements.localPath.value.trim() }, "the folder");
      }
    },
    { signal },
  );
  el.q.addEventListener(
    "input",
    () => {
      clearTimeout(timer);
      timer = setTimeout(drawIndex, SEARCH_DELAY_MS);
    },
    { signal },
  );
  signal.addEventListener("abort", () => clearTimeout(timer));
  box.dataset.ready = "true";
  // every part loaded (or showing why not): <div data-plugins data-loaded>
  refresh().then(() => {
    if (!signal.aborted) box.dataset.loaded = "true";
  });
}
