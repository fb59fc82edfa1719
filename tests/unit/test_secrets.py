"""Plugin credentials are encrypted (AES-256-GCM) and only the right secret opens them."""

from __future__ import annotations

import pytest

from plugin_sdk.secrets import DecryptionError, decrypt, encrypt


def test_round_trip_and_format() -> None:
    stored = encrypt("api-key-123", secret="s3cret")
    assert "api-key-123" not in stored
    assert len(stored.split(":")) == 4
    assert decrypt(stored, secret="s3cret") == "api-key-123"
    assert encrypt("api-key-123", secret="s3cret") != stored, "random salt and IV every time"


def test_wrong_secret_or_tampering_is_refused() -> None:
    stored = encrypt("token", secret="right")
    with pytest.raises(DecryptionError):
        decrypt(stored, secret="wrong")
    salt, iv, ct, tag = stored.split(":")
    with pytest.raises(DecryptionError):
        decrypt(":".join([salt, iv, ct[:-4] + "AAA=", tag]), secret="right")
    with pytest.raises(DecryptionError):
        decrypt("not-a-credential", secret="right")
