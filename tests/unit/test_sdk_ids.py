"""plugin_sdk.db.new_id / new_ids: random version-4 UUIDs as text."""

import uuid

import pytest

from plugin_sdk.db import new_id, new_ids


@pytest.mark.parametrize("make", [lambda n: [new_id() for _ in range(n)], new_ids], ids=["new_id", "new_ids"])
def test_new_ids_are_distinct_rfc_4122_version_4_uuids_in_canonical_form(make) -> None:
    ids = make(5000)
    assert len(ids) == 5000
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text  # lowercase, hyphenated, 36 characters
    # every hex digit shows up in the random positions (not a constant pattern)
    assert set("".join(i.replace("-", "") for i in ids[:200])) == set("0123456789abcdef")
