"""The single stylesheet: the core's design system plus every plugin's CSS, served as one file
under a content-hashed URL (cached for a year; a new build gets a new URL)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

CORE_CSS = Path(__file__).parent / "static" / "obscura.css"


@dataclass(frozen=True)
class Bundle:
    body: bytes
    digest: str

    @property
    def url(self) -> str:
        return f"/assets/app.{self.digest}.css"


def build_bundle(app: Flask) -> Bundle:
    rt = app.extensions["obscura"]
    sheets = rt.registry.stylesheets
    parts = [CORE_CSS.read_bytes()]
    for plugin, sheet in sheets:
        parts.append(f"\n/* ---- plugin {plugin}: {Path(sheet.path).name} ---- */\n".encode())
        parts.append(Path(sheet.path).read_bytes())
    body = b"".join(parts)
    return Bundle(body=body, digest=hashlib.sha256(body).hexdigest()[:12])


def bundle(app: Flask) -> Bundle:
    cached = app.extensions.get("obscura_css")
    if cached is None or app.debug:
        cached = app.extensions["obscura_css"] = build_bundle(app)
    return cached
