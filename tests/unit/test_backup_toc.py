"""A restore onto a server without an extension the backup used leaves the extension out, and
with pg_trgm its ``…_trgm`` search indexes, keeping every other entry of the dump's contents."""

from __future__ import annotations

from plugins_builtin.backups.restore import without_extensions

TOC = """;
; Archive created at 2026-12-07 20:36:41 UTC
;
2; 3079 18671 EXTENSION - pg_trgm
4046; 0 0 COMMENT - EXTENSION pg_trgm
5; 3079 18672 EXTENSION - vector
238; 1255 18752 FUNCTION public taxonomy_aliases_text(text[]) postgres
215; 1259 18480 TABLE public videos postgres
4300; 0 18480 TABLE DATA public videos postgres
3618; 1259 18753 INDEX public ix_audio_libraries_title_trgm postgres
3619; 1259 18754 INDEX public ix_videos_title_fts postgres
3620; 1259 18755 INDEX public ix_videos_title postgres
"""


def test_pg_trgm_and_its_search_indexes_are_left_out() -> None:
    listing, left_out = without_extensions(TOC, {"pg_trgm"})
    assert [line.split()[0] for line in left_out] == ["2;", "4046;", "3618;"]
    kept = listing.splitlines()
    assert "5; 3079 18672 EXTENSION - vector" in kept
    assert any("ix_videos_title_fts" in line for line in kept) and any(
        line.endswith("ix_videos_title postgres") for line in kept
    )
    assert any("TABLE DATA public videos" in line for line in kept)
    assert kept[:3] == [";", "; Archive created at 2026-12-07 20:36:41 UTC", ";"]


def test_nothing_missing_keeps_everything() -> None:
    listing, left_out = without_extensions(TOC, set())
    assert left_out == [] and listing == TOC


def test_another_extension_leaves_the_trgm_indexes() -> None:
    _, left_out = without_extensions(TOC, {"vector"})
    assert left_out == ["5; 3079 18672 EXTENSION - vector"]
