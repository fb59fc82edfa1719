"""A package's credentials (``plugin_auth``): the keys its manifest's ``auth`` asks for, stored
encrypted with ``OBSCURA_SECRET`` (:mod:`plugin_sdk.secrets`).

A value that no longer decrypts (the secret was changed) counts as missing, never as garbage.
Values are never logged nor sent back to the browser.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.errors import ValidationError
from plugin_sdk.secrets import DecryptionError, decrypt, encrypt
from plugins_builtin.packages.install import current_manifest, get_package
from plugins_builtin.packages.manifest import Manifest
from plugins_builtin.packages.models import PluginAuth, PluginPackage

VALUE_MAX = 8192

AuthStatus = Literal["ok", "missing"]


def _rows(db: Session, plugin_id: str) -> dict[str, PluginAuth]:
    rows = db.execute(select(PluginAuth).where(PluginAuth.plugin_id == plugin_id)).scalars().all()
    return {r.auth_key: r for r in rows}


def _decrypted(rows: dict[str, PluginAuth]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, row in rows.items():
        try:
            out[key] = decrypt(row.encrypted_value)
        except DecryptionError:
            continue
    return out


def values(db: Session, plugin_id: str) -> dict[str, str]:
    """The plaintext of every stored credential of ``plugin_id`` that decrypts with the current secret."""
    return _decrypted(_rows(db, plugin_id))


def fields(db: Session, package: PluginPackage, manifest: Manifest | None) -> list[dict[str, Any]]:
    """The manifest's auth fields with whether each is set: ``[{key, label, required, url, status}]``
    (``status`` ``set``, or ``missing`` when unset or not decryptable)."""
    if manifest is None or not manifest.auth:
        return []
    present = values(db, package.plugin_id)
    return [
        {
            "key": f.key,
            "label": f.label,
            "required": f.required,
            "url": f.url,
            "status": "set" if present.get(f.key) else "missing",
        }
        for f in manifest.auth
    ]


def status(db: Session, package: PluginPackage, manifest: Manifest | None) -> AuthStatus | None:
    """``None`` when the manifest asks for no credentials; ``missing`` when a required one is unset
    or does not decrypt; else ``ok``."""
    return status_of(fields(db, package, manifest))


def status_of(listed: list[dict[str, Any]]) -> AuthStatus | None:
    """:func:`status` from what :func:`fields` answered (each value is decrypted only once)."""
    if not listed:
        return None
    return "missing" if any(f["required"] and f["status"] != "set" for f in listed) else "ok"


def set_value(db: Session, plugin_id: str, key: str, value: str | None) -> None:
    """Store (encrypted) or, for an empty ``value``, clear the credential ``key`` of ``plugin_id``.

    :raises NotFoundError: the plugin is not installed.
    :raises ValidationError: ``key`` is not one of the manifest's auth keys, or the value is too long.
    """
    package = get_package(db, plugin_id)
    manifest = current_manifest(package)
    keys = [f.key for f in manifest.auth] if manifest is not None else []
    if key not in keys:
        listed = ", ".join(keys) if keys else "none"
        raise ValidationError(
            f"{key[:80]!r} is not a credential of the plugin {package.name} (it asks for: {listed}).",
            code="unknown_auth_key",
        )
    text = (value or "").strip()
    if len(text) > VALUE_MAX:
        raise ValidationError(f"The value is longer than {VALUE_MAX} characters.", code="auth_value_too_long")
    row = _rows(db, plugin_id).get(key)
    if not text:
        if row is not None:
            db.delete(row)
    elif row is None:
        db.add(PluginAuth(plugin_id=plugin_id, auth_key=key, encrypted_value=encrypt(text)))
    else:
        row.encrypted_value = encrypt(text)
    db.commit()
