"""The taxonomy's importers (``obscura_importers``): tags, studios, performers, the tag and studio
hierarchies, and the links of media rows to them.

An import source hands them over in this order, each step using the ids the earlier ones
answered: ``tag``, ``tag_parent``, ``studio``, ``studio_parent``, ``performer``, then
``entity_links`` (once the media rows exist). Each ``fields`` text documents its record shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plugin_sdk.imports import ImportBatch, Importer, ImportOutcome
from plugins_builtin.taxonomy.import_links import DOC as LINKS_DOC
from plugins_builtin.taxonomy.import_links import import_entity_links
from plugins_builtin.taxonomy.import_named import import_named
from plugins_builtin.taxonomy.import_parents import (
    STUDIO_PARENT_DOC,
    TAG_PARENT_DOC,
    import_studio_parents,
    import_tag_parents,
)
from plugins_builtin.taxonomy.import_shapes import PERFORMER_SHAPE, STUDIO_SHAPE, TAG_SHAPE, Shape

PLUGIN = "taxonomy"


def _named(shape: Shape) -> Any:
    def apply(db: Any, batch: ImportBatch) -> Sequence[ImportOutcome]:
        return import_named(db, shape, batch)

    apply.__name__ = apply.__qualname__ = f"import_{shape.kind.plural}"
    return apply


def importers() -> list[Importer]:
    """Every importer this plugin registers."""
    return [
        Importer(PLUGIN, "tag", apply=_named(TAG_SHAPE), label="Tags", fields=TAG_SHAPE.doc),
        Importer(PLUGIN, "tag_parent", apply=import_tag_parents, label="Tag parents", fields=TAG_PARENT_DOC),
        Importer(PLUGIN, "studio", apply=_named(STUDIO_SHAPE), label="Studios", fields=STUDIO_SHAPE.doc),
        Importer(
            PLUGIN, "studio_parent", apply=import_studio_parents, label="Studio parents", fields=STUDIO_PARENT_DOC
        ),
        Importer(PLUGIN, "performer", apply=_named(PERFORMER_SHAPE), label="Performers", fields=PERFORMER_SHAPE.doc),
        Importer(PLUGIN, "entity_links", apply=import_entity_links, label="Links", fields=LINKS_DOC),
    ]
