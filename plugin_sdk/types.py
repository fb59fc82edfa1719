"""Typed records that plugins return from hooks and receive from the core.

Everything here is plain data (frozen dataclasses) or a ``Protocol``: a plugin can build
these records without importing anything from ``obscura_core``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from plugin_sdk.db import Base

JSON = Any
"""A JSON-serialisable value (dict, list, str, int, float, bool or None)."""


@dataclass(frozen=True, slots=True)
class QueueDefinition:
    """One background queue.

    :param name: globally unique kebab-case name; third parties prefix it with their plugin name.
    :param label: what the Operations dashboard shows.
    :param concurrency: jobs of this queue that may run at once, multiplied by the library
        setting ``backgroundWorkerConcurrency`` and honoured across every worker process.
    :param timeout_s: RQ job timeout.
    :param max_attempts: attempts before a run ends ``failed`` (retries = attempts - 1).
    :param backoff_base_s: first retry delay; each later one doubles, capped at ``backoff_cap_s``.
    :param enqueue_missing: ``callable(db) -> int`` enqueueing the queue's missing work for
        ``POST /api/jobs/queues/<name>/run``; ``None`` means the button enqueues nothing.
    """

    name: str
    label: str
    concurrency: int = 1
    timeout_s: int = 7200
    max_attempts: int = 15
    backoff_base_s: int = 10
    backoff_cap_s: int = 3600
    enqueue_missing: Callable[[Session], int] | None = None
    description: str = ""

    def retry_intervals(self, attempts_done: int) -> list[int]:
        """Delays (seconds) before each remaining retry, given the attempts already made."""
        remaining = max(self.max_attempts - attempts_done - 1, 0)
        return [
            min(self.backoff_cap_s, self.backoff_base_s * 2**i) for i in range(attempts_done, attempts_done + remaining)
        ]


@dataclass(frozen=True, slots=True)
class JobRun:
    """A read-only view of one ``job_runs`` row, handed to processors and hooks.

    ``attempts`` is the number of the attempt being run (1 for the first).
    """

    id: str
    queue: str
    payload: Mapping[str, JSON]
    target_type: str | None = None
    target_id: str | None = None
    target_label: str | None = None
    attempts: int = 0
    created_at: datetime | None = None


class JobContext(Protocol):
    """What a processor gets beside its payload.

    ``db`` is a SQLAlchemy session owned by the runtime for this job: the processor may commit
    as it goes; the runtime closes it. ``progress`` writes 0–100 to the run row (throttled).
    ``cancelled`` is true once the user cancelled the run: long processors poll it between steps.
    ``enqueue`` is :func:`plugin_sdk.jobs.enqueue_job` bound to ``db``.
    """

    run: JobRun
    db: Session
    log: logging.Logger

    def progress(self, percent: float, note: str | None = None) -> None: ...

    def cancelled(self) -> bool: ...

    def enqueue(
        self,
        queue: str,
        payload: Mapping[str, JSON],
        *,
        target_type: str | None = None,
        target_id: str | None = None,
        target_label: str | None = None,
    ) -> str: ...

    def settings(self) -> Any: ...


Processor = Callable[[Mapping[str, JSON], JobContext], JSON]
"""A queue processor: ``processor(payload, ctx) -> result`` (a JSON value or ``None``)."""


@dataclass(frozen=True, slots=True)
class ModelSet:
    """Tables a plugin owns and where its Alembic migration lineage lives.

    :param plugin: the lineage name; its version table is ``alembic_version_<plugin>``
        (``alembic_version`` for ``core``).
    :param models: the declarative classes (importing them maps them on ``plugin_sdk.db.Base``).
    :param versions_dir: the folder holding this lineage's revisions. ``None`` for built-in
        plugins, whose revisions live in the project's ``migrations/versions/<plugin>/``.
    :param requires: lineages that must be migrated first.
    """

    plugin: str
    models: Sequence[type[Base]]
    versions_dir: Path | None = None
    requires: tuple[str, ...] = ("core",)


@dataclass(frozen=True, slots=True)
class NavItem:
    """An entry in the app's navigation.

    :param label: text shown.
    :param href: the page URL (e.g. ``/videos``).
    :param icon: the name of one of the shell's icons (``/static/icons.svg``; the list is in
        ``docs/plugins/sdk.md``). Another name is reported as a fault of the plugin and the entry
        gets the default icon.
    :param order: lower comes first.
    :param section: ``main`` (primary navigation) or ``system`` (operations, settings...).
    """

    label: str
    href: str
    icon: str = ""
    order: int = 100
    section: str = "main"


@dataclass(frozen=True, slots=True)
class Panel:
    """A panel on a page (an entity's detail page, or ``dashboard``).

    Give either ``template`` (a Jinja template of the plugin, rendered in place with the page's
    context) or ``url`` (an HTML fragment route of the plugin, loaded by the browser after the
    page so a slow panel never delays it).
    """

    title: str
    template: str | None = None
    order: int = 100
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ShellPart:
    """A part of the page shell that survives navigation between pages (the audio mini player).

    The shell renders ``template`` once, below the page, in ``#shell-parts``; the browser loads
    ``module`` (a JavaScript module URL) once per visit. Pages are swapped around it without a
    reload, so whatever the part holds (a playing ``<audio>``) keeps going.
    """

    key: str
    template: str
    module: str | None = None
    order: int = 100


@dataclass(frozen=True, slots=True)
class SettingsSection:
    """A section of the Settings page contributed by a plugin.

    :param key: stable id, used as the anchor.
    :param title: heading.
    :param template: Jinja template rendering the section's form.
    :param module: optional ES module URL; the Settings page calls its ``mount({root, signal, url})``
        export with the section's element (``signal`` aborts when the user leaves the page). After
        the library settings are saved the page dispatches ``obscura:settings-saved`` on
        ``document`` (``detail: {saved, changed}``, camelCase keys) for sections to react to.
    """

    key: str
    title: str
    template: str
    order: int = 100
    module: str | None = None


@dataclass(frozen=True, slots=True)
class SettingsAction:
    """A button in a settings group: ``POST url`` (a JSON route of the plugin) when clicked.

    The route answers ``{"data": {"message": ...}}`` (or ``{"enqueued": n}``), shown to the user.

    :param key: stable id, the button's element id.
    """

    key: str
    label: str
    url: str
    description: str = ""
    icon: str = "play"


@dataclass(frozen=True, slots=True)
class SettingsGroup:
    """Settings a plugin owns, stored for it by the core (``plugin_sdk.settings``).

    The fields of ``model`` (a pydantic model whose every field has a default) are served with the
    core's own in ``GET/PUT /api/settings/library`` (camelCase, flat: names must be unique across
    plugins) and shown as one group of the Settings page's form. Describe each field with
    ``Field(default, title=…, description=…, ge=…, le=…)``; ``json_schema_extra`` may add
    ``unit`` (shown after the input), ``step`` (number inputs) and ``choices`` (``{value: label}``
    for a ``Literal`` field).

    :param key: stable id: the storage key and the form group's anchor (prefix it with the
        plugin name, e.g. ``clips-playback``).
    :param title: heading of the group.
    :param model: the settings model.
    :param intro: one sentence under the heading.
    :param order: place among the groups (the core's own use 10–40).
    :param actions: buttons shown with the group (e.g. "Run pHash backfill").
    """

    key: str
    title: str
    model: type[Any]
    intro: str = ""
    order: int = 100
    actions: tuple[SettingsAction, ...] = ()


@dataclass(frozen=True, slots=True)
class RootOption:
    """A switch of every library root (a folder the user added), contributed by a plugin.

    Shown with each root in Settings → Library folders and served flat in ``/api/libraries``
    (camelCase); read it with ``plugin_sdk.library.root_option(root, key)``.

    :param key: snake_case name, unique across plugins (e.g. ``scan_clips``).
    :param label: short label ("Movies").
    :param description: what it does, shown as a hint.
    :param default: its value for roots that never set it.
    :param order: place among the switches.
    """

    key: str
    label: str
    description: str = ""
    default: bool = True
    order: int = 100


@dataclass(frozen=True, slots=True)
class LinkKind:
    """A kind of link between media rows and what describes them (performers, tags, a studio…),
    kept by the plugin that declares it.

    Each kind adds one field to every media PATCH body (``field``, camelCase on the wire) and one
    filter to every media list (``?<filter>=…``); the declaring plugin applies the field through
    ``obscura_entity_patch`` and answers the filter through ``obscura_entity_filter``.

    :param field: snake_case PATCH field (``tag_names``): names found or created, replacing the
        links; ``[]``, ``""`` or ``null`` clears them.
    :param filter: the list filter's query key (``tags``): names, aliases or ids; every value
        must match. ``None``: no filter.
    :param many: a list of names (and a repeatable filter), or one name.
    :param linked_type: the entity type of the linked rows (``tag``), whose pages list the media
        linked to them (``plugin_sdk.pages.linked_filter``); ``None``: no such page.
    :param description: the field's help, shown in the OpenAPI document.
    :param max_items: the most names one PATCH may set (``many`` only).
    :param scraped: the relation of Stash's scraped results these links take (``performers``,
        ``tags``, ``studio``), so accepted metadata reaches them (``plugin_sdk.metadata``);
        ``None``: none.
    """

    field: str
    filter: str | None = None
    many: bool = True
    linked_type: str | None = None
    description: str = ""
    max_items: int = 200
    scraped: str | None = None


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """A CSS file merged into the app's single stylesheet (``/assets/app.<hash>.css``), by ``order``."""

    path: Path
    order: int = 100


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result of the global search / command palette.

    :param kind: what it is (``video``, ``series``, ``performer``…), used to group results.
    :param url: the page to open.
    :param score: higher is better; results are merged across plugins by score.
    """

    kind: str
    id: str
    title: str
    url: str
    subtitle: str | None = None
    thumbnail_url: str | None = None
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class StartupContext:
    """Passed to ``obscura_startup``: which process is starting and its configuration."""

    role: str
    settings: Any
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("obscura"))


def _no_log(level: str, message: str) -> None:
    """The default sink of a scrape's log lines: dropped."""


@dataclass(frozen=True, slots=True)
class ScrapeRequest:
    """One scrape a metadata source runs for one entity.

    :param source_id: which of the source's scrapers (or servers) runs it, e.g. a scraper id.
    :param kind: what is scraped, in Stash's words: ``scene``, ``performer``, ``group``, ``gallery``.
    :param fragment: the entity as Stash hands it to scrapers (``MetadataTarget.describe``):
        for a scene ``{"id", "title", "code", "url", "urls", "date", "details", "director",
        "files": [{"path", "fingerprints": [{"type", "fingerprint"}], "duration", …}]}``.
    :param action: an explicit action (``sceneByURL``…); ``None``: the source's own cascade.
    :param url: a URL to scrape (``*ByURL``).
    :param query: a search text (``*ByName``).
    :param log: ``(level, message)`` sink for the source's log lines (the job or request log).
    :param typed: for a source with ``typed=True``, the entity as typed sources see it
        (``MetadataTarget.describe_typed``: ``kind`` movie/episode/series, title, year, file path,
        hashes, duration, season and episode numbers, external ids; a series adds
        ``localSeasons``); ``None`` otherwise.
    :param input: an input the caller gave as is (a script plugin's ``input``), merged over the
        one built from the entity.
    """

    source_id: str
    kind: str
    fragment: Mapping[str, Any]
    action: str | None = None
    url: str | None = None
    query: str | None = None
    log: Callable[[str, str], None] = _no_log
    typed: Mapping[str, Any] | None = None
    input: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ScrapeResult:
    """One result a metadata source proposes.

    :param raw: the result in Stash's scraped shape (``ScrapedScene`` / ``ScrapedPerformer`` JSON,
        snake_case: ``title``, ``date``, ``studio: {name}``, ``performers: [{name}]``…).
    :param action: the action that produced it (``sceneByURL``, ``findByFingerprint``…).
    :param match_type: how it matched: ``fingerprint``, ``stashid``, ``url``, ``name``,
        ``fragment``… (bulk auto-accept takes a single ``fingerprint`` match).
    :param remote_id: the result's id at the source (a stash-box scene id), kept as a stash id
        when the result is accepted. The ids of its studio, performers and tags at the source go
        in ``raw`` as Stash has them (``remote_site_id``) and are linked the same way.
    :param match_details: how it matched, for the reviewer (e.g. which of the entity's
        fingerprints the source knows: ``{"fingerprints": [{"algorithm", "hash"}]}``).
    :param kind: the result's kind when it is a typed one rather than the request's Stash kind:
        ``movie``, ``series`` or ``episode`` (``raw`` then in the original Obscura's normalized
        shape: ``title``, ``overview``, ``releaseDate``, ``genres``, ``cast``, ``posterCandidates``,
        ``seasons``…); it must be one of the target's ``kinds``.
    """

    raw: Mapping[str, Any]
    action: str
    match_type: str | None = None
    remote_id: str | None = None
    match_details: Mapping[str, Any] | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class MetadataSource:
    """A metadata source (community scrapers, a StashBox server, a script plugin…).

    The plugin that keeps scrape results (``metadata``) serves the source's scrape routes under
    its ``collection`` (``POST /api/<collection>/<id>/scrape``, ``/scrape-performer``,
    ``/scrape-bulk``), stores what ``scrape`` returns and runs bulk scrapes as jobs.

    :param kind: the source's stable name (``scrapers``); stored with each result.
    :param collection: the API collection its scrape routes live under.
    :param label: shown in the UI ("Community scrapers").
    :param scrape: ``(db, request) -> results``; raise ``ValidationError``/``NotFoundError`` (or
        any ``ObscuraError``) for a clear 4xx; an empty list is "no match".
    :param describe: ``(db, source_id) -> {"id", "name", "kinds": [...], "actions": [...]}`` or
        ``None`` when the id is unknown or disabled.
    :param entries: ``(db) -> [describe(db, id) for each usable id]``: what "Scrape with…" offers.
        A description may hold ``endpoint`` (a StashBox URL): accepted results' remote ids are
        then kept as stash ids on that endpoint.
    :param scrape_batch: ``(db, requests) -> [results of each request, in order]``, for a source
        that answers many entities in one call (a StashBox's fingerprint lookup); bulk scrapes
        then hand it ``batch_size`` entities at a time instead of calling ``scrape`` for each.
    :param batch_size: entities per ``scrape_batch`` call.
    :param typed: the source wants ``ScrapeRequest.typed`` (the entity as typed sources see it)
        and may answer typed results (movie, series, episode).
    """

    kind: str
    collection: str
    label: str
    scrape: Callable[[Any, ScrapeRequest], Sequence[ScrapeResult]]
    describe: Callable[[Any, str], Mapping[str, Any] | None]
    entries: Callable[[Any], Sequence[Mapping[str, Any]]] | None = None
    scrape_batch: Callable[[Any, Sequence[ScrapeRequest]], Sequence[Sequence[ScrapeResult]]] | None = None
    batch_size: int = 40
    typed: bool = False


@dataclass(frozen=True, slots=True)
class MetadataStore:
    """The plugin keeping scrape results (the built-in ``metadata``), as sources reach it.

    A source's results normally reach it through its scrape routes and jobs; a plugin with a
    route of its own that runs a source (a script plugin's ``execute`` with ``saveResult``)
    stores them with ``propose``.

    :param name: the keeping plugin's name.
    :param propose: ``(db, source_kind, source_id, entity_type, entity_id, results) -> [result
        JSON]``: stores each usable ``ScrapeResult`` as a pending result of that entity (the
        caller commits); raises ``NotFoundError`` / ``ValidationError`` for an unknown source,
        source id, entity type or entity.
    :param stash_ids: ``(db, entity_type, entity_ids, endpoints) -> {entity id: {endpoint: stash
        id}}``: the entities' ids at those StashBox servers (GraphQL URLs).
    :param linked: ``(db, entity_type, endpoints, offset, limit) -> (total, ids)``: one page of
        the entities with a stash id on any of ``endpoints``, the most recently linked first.
    """

    name: str
    propose: Callable[[Any, str, str, str, str, Sequence[ScrapeResult]], Sequence[Mapping[str, Any]]]
    stash_ids: Callable[[Any, str, Sequence[str], Sequence[str]], Mapping[str, Mapping[str, str]]]
    linked: Callable[[Any, str, Sequence[str], int, int], tuple[int, Sequence[str]]]


@dataclass(frozen=True, slots=True)
class AcceptedMetadata:
    """A scrape result the user accepted, as a media or taxonomy plugin applies it.

    :param kind: ``scene``, ``performer``…
    :param fields: the normalized fields the user kept (camelCase): for a scene ``title``,
        ``date`` (``YYYY-MM-DD``), ``details``, ``urls``, ``code``, ``director``, ``studio`` (a
        name), ``performers`` and ``tags`` (names); for a performer ``name``, ``aliases``,
        ``gender``, ``birthdate``… Fields left out are not to be touched.
    :param image: the downloaded image, when ``image`` was kept and could be fetched.
    :param raw: the result in Stash's scraped shape.
    :param source: ``<source kind>:<source id>`` (``scrapers:IAFD``).
    :param remote_id: the result's id at the source, if any.
    :param images: a typed result's downloaded images by slot: ``poster``, ``backdrop``, ``logo``,
        ``still``, ``season:<n>:poster`` → ``(bytes, content type)``.

    A typed result (``kind`` ``movie``, ``episode`` or ``series``) has the fields ``title``,
    ``overview``, ``tagline``, ``date`` (its release, air or first-air date), ``rating`` (0–100),
    ``contentRating``, ``externalIds`` (``{provider: id}``), ``studio``, ``performers`` and ``tags``
    (names, as for a scene: the cast and the genres), ``cast`` (``[{name, character, order}]``),
    and for a series ``seasons``: ``[{seasonNumber, fields, episodes: [{seasonNumber,
    episodeNumber, fields}]}]``, only the seasons and episodes the user accepted, each with the
    fields they kept; a target updates the local ones with those numbers and no others.
    """

    kind: str
    fields: Mapping[str, Any]
    image: bytes | None = None
    image_type: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    remote_id: str | None = None
    images: Mapping[str, tuple[bytes, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MetadataTarget:
    """An entity type that metadata can describe and apply to (videos, series, performers…).

    :param entity_type: the entity type (``video``, ``video_series``, ``performer``).
    :param kind: what sources scrape for it, in Stash's words (``scene``, ``performer``).
    :param id_field: the body field naming it in scrape requests (``videoId``).
    :param collections: API collections under which results are accepted:
        ``POST /api/<collection>/<id>/<verb>`` (``videos`` → ``/api/videos/<id>/accept-scrape``).
    :param verb: ``accept-scrape`` (or ``apply-scrape`` for performers, as Stash users know it).
    :param describe: ``(db, ids) -> {id: fragment}`` in Stash's shape (see ``ScrapeRequest``);
        unknown ids are left out.
    :param apply: ``(db, id, accepted) -> warnings`` applies an accepted result in the caller's
        transaction (the caller commits): set the fields, find or create linked names, store the
        image, mark the entity organized. Must be idempotent.
    :param select: ``(db, filter) -> ids`` for bulk scrapes by filter (``None``: ids only).
    :param kinds: typed result kinds it also applies (``movie``, ``episode``, ``series``).
    :param describe_typed: ``(db, ids) -> {id: input}``: the entities as typed sources see them
        (see ``ScrapeRequest.typed``); ``None`` when it takes no typed results.
    """

    entity_type: str
    kind: str
    id_field: str
    collections: tuple[str, ...]
    describe: Callable[[Any, Sequence[str]], Mapping[str, Mapping[str, Any]]]
    apply: Callable[[Any, str, AcceptedMetadata], Sequence[str]]
    verb: str = "accept-scrape"
    select: Callable[[Any, Mapping[str, Any]], Sequence[str]] | None = None
    label: str = ""
    kinds: tuple[str, ...] = ()
    describe_typed: Callable[[Any, Sequence[str]], Mapping[str, Mapping[str, Any]]] | None = None


@dataclass(frozen=True, slots=True)
class AssetFile:
    """One generated file of a media row, in both storage layouts.

    The library setting ``metadataStorageDedicated`` chooses the layout: ``True`` keeps generated
    files in the cache (``cache_path``), ``False`` beside the media file (``sidecar_path``, named
    ``<stem>-thumb.jpg``, ``<stem>-preview.mp4``…; scanners skip these names).

    :param key: what it is (``thumb``, ``preview``, ``sprite``, ``trickplay``).
    :param cache_path: where it lives in the dedicated layout.
    :param sidecar_path: where it lives next to the media; ``None`` when it always stays in the cache.
    :param ours: whether the row records Obscura having generated it; a file at ``sidecar_path``
        is moved or deleted only when ``True`` (a user's own ``Movie-thumb.jpg`` is left alone).
    """

    key: str
    cache_path: Path
    sidecar_path: Path | None = None
    ours: bool = True


@dataclass(frozen=True, slots=True)
class GeneratedAssets:
    """A media row's movable generated files, yielded by an :class:`AssetSource`.

    :param entity_type: the row's kind (``video``…).
    :param entity_id: its id (also the name of its cache folder).
    :param label: what reports show (the title or file name).
    :param media_path: the media file, checked by the orphan sweep; ``None`` when the row has no file.
    :param media_root: the library folder holding it (a missing root is reported as offline, not vanished).
    :param files: the movable assets.
    """

    entity_type: str
    entity_id: str
    label: str
    media_path: Path | None = None
    media_root: Path | None = None
    files: tuple[AssetFile, ...] = ()


@dataclass(frozen=True, slots=True)
class AssetSource:
    """A plugin's generated files, for the library-maintenance plugin (moves and orphan sweep).

    :param entity_type: the kind of row (``video``…).
    :param cache_folders: the cache folders keyed by this kind's ids, laid out as
        ``plugin_sdk.storage.cache_path`` does (``<cache>/<folder>/<shard>/<id>``), e.g.
        ``("videos", "hls")``. A folder there whose id has no row is reported as an orphan.
    :param count: ``count(db)`` — how many rows ``rows`` yields (for progress).
    :param rows: ``rows(db)`` — every row's :class:`GeneratedAssets`, streamed (read in batches).
    :param sidecar_keys: the ``<key>`` of the files written next to media as ``<stem>-<key>.<ext>``
        (``thumb``, ``preview``…): every scanner skips them (``plugin_sdk.assets.is_generated_sidecar``).
    :param media_extensions: extensions (lower case, with dot) of the media files those are
        written next to.
    """

    entity_type: str
    cache_folders: tuple[str, ...]
    count: Callable[[Session], int]
    rows: Callable[[Session], Iterable[GeneratedAssets]]
    sidecar_keys: tuple[str, ...] = ()
    media_extensions: frozenset[str] = frozenset()


RULE_FIELD_TYPES: tuple[str, ...] = ("text", "number", "duration", "date", "boolean", "enum", "link")
"""Types of collection rule fields; each type has its own operators (see the collections plugin)."""


@dataclass(frozen=True, slots=True)
class RuleField:
    """A field collection rules may test on one kind of media row.

    :param key: the wire name used in rule trees (camelCase, e.g. ``duration``, ``isNsfw``).
    :param label: what the rule builder shows.
    :param type: one of :data:`RULE_FIELD_TYPES`. ``duration`` values are seconds; ``date`` values
        ``YYYY-MM-DD``; ``link`` fields (``tags``, ``performers``, ``studio``) are names answered by
        the ``obscura_entity_filter`` hook with ``link_key``.
    :param column: the SQL expression of the field on the source's table (``None`` for ``link``).
        ``enum`` columns evaluate to one of ``options`` (a ``CASE`` may map ranges to labels).
    :param options: the values of an ``enum`` field.
    :param link_key: the ``obscura_entity_filter`` key of a ``link`` field.
    """

    key: str
    label: str
    type: str
    column: Any = None
    options: tuple[str, ...] = ()
    link_key: str | None = None


@dataclass(frozen=True, slots=True)
class CollectionItemView:
    """How a collection shows one member: its title, page, thumbnail and a large picture for slideshows."""

    id: str
    title: str
    url: str
    thumbnail_url: str | None = None
    image_url: str | None = None
    subtitle: str | None = None


@dataclass(frozen=True, slots=True)
class CollectionSource:
    """One kind of media row collections can hold (``obscura_collection_sources``).

    :param kind: the entity type stored in collection items (``video``, ``gallery``, ``image``,
        ``audio-track``): the same one the plugin announces through ``obscura_entities_deleted``.
    :param label: plural name shown in the UI (``Videos``).
    :param table: the SQLAlchemy model (or table) holding the rows.
    :param id_column: its primary key column.
    :param title_column: the column dynamic members are ordered by.
    :param fields: the :class:`RuleField` records rules may test on this kind.
    :param views: ``views(db, ids) -> {id: CollectionItemView}`` for a page of members (one or a
        few queries, never one per row); ids that no longer exist are left out.
    :param thumbnail_files: ``thumbnail_files(db, ids) -> {id: Path}``: existing thumbnail files
        (inside the cache or a library root) for cover mosaics.
    :param refresh_after: queues whose completion may change which rows match (scans, probes):
        dynamic collections are re-evaluated after them.
    :param order: where the kind is listed among the others (lower first; the built-ins use 10–40).
    """

    kind: str
    label: str
    table: Any
    id_column: Any
    title_column: Any
    fields: Sequence[RuleField]
    views: Callable[[Session, Sequence[str]], Mapping[str, CollectionItemView]]
    thumbnail_files: Callable[[Session, Sequence[str]], Mapping[str, Path]]
    refresh_after: tuple[str, ...] = ()
    order: int = 100
