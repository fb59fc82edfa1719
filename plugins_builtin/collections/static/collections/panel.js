// The "Collections" panel of a media page: add the item to a collection, or take it out.

import { del, post } from "/static/js/api.js";
import { toast } from "/static/js/ui.js";

export function mountPanels() {
  for (const panel of document.querySelectorAll("[data-collections-panel]:not([data-wired])")) {
    panel.dataset.wired = "true";
    const item = { entityType: panel.dataset.entityType, entityId: panel.dataset.entityId };
    panel.addEventListener("click", async (e) => {
      const add = e.target.closest("[data-panel-add]");
      const remove = e.target.closest("[data-panel-remove]");
      if (!add && !remove) return;
      const btn = add || remove;
      btn.disabled = true;
      try {
        if (add) await post(`/api/collections/${add.dataset.panelAdd}/items`, { items: [item] });
        else await del(`/api/collections/${remove.dataset.panelRemove}/items`, { items: [item] });
        const name = btn.closest("li").querySelector("a").textContent;
        toast(add ? `Added to “${name}”.` : `Removed from “${name}”.`);
        const resp = await fetch(`/collections/fragments/panel?entity=${encodeURIComponent(item.entityType)}&id=${encodeURIComponent(item.entityId)}`);
        const tpl = document.createElement("template");
        tpl.innerHTML = await resp.text();
        const fresh = tpl.content.querySelector("[data-collections-panel]");
        fresh.querySelector("script")?.remove();
        panel.replaceWith(fresh);
        mountPanels();
      } catch (err) {
        toast(err.message, "error");
        btn.disabled = false;
      }
    });
  }
}
