"""Search helpers for plugins: one matching and ranking rule for every kind of row.

A plugin's ``obscura_search`` names the text columns to search and gets back the WHERE clause and
the score to order by, for whatever the database supports::

    from plugin_sdk.search import match, wants

    @hookimpl
    def obscura_search(db, query, limit, kinds, offset):
        if not wants(kinds, "clip"):
            return []
        m = match(db, [Clip.title, (Clip.description, 0.8)], query)
        if m is None:
            return []
        rows = db.execute(
            select(Clip, m.score).where(m.where).order_by(m.score.desc(), Clip.id).offset(offset).limit(limit)
        ).all()
        return [SearchHit("clip", c.id, c.title, f"/clips/{c.id}", score=s) for c, s in rows]

or, with :func:`ranked_rows` and :func:`search_kinds` doing the paging, ordering and merging::

    def clips(db, query, limit, offset):
        rows = ranked_rows(db, select(Clip), [Clip.title], query, order_by=[Clip.id], limit=limit, offset=offset)
        return [SearchHit("clip", c.id, c.title, f"/clips/{c.id}", score=s) for c, s in rows]

    @hookimpl
    def obscura_search(db, query, limit, kinds, offset):
        return search_kinds(db, query, limit, kinds, offset, {"clip": clips})

A row matches when, in one of the columns, the whole query appears (``ILIKE '%query%'``), or every
word of the query starts a word (PostgreSQL full text, ``to_tsvector('simple', …) @@ 'word':*``), or
every word of three letters or more is *nearly* there (typos: ``mandlebrot`` finds "Mandelbrot";
words of digits, and words that start a word in many rows of that column, are not matched
approximately — see :data:`COMMON_WORD_HITS`).
Scores are in 0–1: exact title 1.0, title starting with the query 0.9, words starting words 0.8,
substring 0.7, typo matches up to 0.6; plus up to 0.09 for how much of the column the query covers
(a short exact hit beats a long one), times the column's weight.

The typo part has two modes, chosen per database engine and cached (:func:`search_mode`):

* ``trigram`` — the ``pg_trgm`` extension is installed: ``word <% column`` (word similarity at
  least :data:`WORD_SIMILARITY`), served by GIN ``gin_trgm_ops`` indexes, as are the ``ILIKE``s.
* ``fallback`` — no ``pg_trgm`` (the embedded PostgreSQL): the share of the word's trigrams found
  in the column with ``strpos``, at least :data:`FALLBACK_SIMILARITY` (:func:`trigram_share` is
  its Python twin). The same results for common typos, but a sequential scan of the table when a
  word is rare — fine for the few thousand rows of a personal library, slow at 100,000.

Index the searched columns with ``<table>_<column>_trgm`` (GIN ``gin_trgm_ops``, only when the
extension is available) and ``<table>_<column>_fts`` (GIN on ``to_tsvector('simple'::regconfig,
COALESCE(column, ''::text))``) indexes in your plugin's migrations; indexes named ``ix_…_trgm`` or
``ix_…_fts`` are left out of the drift check, since they depend on the database's extensions.
:func:`force_search_mode` switches the mode for tests and benchmarks.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, and_, case, cast, func, literal, literal_column, or_, select, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from plugin_sdk.types import SearchHit

TRIGRAM = "trigram"
FALLBACK = "fallback"
MODES = (TRIGRAM, FALLBACK)
MODE_ENV = "OBSCURA_SEARCH_MODE"
"""Environment variable forcing a mode (``trigram`` or ``fallback``) for a whole process."""

QUERY_MAX = 200
"""Longer queries are cut to this many characters."""
WORDS_MAX = 8
"""Only the first words of a long query are matched word by word."""
FUZZY_MIN_LENGTH = 3
"""Words shorter than this match only exactly or as a prefix, never approximately."""
WORD_SIMILARITY = 0.4
"""``pg_trgm.word_similarity_threshold`` in trigram mode ("mandlebrot" ~ "Mandelbrot" is 0.47,
"karpto" ~ "Karoto" 0.43)."""
FALLBACK_SIMILARITY = 0.5
"""Share of a word's trigrams that must appear in the column in fallback mode."""
SHORT_WORD = 4
SHORT_WORD_SIMILARITY = 0.5
"""Words of :data:`SHORT_WORD` letters or fewer need this much in both modes ("zom" ~ "zoom" is 0.5)."""

EXACT, PREFIX, WORDS, CONTAINS, FUZZY, COVERAGE = 1.0, 0.9, 0.8, 0.7, 0.6, 0.09

PUNCTUATION = "-_.,:;!?()[]{}/\\'\"&+*#|~@"
"""Characters fallback mode reads as spaces (word boundaries) when looking for trigrams."""
COMMON_WORD_HITS = 50
"""A word that starts a word in this many rows of a column or more is not also matched approximately
there: its typo matches would rank below every one of those rows anyway (and cost the most)."""

_WORD_RE = re.compile(r"[^\W_]+")
_PUNCTUATION_TO_SPACES = str.maketrans(PUNCTUATION, " " * len(PUNCTUATION))
_THRESHOLD_SET_IN = "obscura_search_threshold_transaction"
_forced: str | None = None
_modes: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def normalize(query: str) -> str:
    """``query`` lower-cased, spaces collapsed, NUL characters dropped, cut to :data:`QUERY_MAX`
    characters."""
    return " ".join(query.replace("\x00", " ").split()).lower()[:QUERY_MAX].strip()


def query_words(query: str) -> list[str]:
    """The distinct words (letters and digits) of ``query``, lower-cased, in order, at most
    :data:`WORDS_MAX`."""
    out: list[str] = []
    for word in _WORD_RE.findall(query.lower()):
        if word not in out:
            out.append(word)
    return out[:WORDS_MAX]


def trigrams(word: str) -> list[str]:
    """The distinct trigrams of `` word `` (padded with one space each side), in order."""
    padded = f" {word.lower()} "
    out: list[str] = []
    for i in range(len(padded) - 2):
        if padded[i : i + 3] not in out:
            out.append(padded[i : i + 3])
    return out


def trigram_share(word: str, text_: str) -> float:
    """What fallback mode computes in SQL: the share of ``word``'s trigrams found in ``text_``
    (lower-cased, :data:`PUNCTUATION` made spaces, padded with a space)."""
    grams = trigrams(word)
    hay = " " + text_.lower().translate(_PUNCTUATION_TO_SPACES) + " "
    return sum(1 for g in grams if g in hay) / len(grams) if grams else 0.0


LIKE_ESCAPE = "\\"
"""The escape character of :func:`like_escape`'s patterns: pass it as ``escape=`` to SQLAlchemy's
``.like()`` / ``.ilike()`` (it is also PostgreSQL's default, so the SQL says what it relies on)."""


def like_escape(text_: str) -> str:
    """``text_`` with ``\\``, ``%`` and ``_`` escaped for ``LIKE`` (backslash is the escape)."""
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(text_: str) -> str:
    """The ``LIKE`` pattern matching ``text_`` anywhere, taken literally: ``50%`` gives ``%50\\%%``.

    Use it with ``escape=LIKE_ESCAPE`` (or through :func:`ilike_contains`), so that a ``%`` or ``_``
    a user types matches itself rather than everything::

        Clip.title.ilike(contains_pattern(query.search), escape=LIKE_ESCAPE)
    """
    return f"%{like_escape(text_)}%"


def ilike_contains(column: ColumnElement[Any], text_: str) -> ColumnElement[bool]:
    """``column ILIKE '%text_%' ESCAPE '\\'``: whether ``column`` holds ``text_`` literally, ignoring
    case (the list routes' ``search`` filter; ``match`` is the ranked search)."""
    return column.ilike(contains_pattern(text_), escape=LIKE_ESCAPE)


def force_search_mode(mode: str | None) -> None:
    """Use ``mode`` (``trigram`` or ``fallback``) whatever the database has, or ``None`` to detect
    it again. For tests and benchmarks: ``fallback`` exercises the embedded database's path on a
    server that has ``pg_trgm``. The ``OBSCURA_SEARCH_MODE`` environment variable does the same for
    a whole process."""
    global _forced
    if mode is not None and mode not in MODES:
        raise ValueError(f"search mode must be one of {MODES}, not {mode!r}")
    _forced = mode


def has_trigram_extension(db: Session) -> bool:
    """Whether ``pg_trgm`` is installed in the database (not merely available)."""
    return bool(db.execute(text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")).scalar())


SearchIndex = tuple[str, str] | tuple[str, str, str]
"""``(table, column)`` or ``(table, name, SQL expression)`` for :func:`create_search_indexes`."""


def _install_trigram(bind: Any) -> bool:
    """Whether ``pg_trgm`` is installed, installing it when the server offers it."""
    if has_trigram_extension(bind):
        return True
    available = "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')"
    if not bind.execute(text(available)).scalar():
        return False
    try:
        with bind.begin_nested():
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError:
        return False  # not allowed to (no CREATE privilege): search uses its fallback
    return True


def create_search_indexes(indexes: Sequence[SearchIndex]) -> None:
    """For a plugin's Alembic migration: the indexes :func:`match` uses on searched columns.

    A full-text GIN index ``ix_<table>_<name>_fts`` always; a trigram GIN index
    ``ix_<table>_<name>_trgm`` when the server has ``pg_trgm`` (installed here if it is offered but
    not installed). Without it (the embedded PostgreSQL) search uses its fallback. Both kinds are
    left out of the drift check by name (``migrations/env.py``).
    """
    from alembic import op

    trigram = _install_trigram(op.get_bind())
    for table, name, *expression in indexes:
        expr = expression[0] if expression else name
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_{name}_fts ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE({expr}, ''::text)))"
        )
        if trigram:
            indexed = f"({expr})" if expression else expr
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_{table}_{name}_trgm ON {table} USING gin ({indexed} gin_trgm_ops)"
            )


def drop_search_indexes(indexes: Sequence[SearchIndex]) -> None:
    """The downgrade of :func:`create_search_indexes`."""
    from alembic import op

    for table, name, *_ in indexes:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{name}_trgm")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{name}_fts")


def search_mode(db: Session) -> str:
    """``trigram`` when the database has ``pg_trgm`` installed, else ``fallback``; asked once per
    engine, unless forced (:func:`force_search_mode`, ``OBSCURA_SEARCH_MODE``)."""
    if _forced is not None:
        return _forced
    env = os.environ.get(MODE_ENV, "").strip().lower()
    if env in MODES:
        return env
    engine: Engine = db.get_bind()  # type: ignore[assignment]
    key = getattr(engine, "engine", engine)
    mode = _modes.get(key)
    if mode is None:
        mode = TRIGRAM if has_trigram_extension(db) else FALLBACK
        _modes[key] = mode
    return mode


def forget_search_mode(engine: Any = None) -> None:
    """Detect the mode again on next use (for ``engine``, or every engine), e.g. after
    ``CREATE EXTENSION pg_trgm`` on a running server."""
    if engine is None:
        _modes.clear()
    else:
        _modes.pop(getattr(engine, "engine", engine), None)


def wants(kinds: Sequence[str] | None, kind: str) -> bool:
    """Whether the caller of ``obscura_search`` asked for ``kind`` (``kinds`` ``None`` = all)."""
    return kinds is None or kind in kinds


@dataclass(frozen=True, slots=True)
class Match:
    """What :func:`match` returns: filter with ``where``, order by ``score.desc()``."""

    where: ColumnElement[bool]
    score: ColumnElement[float]
    mode: str


def _tsvector(column: Any) -> Any:
    # the same expression as the ``…_fts`` indexes, so the planner uses them
    return func.to_tsvector(literal_column("'simple'::regconfig"), func.coalesce(column, literal_column("''")))


def _tsquery(words: Sequence[str]) -> Any:
    return func.to_tsquery(literal_column("'simple'::regconfig"), literal(" & ".join(f"{w}:*" for w in words)))


def _set_threshold(db: Session) -> None:
    """``pg_trgm.word_similarity_threshold`` for the current transaction (once per transaction)."""
    db.connection()  # begins the transaction if none
    transaction = db.get_transaction()
    if db.info.get(_THRESHOLD_SET_IN) is not transaction:
        db.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"), {"t": str(WORD_SIMILARITY)}
        )
        db.info[_THRESHOLD_SET_IN] = transaction


def fuzzy_words(words: Sequence[str]) -> list[str]:
    """The words that may match approximately: letters only, :data:`FUZZY_MIN_LENGTH` or more
    (numbers and short words match only exactly or as a prefix: "100" is not a typo of "10")."""
    return [w for w in words if len(w) >= FUZZY_MIN_LENGTH and w.isalpha()]


def word_threshold(word: str, mode: str) -> float:
    """How close a word must be: stricter for short words, whose every trigram counts."""
    if len(word) <= SHORT_WORD:
        return SHORT_WORD_SIMILARITY
    return WORD_SIMILARITY if mode == TRIGRAM else FALLBACK_SIMILARITY


def _fuzzy(column: Any, lowered: Any, word: str, mode: str) -> tuple[Any, Any]:
    """(condition, similarity 0–1) of one word against one column."""
    threshold = word_threshold(word, mode)
    if mode == TRIGRAM:
        similarity = func.word_similarity(literal(word), column)
        near = literal(word).op("<%")(column)  # the indexed operator, at WORD_SIMILARITY
        return (and_(near, similarity >= threshold) if threshold > WORD_SIMILARITY else near), similarity
    padded = literal(" ") + func.translate(lowered, literal(PUNCTUATION), literal(" " * len(PUNCTUATION))) + " "
    grams = trigrams(word)
    found = sum((case((func.strpos(padded, literal(g)) > 0, 1), else_=0) for g in grams), literal(0))
    share = cast(found, Float) / len(grams)
    return share >= threshold, share


def _common_words(db: Session, columns: Sequence[Any], words: Sequence[str]) -> set[tuple[int, str]]:
    """``(column index, word)`` pairs where the word starts a word in :data:`COMMON_WORD_HITS` rows
    or more (one query, each count stopping early, served by the ``…_fts`` indexes)."""
    pairs = [(i, w) for i in range(len(columns)) for w in words]
    counts = [
        select(func.count())
        .select_from(
            select(literal(1)).where(_tsvector(columns[i]).op("@@")(_tsquery([w]))).limit(COMMON_WORD_HITS).subquery()
        )
        .scalar_subquery()
        for i, w in pairs
    ]
    row = db.execute(select(*counts)).one()
    return {pair for pair, n in zip(pairs, row, strict=True) if n >= COMMON_WORD_HITS}


def match(
    db: Session, columns: Sequence[ColumnElement[Any] | tuple[ColumnElement[Any], float]], query: str
) -> Match | None:
    """The WHERE clause and score (0–1) matching ``query`` against ``columns`` (text expressions,
    each optionally with a weight, e.g. ``(Track.artist, 0.8)``), in the database's
    :func:`search_mode`. ``None`` when the query has nothing to search for.

    Before building it, one query asks which words are common in which column (they are then
    matched as word prefixes only, see :data:`COMMON_WORD_HITS`); in trigram mode the transaction's
    ``pg_trgm.word_similarity_threshold`` is set too.
    """
    needle = normalize(query)
    if not needle or not columns:
        return None
    mode = search_mode(db)
    specs = [spec if isinstance(spec, tuple) else (spec, 1.0) for spec in columns]
    words = query_words(needle)
    approximate = fuzzy_words(words)
    common = _common_words(db, [c for c, _ in specs], approximate) if approximate else set()
    if mode == TRIGRAM and any((i, w) not in common for i in range(len(specs)) for w in approximate):
        _set_threshold(db)
    escaped = like_escape(needle)
    tsquery = _tsquery(words) if words else None
    conditions: list[Any] = []
    scores: list[Any] = []
    for i, (column, weight) in enumerate(specs):
        lowered = func.lower(column)
        contains = column.ilike("%" + escaped + "%")
        words_match = _tsvector(column).op("@@")(tsquery) if tsquery is not None else None
        fuzzy = [
            (_tsvector(column).op("@@")(_tsquery([w])), literal(1.0))
            if (i, w) in common
            else _fuzzy(column, lowered, w, mode)
            for w in approximate
        ]
        fuzzy_match = and_(*(c for c, _ in fuzzy)) if fuzzy else None
        conditions.append(or_(*(c for c in (contains, words_match, fuzzy_match) if c is not None)))
        if fuzzy:
            similarity: Any = sum((s for _, s in fuzzy), literal(0.0)) / len(fuzzy)
        else:
            similarity = literal(0.0)
        tiers = [(lowered == needle, EXACT), (lowered.like(escaped + "%"), PREFIX)]
        if words:  # every word starts a word (a regular expression: cheaper than to_tsvector per row)
            tiers.append((and_(*(lowered.op("~")(literal("\\m" + w)) for w in words)), WORDS))
        tiers.append((lowered.like("%" + escaped + "%"), CONTAINS))
        coverage = cast(len(needle), Float) / func.greatest(func.length(column), 1)
        base = case(*tiers, else_=FUZZY * similarity)
        scores.append((base + COVERAGE * func.least(coverage, 1.0)) * weight)
    where = or_(*conditions)
    score = func.coalesce(func.greatest(*scores), 0.0) if len(scores) > 1 else func.coalesce(scores[0], 0.0)
    return Match(where=where, score=score, mode=mode)


def ranked_rows(
    db: Session,
    stmt: Select[Any],
    columns: Sequence[ColumnElement[Any] | tuple[ColumnElement[Any], float]],
    query: str,
    *,
    order_by: Sequence[Any] = (),
    limit: int,
    offset: int = 0,
) -> list[Any]:
    """One page of the rows of ``stmt`` (a ``select`` of what to show, with its joins) that
    :func:`match` ``query`` in ``columns``: best first, ties in ``order_by``, ``offset`` rows
    skipped, at most ``limit``. Each row ends with its score (``row.score``); ``[]`` when the query
    has nothing to search for."""
    m = match(db, columns, query)
    if m is None:
        return []
    ranked = stmt.add_columns(m.score.label("score")).where(m.where).order_by(m.score.desc(), *order_by)
    return list(db.execute(ranked.offset(offset).limit(limit)).all())


KindSearch = Callable[["Session", str, int, int], list["SearchHit"]]
"""``search(db, query, limit, offset)``: the hits of one kind, for :func:`search_kinds`."""


def search_kinds(
    db: Session,
    query: str,
    limit: int,
    kinds: Sequence[str] | None,
    offset: int,
    searches: Mapping[str, KindSearch],
) -> list[SearchHit]:
    """An ``obscura_search`` answer from one function per kind: ``searches[kind](db, query, limit,
    offset)`` for each kind the caller :func:`wants`, in the order given, merged best first;
    ``[]`` when ``limit`` is not positive."""
    if limit <= 0:
        return []
    hits: list[SearchHit] = []
    for kind, search in searches.items():
        if wants(kinds, kind):
            hits += search(db, query, limit, offset)
    hits.sort(key=lambda h: -h.score)
    return hits


def _hit_list(value: Any) -> bool:
    """a list of SearchHit"""
    from plugin_sdk.types import SearchHit

    return isinstance(value, list | tuple) and all(isinstance(h, SearchHit) for h in value)


def search_everything(
    db: Session, query: str, limit: int, kinds: Sequence[str] | None = None, offset: int = 0
) -> list[SearchHit]:
    """Every plugin's ``obscura_search`` hits for ``query`` (at most ``limit`` per kind, after
    skipping ``offset`` per kind), best first. For a plugin building a global search page."""
    from obscura_core.runtime import get_runtime

    hooks = get_runtime().hooks
    hits: list[SearchHit] = []
    for impl in hooks.impls("obscura_search"):
        pages_itself = "offset" in impl.argnames
        called, answer = hooks.call(
            impl, "obscura_search", returns=_hit_list, savepoint=db, db=db, query=query,
            limit=limit if pages_itself else limit + offset, kinds=list(kinds) if kinds else None, offset=offset,
        )  # fmt: skip
        if not called or not answer:
            continue  # a plugin that fails is logged with its name; the others' hits still show
        result = list(answer)
        if not pages_itself and offset:  # an implementation without ``offset``: skip its first hits here
            result.sort(key=lambda h: -h.score)
            seen: dict[str, int] = {}
            kept = []
            for hit in result:
                seen[hit.kind] = seen.get(hit.kind, 0) + 1
                if seen[hit.kind] > offset:
                    kept.append(hit)
            result = kept
        hits.extend(result)
    hits.sort(key=lambda h: -h.score)
    return hits
