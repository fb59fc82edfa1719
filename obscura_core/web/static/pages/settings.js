// Settings page: library folders (switches, scan, remove, the add dialog with its server-side
// folder browser), the library settings form (sends only what changed) and maintenance buttons.
// Page contract (js/navigate.js): mount() wires the page; document/window listeners take the
// page's abort signal.
import { del, get, patch, post, put } from "/static/js/api.js";
import { navigate } from "/static/js/navigate.js";
import { confirmDialog, escapeHtml, icon, toast } from "/static/js/ui.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

export function mount({ signal }) {
  const htmx = window.htmx;

  // ------------------------------------------------------------------------------- library folders

  const rootsList = document.getElementById("libraries-list");

  function reloadRoots() {
    return htmx.ajax("GET", "/fragments/settings/libraries", { target: rootsList, swap: "innerHTML" });
  }

  function rootOf(el) {
    const li = el.closest("[data-root-id]");
    return li ? { id: li.dataset.rootId, label: li.dataset.label, el: li } : null;
  }

  rootsList.addEventListener("change", async (e) => {
    const input = e.target.closest("input[data-root-field]");
    if (!input) return;
    const root = rootOf(input);
    const field = input.dataset.rootField;
    const on = input.checked;
    input.disabled = true;
    try {
      await patch(`/api/libraries/${encodeURIComponent(root.id)}`, { [camel(field)]: on });
      toast(`“${root.label}”: ${input.dataset.fieldLabel} ${on ? "on" : "off"}.`, "ok");
      if (field === "enabled" || field === "is_nsfw") {
        await reloadRoots();
        document.getElementById(input.id)?.focus();
        return;
      }
    } catch (err) {
      input.checked = !on;
      toast(err.message, "error");
    }
    input.disabled = false;
  });

  async function scanRoot(button) {
    const root = rootOf(button);
    if (button.getAttribute("aria-disabled") === "true") {
      toast(button.title || "This folder cannot be scanned right now.");
      return;
    }
    button.disabled = true;
    try {
      const { enqueued } = await post(`/api/libraries/${encodeURIComponent(root.id)}/scan`, {});
      toast(
        enqueued
          ? `Scanning “${root.label}” (${plural(enqueued, "job")} queued). Follow it in Operations.`
          : `Nothing to scan in “${root.label}”: no plugin looks for the kinds of media switched on.`,
        "ok",
      );
    } catch (err) {
      toast(err.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  async function removeRoot(button) {
    const root = rootOf(button);
    const ok = await confirmDialog({
      title: `Remove “${root.label}”?`,
      message:
        "Obscura forgets this folder and what it indexed in it (videos, previews, watch progress). " +
        "The files on disk are not deleted; add the folder again to bring them back.",
      confirmLabel: "Remove folder",
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/libraries/${encodeURIComponent(root.id)}`);
      toast(`Removed “${root.label}”. Its files stay on disk.`, "ok");
      await reloadRoots();
      document.getElementById("add-root-button")?.focus();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  // ------------------------------------------------------------------------------- add-folder dialog

  const dialog = document.getElementById("add-root-dialog");
  const addForm = document.getElementById("add-root-form");
  const pathInput = document.getElementById("root-path");
  const labelInput = document.getElementById("root-label");
  const scanNow = document.getElementById("root-scan-now");
  const addError = document.getElementById("add-root-error");
  const addSubmit = document.getElementById("add-root-submit");
  const crumbs = dialog.querySelector("[data-crumbs]");
  const folderList = dialog.querySelector("[data-folder-list]");
  const folderStatus = dialog.querySelector("[data-folder-status]");
  const upButton = dialog.querySelector("[data-browse-up]");
  let current = null;
  let parent = null;
  let browseSeq = 0;
  let typedWhileBrowsing = false;

  function showAddError(message) {
    addError.textContent = message || "";
    addError.hidden = !message;
    if (message) pathInput.setAttribute("aria-invalid", "true");
    else pathInput.removeAttribute("aria-invalid");
  }

  function renderCrumbs(path) {
    const parts = path.split("/").filter(Boolean);
    const items = [{ name: "/", path: "/", label: "Root folder" }];
    parts.forEach((name, i) => items.push({ name, path: "/" + parts.slice(0, i + 1).join("/") }));
    crumbs.innerHTML = items
      .map((it, i) => {
        const last = i === items.length - 1;
        const text = escapeHtml(it.name);
        const aria = it.label ? ` aria-label="${it.label}"` : "";
        return last
          ? `<li><span aria-current="location"${aria}>${text}</span></li>`
          : `<li><button type="button" class="crumb" data-path="${escapeHtml(it.path)}"${aria}>${text}</button></li>`;
      })
      .join("");
    const nav = crumbs.parentElement;
    nav.scrollLeft = nav.scrollWidth; // keep the current folder in view
  }

  function renderFolders(dirs) {
    folderList.innerHTML = dirs
      .map(
        (d, i) => `<li><button type="button" class="folder-item" data-path="${escapeHtml(d.path)}" tabindex="${i ? -1 : 0}">
          ${icon("folder", "i i-s")}<span>${escapeHtml(d.name)}</span>${icon("chevron-right", "i i-s chev")}</button></li>`,
      )
      .join("");
  }

  async function browse(path, { focus = null } = {}) {
    const mine = ++browseSeq;
    typedWhileBrowsing = false;
    folderStatus.classList.remove("is-error");
    folderList.setAttribute("aria-busy", "true");
    try {
      const data = await get(`/api/libraries/browse?path=${encodeURIComponent(path)}`);
      if (mine !== browseSeq) return;
      current = data.path;
      parent = data.parentPath;
      if (!typedWhileBrowsing) pathInput.value = data.path; // never overwrite what the user typed meanwhile
      showAddError("");
      renderCrumbs(data.path);
      renderFolders(data.directories);
      upButton.disabled = !parent;
      const n = data.directories.length;
      folderStatus.textContent = n ? `${plural(n, "sub-folder")} in ${data.path}` : `${data.path} has no sub-folders.`;
      if (focus === "list") (folderList.querySelector(".folder-item") || upButton).focus();
      else if (typeof focus === "string") {
        const back = [...folderList.querySelectorAll(".folder-item")].find((b) => b.dataset.path === focus);
        if (back) moveTo(back);
      }
    } catch (err) {
      if (mine !== browseSeq) return;
      folderStatus.textContent = err.message;
      folderStatus.classList.add("is-error");
    } finally {
      if (mine === browseSeq) folderList.removeAttribute("aria-busy");
    }
  }

  function moveTo(button) {
    folderList.querySelectorAll(".folder-item").forEach((b) => (b.tabIndex = b === button ? 0 : -1));
    button.focus();
    button.scrollIntoView({ block: "nearest" });
  }

  function goUp() {
    if (parent) browse(parent, { focus: current });
  }

  folderList.addEventListener("click", (e) => {
    const item = e.target.closest(".folder-item");
    if (item) browse(item.dataset.path, { focus: e.detail === 0 ? "list" : null });
  });

  folderList.addEventListener("keydown", (e) => {
    const items = [...folderList.querySelectorAll(".folder-item")];
    const index = items.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (e.key === "ArrowDown") next = items[Math.min(index + 1, items.length - 1)];
    else if (e.key === "ArrowUp") next = items[Math.max(index - 1, 0)];
    else if (e.key === "Home") next = items[0];
    else if (e.key === "End") next = items[items.length - 1];
    else if (e.key === "ArrowRight") {
      e.preventDefault();
      browse(items[index].dataset.path, { focus: "list" });
      return;
    } else if (e.key === "ArrowLeft" || e.key === "Backspace") {
      e.preventDefault();
      goUp();
      return;
    } else if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      // type-ahead: the next folder starting with that letter
      const letter = e.key.toLowerCase();
      const ordered = [...items.slice(index + 1), ...items.slice(0, index + 1)];
      next = ordered.find((b) => b.textContent.trim().toLowerCase().startsWith(letter)) || null;
    } else return;
    e.preventDefault();
    if (next) moveTo(next);
  });

  crumbs.addEventListener("click", (e) => {
    const crumb = e.target.closest(".crumb");
    if (crumb) browse(crumb.dataset.path);
  });
  upButton.addEventListener("click", goUp);
  dialog.querySelector("[data-browse-go]").addEventListener("click", () => browse(pathInput.value.trim() || "/"));
  pathInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      browse(pathInput.value.trim() || "/", { focus: "list" });
    }
  });
  pathInput.addEventListener("input", () => {
    typedWhileBrowsing = true;
    showAddError("");
  });
  dialog.querySelector("[data-close-dialog]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) dialog.close();
  });

  function openAddDialog() {
    addForm.reset();
    showAddError("");
    dialog.showModal();
    pathInput.focus();
    browse(current || "/");
  }

  addForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const path = pathInput.value.trim();
    if (!path) {
      showAddError("Choose a folder, or type its path.");
      pathInput.focus();
      return;
    }
    const body = { path, label: labelInput.value.trim() || undefined };
    addForm.querySelectorAll("[data-new-root-field]").forEach((input) => {
      body[camel(input.dataset.newRootField)] = input.checked;
    });
    addSubmit.disabled = true;
    let root;
    try {
      root = await post("/api/libraries", body);
    } catch (err) {
      showAddError(err.message);
      pathInput.focus();
      addSubmit.disabled = false;
      return;
    }
    addSubmit.disabled = false;
    dialog.close();
    let message = `Added “${root.label}”.`;
    if (scanNow.checked) {
      try {
        const { enqueued } = await post(`/api/libraries/${encodeURIComponent(root.id)}/scan`, {});
        if (enqueued) message += ` Scanning it now (${plural(enqueued, "job")}).`;
      } catch (err) {
        toast(`The folder was added, but its scan could not start: ${err.message}`, "error");
      }
    }
    toast(message, "ok");
    await reloadRoots();
    document.getElementById(`root-${root.id}-label`)?.scrollIntoView({ block: "nearest" });
  });

  // ------------------------------------------------------------------------------- library settings

  const settingsForm = document.getElementById("library-settings");
  const settingInputs = [...settingsForm.querySelectorAll("[data-setting]")];
  const saveButton = document.getElementById("settings-save");
  const discardButton = document.getElementById("settings-discard");
  const saveStatus = document.getElementById("settings-status");
  const saveError = document.getElementById("settings-error");
  const initial = new Map(settingInputs.map((el) => [el, JSON.parse(el.dataset.initial)]));

  function valueOf(el) {
    const kind = el.dataset.kind;
    if (kind === "bool") return el.checked;
    if (kind === "int" || kind === "float") return el.value.trim() === "" ? null : Number(el.value);
    return el.value;
  }

  function setValue(el, value) {
    if (el.dataset.kind === "bool") el.checked = !!value;
    else el.value = value ?? "";
  }

  function changedFields() {
    return settingInputs.filter((el) => valueOf(el) !== initial.get(el));
  }

  function setSaveError(message, fields = []) {
    saveError.textContent = message || "";
    saveError.hidden = !message;
    settingInputs.forEach((el) => {
      if (fields.includes(el.dataset.setting)) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    });
  }

  function updateDirty() {
    const changed = changedFields();
    settingInputs.forEach((el) => el.closest(".setting")?.classList.toggle("is-changed", changed.includes(el)));
    saveButton.disabled = discardButton.disabled = !changed.length;
    const status = changed.length ? `${plural(changed.length, "unsaved change")}.` : "All changes saved.";
    if (saveStatus.textContent !== status) saveStatus.textContent = status; // the live region speaks on change only
    settingsForm.classList.toggle("is-dirty", changed.length > 0);
  }

  settingsForm.addEventListener("input", (e) => {
    if (e.target.matches?.("[data-setting]")) e.target.removeAttribute("aria-invalid");
    updateDirty();
  });
  settingsForm.addEventListener("change", updateDirty);

  settingsForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const changed = changedFields();
    if (!changed.length) return;
    const body = Object.fromEntries(changed.map((el) => [el.dataset.setting, valueOf(el)]));
    saveButton.disabled = true;
    saveButton.setAttribute("aria-busy", "true");
    try {
      const saved = await put("/api/settings/library", body);
      for (const el of settingInputs) {
        if (el.dataset.setting in saved) {
          initial.set(el, saved[el.dataset.setting]);
          setValue(el, saved[el.dataset.setting]);
        }
      }
      setSaveError("");
      toast(`Saved ${plural(changed.length, "setting")}.`, "ok");
      document.dispatchEvent(
        new CustomEvent("obscura:settings-saved", { detail: { saved, changed: Object.keys(body) } }),
      );
    } catch (err) {
      const fields = [...err.message.matchAll(/body\.([A-Za-z]+)/g)].map((m) => m[1]);
      setSaveError(err.message, fields);
      const first = settingInputs.find((el) => fields.includes(el.dataset.setting));
      if (first) first.focus();
    } finally {
      saveButton.removeAttribute("aria-busy");
      updateDirty();
    }
  });

  function discardChanges() {
    for (const el of settingInputs) setValue(el, initial.get(el));
    setSaveError("");
    updateDirty();
  }

  window.addEventListener("beforeunload", (e) => {
    if (changedFields().length) e.preventDefault();
  }, { signal });

  // ------------------------------------------------------------------------------- maintenance & dispatch

  async function runMaintenance(button, path, describe) {
    button.disabled = true;
    try {
      const data = await post(path, {});
      toast(describe(data.enqueued ?? 0, data), "ok");
    } catch (err) {
      toast(err.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  const actions = {
    "add-root": openAddDialog,
    "scan-root": scanRoot,
    "remove-root": removeRoot,
    "discard-settings": discardChanges,
    "scan-all": (b) =>
      runMaintenance(b, "/api/libraries/scan", (n) =>
        n ? `Scanning every enabled folder (${plural(n, "job")} queued).` : "Nothing to scan: no enabled folder.",
      ),
    // a plugin's settings action (SettingsAction): POST its URL, show what the route says
    post: (b) =>
      runMaintenance(b, b.dataset.url, (n, data) => data.message ?? `${plural(n, "job")} queued.`),
  };

  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-action]");
    if (!button || !actions[button.dataset.action]) return;
    e.preventDefault();
    actions[button.dataset.action](button);
  }, { signal });

  // Leaving with unsaved settings: ask first (soft navigation has no beforeunload).
  document.addEventListener("click", async (e) => {
    const link = e.target.closest?.("a[href]");
    if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.pathname === location.pathname || !changedFields().length) return;
    e.preventDefault();
    const leave = await confirmDialog({
      title: "Leave without saving?",
      message: `You have ${plural(changedFields().length, "unsaved change")} in the library settings.`,
      confirmLabel: "Discard and leave",
      danger: true,
    });
    if (leave) {
      discardChanges();
      navigate(url.href);
    }
  }, { signal });

  updateDirty();

  // Plugin sections with a module (SettingsSection.module): mount each with its element.
  for (const section of document.querySelectorAll("[data-section-module]")) {
    import(section.dataset.sectionModule)
      .then((mod) => mod.mount?.({ root: section, signal, url: new URL(location.href) }))
      .catch((err) => console.error(`settings section ${section.id}:`, err));
  }
}
