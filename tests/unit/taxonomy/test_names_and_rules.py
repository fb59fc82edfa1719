"""Name keys, alias cleaning and merging, the no-cycle rule and the SDK's link-field helpers."""

from __future__ import annotations

import pytest

from plugin_sdk.errors import ValidationError
from plugins_builtin.taxonomy.hierarchy import check_parents, cycle_parents
from plugins_builtin.taxonomy.names import (
    clean,
    clean_aliases,
    is_uuid,
    merged_aliases,
    name_key,
    performer_key,
    unique_names,
)


def test_one_key_for_names_that_differ_only_in_case_spacing_or_unicode_form() -> None:
    assert name_key("Tom Hanks") == name_key(" tom  hanks ") == name_key("TOM\tHANKS") == "tom hanks"
    assert name_key("Ｔｏｍ Ｈａｎｋｓ") == "tom hanks", "full-width letters fold (NFKC)"
    assert name_key("Straße") == name_key("STRASSE"), "case folding, not just lower()"
    assert name_key("Cafe\u0301") == name_key("Café"), "composed and decomposed accents are one name"
    assert name_key("Tom Hanks") != name_key("Tom Hanks Jr")
    assert name_key("   ") == name_key(None) == ""


def test_display_names_are_trimmed_but_keep_their_case() -> None:
    assert clean("  Tom   Hanks ") == "Tom Hanks"
    assert unique_names(["Tom Hanks", " tom hanks ", "", None, "Meg Ryan"]) == [
        ("Tom Hanks", "tom hanks"),
        ("Meg Ryan", "meg ryan"),
    ]


def test_performer_key_includes_the_disambiguation() -> None:
    assert performer_key("Tom Hanks", None) == performer_key("tom hanks", "  ") == "tom hanks"
    assert performer_key("Tom Hanks", "Actor") == "tom hanks (actor)" == name_key("Tom  Hanks (ACTOR)")


def test_aliases_drop_blanks_duplicates_and_the_own_name() -> None:
    aliases, keys = clean_aliases(["Tommy", " tommy", "", "Tom Hanks", "T. Hanks"], {"tom hanks"})
    assert aliases == ["Tommy", "T. Hanks"] and keys == ["tommy", "t. hanks"]


def test_merged_aliases_keep_every_source_name_once() -> None:
    aliases, keys = merged_aliases(
        {"thomas hanks"}, ["Tommy"], [("Tom Hanks", ["tommy", "T.H."]), ("thomas HANKS", ["Hanks"])]
    )
    assert aliases == ["Tommy", "Tom Hanks", "T.H.", "Hanks"]
    assert keys == ["tommy", "tom hanks", "t.h.", "hanks"]


def test_ids_are_told_apart_from_names() -> None:
    assert is_uuid("6f1c1a52-6b39-4b43-9a4e-3c4d3a0f9b11")
    assert not is_uuid("Drama") and not is_uuid("6f1c1a52")


def test_a_parent_may_not_be_the_entity_or_below_it() -> None:
    below = {"child", "grandchild"}
    assert cycle_parents("tag", ["other", "grandchild", "tag"], below) == ["grandchild", "tag"]
    check_parents("tag", "tag", ["other"], below)
    with pytest.raises(ValidationError, match="own parent"):
        check_parents("tag", "tag", ["tag"], below)
    with pytest.raises(ValidationError, match="cycle") as err:
        check_parents("tag", "tag", ["grandchild"], below)
    assert err.value.code == "cycle"
