"""The names of the shell's icons: the ``<symbol id>``s of ``static/icons.svg``.

Plugins name an icon (``NavItem.icon``, ``SettingsAction.icon``) instead of shipping one; a name
that is not here renders nothing, so the registry reports it as a fault of the plugin.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SPRITE = Path(__file__).parent / "static" / "icons.svg"
DEFAULT = "layers"


@cache
def icon_names() -> frozenset[str]:
    return frozenset(re.findall(r'<symbol[^>]*\bid="([^"]+)"', SPRITE.read_text(encoding="utf-8")))
