"""Page helpers for plugins: the panels other plugins contribute to a detail page.

A plugin that renders a detail page (a video, a gallery, a performer…) asks for the panels of its
entity type and shows them; it never knows which plugins answered::

    from plugin_sdk.pages import render_panels

    return render_template("clips/clip.html", clip=clip, panels=render_panels("hello-clip", clip.id))

    {# in the template #}
    {{ panels }}

A panel with a ``url`` (an HTML fragment route) is loaded by the browser after the page; on an
entity's page the entity is added to that URL's query string as ``entity=<type>&id=<id>``, so one
fragment route serves every entity (see :func:`panel_target`). A panel with a ``template`` is
rendered in place with the page's context plus ``entity_type`` and ``entity_id``.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

from markupsafe import Markup

from plugin_sdk.types import LinkKind, Panel

ENTITY_PARAM = "entity"
ID_PARAM = "id"
ID_MAX = 64

_SLOT = """{%- for plugin, panel in panels -%}
<section class="card page-panel {{ css_class }}" data-plugin="{{ plugin }}"
  aria-labelledby="{{ prefix }}-{{ loop.index }}">
  <div class="card-head"><h2 id="{{ prefix }}-{{ loop.index }}">{{ panel.title }}</h2></div>
  {%- if panel.url %}
  <div class="page-panel-body" hx-get="{{ panel.url }}" hx-trigger="load" hx-swap="innerHTML">
    <div class="skeleton" style="height: 96px"></div></div>
  {%- else %}
  {% include panel.template %}
  {%- endif %}
</section>
{%- endfor -%}"""


def _runtime() -> Any:
    from obscura_core.runtime import get_runtime

    return get_runtime()


def panel_url(url: str, entity_type: str, entity_id: str | None) -> str:
    """``url`` with the entity in its query string (unchanged when ``entity_id`` is ``None``)."""
    if entity_id is None:
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}{urlencode({ENTITY_PARAM: entity_type, ID_PARAM: entity_id})}"


def page_panels(entity_type: str, entity_id: str | None = None) -> list[tuple[str, Panel]]:
    """``(plugin name, Panel)`` pairs contributed through ``obscura_panels(entity_type)``, in order
    (``order``, then title); URL panels carry the entity in their query string."""
    out: list[tuple[str, Panel]] = []
    for plugin, panel in _runtime().registry.panels(entity_type):
        if panel.url:
            panel = Panel(title=panel.title, template=panel.template, order=panel.order,
                          url=panel_url(panel.url, entity_type, entity_id))  # fmt: skip
        out.append((plugin, panel))
    return out


def render_panels(entity_type: str, entity_id: str | None = None, css_class: str = "", **context: Any) -> Markup:
    """The panels of :func:`page_panels` as HTML cards (URL panels load after the page, with htmx).

    :param context: extra variables for template panels (the page's own context).
    """
    from flask import render_template_string

    panels = page_panels(entity_type, entity_id)
    if not panels:
        return Markup("")
    html = render_template_string(
        _SLOT, panels=panels, css_class=css_class, prefix=f"panel-{entity_type}",
        entity_type=entity_type, entity_id=entity_id, **context,
    )  # fmt: skip
    return Markup(html)


def panel_target(args: Any, allowed: tuple[str, ...] | None = None) -> tuple[str, str] | None:
    """The ``(entity type, id)`` a panel fragment was asked for (``?entity=…&id=…``), or ``None``
    when missing, too long or not one of ``allowed``."""
    entity_type = (args.get(ENTITY_PARAM) or "").strip()
    entity_id = (args.get(ID_PARAM) or "").strip()
    if not entity_type or not entity_id or len(entity_type) > ID_MAX or len(entity_id) > ID_MAX:
        return None
    if allowed is not None and entity_type not in allowed:
        return None
    return entity_type, entity_id


def linked_types() -> dict[str, LinkKind]:
    """Entity types whose pages list the media linked to them (``performer``, ``tag``…) → the
    link kind (``obscura_link_kinds``) whose list filter selects those media."""
    from plugin_sdk.links import link_kinds

    return {k.linked_type: k for k in link_kinds() if k.linked_type and k.filter}


def linked_filter(args: Any) -> dict[str, str | list[str]]:
    """For a panel listing a performer's, tag's or studio's rows (``?entity=…&id=…``): the list
    filter selecting them, as query fields (``{"performers": [id]}``, ``{"studio": id}``).
    Answers 400 when the request names no entity type a link kind serves."""
    from flask import abort

    kinds = linked_types()
    target = panel_target(args, tuple(kinds))
    if target is None:
        abort(400, f"Ask for ?entity=<{'|'.join(sorted(kinds)) or 'type'}>&id=<id>.")
    entity_type, entity_id = target
    kind = kinds[entity_type]
    assert kind.filter is not None
    return {kind.filter: [entity_id] if kind.many else entity_id}


M = TypeVar("M")


def bad_query(message: str) -> NoReturn:
    """Answer a page request 400 with ``message`` (Werkzeug's error page, not the API envelope)."""
    from flask import abort

    abort(400, message)


def refuse_nul(args: Any) -> None:
    """PostgreSQL text cannot hold NUL: refuse a query string holding one before any query does."""
    if any("\x00" in key or any("\x00" in v for v in args.getlist(key)) for key in args):
        bad_query("The query string contains a NUL character.")


def strict_query(model: type[M], args: Any) -> M:
    """A page's query string (first value of each key) as ``model`` (a pydantic model); anything
    malformed is a 400 naming the first bad parameter (see ``plugin_sdk.http.validate_dropping``
    for pages that drop bad values instead)."""
    from pydantic import ValidationError

    refuse_nul(args)
    try:
        return model.model_validate(args.to_dict())  # type: ignore[attr-defined,no-any-return]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "query"
        bad_query(f"query.{where}: {first.get('msg', 'invalid')}.")
