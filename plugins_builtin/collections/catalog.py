"""The rule fields of every loaded kind, as the rule builder and ``GET /api/collections/rule-fields``
show them: types, operators, enum options and whether a link field can be used right now."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk.collections import collection_sources
from plugin_sdk.links import links_available
from plugins_builtin.collections.rules import OPERATOR_LABELS, OPERATORS_BY_TYPE


def catalog(db: Session) -> dict[str, Any]:
    """``{"kinds": [{kind, label, fields: [{key, label, type, options, operators, available}]}], "operators"}``."""
    kinds = []
    links = links_available()
    for kind, source in collection_sources().items():
        fields = []
        for f in source.fields:
            available = f.type != "link" or links
            fields.append({
                "key": f.key, "label": f.label, "type": f.type, "options": list(f.options),
                "operators": list(OPERATORS_BY_TYPE[f.type]), "available": available,
            })  # fmt: skip
        kinds.append({"kind": kind, "label": source.label, "fields": fields})
    return {"kinds": kinds, "operators": OPERATOR_LABELS}
