"""Encrypting plugin credentials (``plugin_auth.encrypted_value``) with ``OBSCURA_SECRET``.

AES-256-GCM with a key derived by PBKDF2-SHA256 (100 000 iterations, random 16-byte salt), stored
as ``salt:iv:ciphertext:tag`` in base64 — the original Obscura's format, so credentials carry over.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

ITERATIONS = 100_000
TAG_BYTES = 16


class DecryptionError(ValueError):
    """The value was not encrypted with this secret, or it was altered."""


def _key(secret: str, salt: bytes) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ITERATIONS)
    return kdf.derive(secret.encode())


def _secret(secret: str | None) -> str:
    if secret:
        return secret
    from obscura_core.settings import current_settings

    value = current_settings().secret or os.environ.get("OBSCURA_SECRET")
    if not value:
        raise RuntimeError("OBSCURA_SECRET is not set (obscura serve generates one in the data dir)")
    return value


def encrypt(plaintext: str, secret: str | None = None) -> str:
    """Encrypt ``plaintext``; the result is text safe to store."""
    salt, iv = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(_secret(secret), salt)).encrypt(iv, plaintext.encode(), None)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    return ":".join(base64.b64encode(p).decode() for p in (salt, iv, ciphertext, tag))


def decrypt(stored: str, secret: str | None = None) -> str:
    """Decrypt what :func:`encrypt` produced; raises ``DecryptionError`` on a wrong key or tampering."""
    try:
        salt, iv, ciphertext, tag = (base64.b64decode(p) for p in stored.split(":"))
        plain = AESGCM(_key(_secret(secret), salt)).decrypt(iv, ciphertext + tag, None)
    except (ValueError, InvalidTag) as exc:
        raise DecryptionError("this credential cannot be decrypted with the current OBSCURA_SECRET") from exc
    return plain.decode()
