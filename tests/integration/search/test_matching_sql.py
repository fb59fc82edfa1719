"""``plugin_sdk.search.match`` on the real database: the fallback's SQL computes what its Python
twin says, both modes agree on what matches, and trigram mode is served by the GIN indexes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from plugin_sdk.search import FALLBACK, TRIGRAM, force_search_mode, has_trigram_extension, match, trigram_share
from plugins_builtin.videos.models import Video
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

TITLES = ["Mandelbrot Zoom", "Julia-Set (1080p)", "Zoo Animals at Night", "Café Ümlaut", "A"]


@pytest.fixture
def titles(runtime: Any) -> dict[str, str]:
    return dict(zip(rows.videos(runtime, rows.root(runtime), TITLES), TITLES, strict=True))


@pytest.fixture
def trigram(runtime: Any) -> None:
    """Skip on a server without pg_trgm (the embedded pgserver); CI's PostgreSQL has it."""
    with runtime.session() as db:
        if not has_trigram_extension(db):
            pytest.skip("this PostgreSQL has no pg_trgm")


def _matches(runtime: Any, query: str) -> list[str]:
    with runtime.session() as db:
        m = match(db, [Video.title], query)
        assert m is not None
        return list(db.execute(select(Video.title).where(m.where).order_by(m.score.desc(), Video.title)).scalars())


def test_fallback_sql_matches_its_python_twin(runtime, titles) -> None:
    force_search_mode(FALLBACK)
    try:
        for word in ("mandlebrot", "zom", "animls", "julia", "umlaut", "cafe", "xyzzy"):
            with runtime.session() as db:
                m = match(db, [Video.title], word)
                assert m is not None and m.mode == FALLBACK
                got = dict(db.execute(select(Video.title, m.score)).all())
            for title in TITLES:
                share = trigram_share(word, title)
                if share >= 0.5 and word not in title.lower():
                    assert got[title] == pytest.approx(0.6 * share + 0.09 * min(1, len(word) / len(title))), (
                        word, title,
                    )  # fmt: skip
    finally:
        force_search_mode(None)


@pytest.mark.parametrize(
    "query", ["mandlebrot", "mandel", "zoo", "animls at night", "julia set", "1080", "ümlaut", "a", "mandelbrot zom"]
)
def test_both_modes_find_the_same_rows(runtime, titles, trigram, query) -> None:
    found = {}
    for mode in (TRIGRAM, FALLBACK):
        force_search_mode(mode)
        try:
            found[mode] = _matches(runtime, query)
        finally:
            force_search_mode(None)
    assert found[TRIGRAM] and found[TRIGRAM][0] == found[FALLBACK][0], found
    assert set(found[TRIGRAM]) == set(found[FALLBACK]), found


def test_trigram_mode_uses_the_gin_indexes(runtime, titles, trigram) -> None:
    with runtime.session() as db:
        db.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask whether an index can serve
        for query in ("mandlebrot", "mandel zoo"):
            m = match(db, [Video.title], query)
            assert m is not None and m.mode == TRIGRAM
            compiled = select(Video.id).where(m.where).compile(dialect=db.get_bind().dialect)
            result = db.connection().exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
            plan = "\n".join(r[0] for r in result)
            assert "ix_videos_title_trgm" in plan and "ix_videos_title_fts" in plan, plan
            assert "Seq Scan" not in plan, plan
