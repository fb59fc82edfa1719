"""The stashbox plugin's pages: a "StashBox" section in Settings (the endpoints, add / edit /
delete, the test button), the Identify page ``/stashbox/identify`` (Stash's tagger: identify
videos by filter, follow the jobs, review the matches), the pHash contributions page
``/stashbox/contributions`` and a "StashBox" panel with the stash-id badges of videos, performers,
studios and tags (and, on a video's, "Submit fingerprints" / "Submit draft").

One blueprint (``stashbox_pages``) with the plugin's templates (``templates/stashbox/``) and
static files (served under ``/static/stashbox/``). The pages talk to this plugin's JSON API and
to the ``metadata`` plugin's (identify, scrape results, stash ids) from the browser; the result
cards are the metadata plugin's own fragments (``/metadata/fragments/results``), loaded as they
are, so no module of that plugin is imported here.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import NavItem, Panel, SettingsSection, ShellPart, Stylesheet
from plugin_sdk.blueprint import plugin_blueprint, plugin_stylesheets

NAME = "stashbox"
SECTION_KEY = "stashbox"
SETTINGS_MODULE = "/static/stashbox/settings.js"
"""Mounted by the Settings page with the section (``SettingsSection.module``)."""
ELEMENTS_MODULE = "/static/stashbox/elements.js"
"""Defines ``<sb-stash-ids>`` once per visit (the shell part loads it), so the panel fragment,
loaded by htmx after the page, finds it defined."""


def make_blueprint() -> Blueprint:
    """A fresh blueprint holding the Settings section's fragment, the Identify page and the panel."""
    from plugins_builtin.stashbox.pages import contributions, identify, panel, settings

    routes = (settings.register, identify.register, panel.register, contributions.register)
    return plugin_blueprint(NAME, __file__, routes=routes)


def stylesheets() -> list[Stylesheet]:
    """The plugin's CSS (merged into the app's single stylesheet), after the metadata plugin's."""
    return plugin_stylesheets(NAME, __file__, order=73)


def nav_items() -> list[NavItem]:
    """The Identify page, beside the other metadata pages of the System section."""
    from plugins_builtin.stashbox.pages.identify import IDENTIFY_URL

    return [NavItem("StashBox", IDENTIFY_URL, icon="layers", order=90, section="system")]


def settings_sections() -> list[SettingsSection]:
    """The endpoints, in Settings."""
    return [SettingsSection(SECTION_KEY, "StashBox", "stashbox/settings_section.html", order=40,
                            module=SETTINGS_MODULE)]  # fmt: skip


def panels(entity_type: str) -> list[Panel]:
    """The stash-id badges on the pages of videos, performers, studios and tags."""
    from plugins_builtin.stashbox.pages.panel import panels as stash_id_panels

    return stash_id_panels(entity_type)


def shell_parts() -> list[ShellPart]:
    """No visible part: its module defines the panel's custom element once per visit."""
    return [ShellPart("stashbox-elements", "stashbox/shell_part.html", module=ELEMENTS_MODULE, order=93)]
