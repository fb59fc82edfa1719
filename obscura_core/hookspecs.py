"""Every hook a plugin may implement.

Each spec is a function named ``obscura_*`` with a typed signature and a docstring giving its
arguments, return value, the processes it is called in and an example. Implementations are
marked with ``plugin_sdk.hookimpl`` and may accept any subset of the spec's arguments (by name).
Misspelt hook names, unknown arguments and unmarked ``obscura_*`` functions are rejected at
start-up with a message naming the plugin.

Collect hooks (blueprints, queues, processors, models, nav items, panels, ...) are called once per
process when the registry is built (``obscura_panels`` once per entity type); the core merges the
per-plugin lists and refuses duplicates. Every call goes through ``obscura_core.hookcall.Hooks``:
an implementation that raises or answers with the wrong type is logged with its plugin's name and
left out, and the other plugins go on (see ``docs/plugins/hooks.md``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from plugin_sdk.database import MigrationPlan
    from plugin_sdk.imports import Importer
    from plugin_sdk.models import LibraryRoot
    from plugin_sdk.types import (
        JSON,
        AssetSource,
        CollectionSource,
        JobContext,
        JobRun,
        LinkKind,
        MetadataSource,
        MetadataStore,
        MetadataTarget,
        ModelSet,
        NavItem,
        Panel,
        Processor,
        QueueDefinition,
        RootOption,
        SearchHit,
        SettingsGroup,
        SettingsSection,
        ShellPart,
        StartupContext,
        Stylesheet,
    )

hookspec = pluggy.HookspecMarker("obscura")


@hookspec
def obscura_startup(ctx: StartupContext) -> None:
    """One-time set-up, once per process after the registry is built.

    :param ctx: ``ctx.role`` is ``"web"``, ``"worker"`` or ``"cli"``; ``ctx.settings`` the
        process settings. Workers import heavy libraries here, before forking.
    :return: nothing. No enqueueing, no long work.

    Called in: web, worker, cli.

    Example::

        @hookimpl
        def obscura_startup(ctx):
            if ctx.role == "worker":
                import PIL.Image  # noqa: F401 - preload before fork
    """


@hookspec
def obscura_blueprints() -> Sequence[Blueprint]:
    """Flask blueprints with the plugin's routes and pages.

    Build the blueprint inside the hook (a factory), so each app gets a fresh one. JSON routes
    live under ``/api/``; use ``plugin_sdk.http.api_route`` so they are validated and documented.

    :return: a list of blueprints; blueprint names must be unique across plugins.

    Called in: web.

    Example::

        @hookimpl
        def obscura_blueprints():
            return [routes.make_blueprint()]
    """


@hookspec
def obscura_queues() -> Sequence[QueueDefinition]:
    """Background queues the plugin defines.

    :return: ``QueueDefinition`` records; names are globally unique (third parties prefix them).

    Called in: web, worker, cli.

    Example::

        @hookimpl
        def obscura_queues():
            return [QueueDefinition("hello-greet", "Write a greeting", concurrency=1)]
    """


@hookspec
def obscura_processors() -> Mapping[str, Processor]:
    """The function that runs each of the plugin's queues.

    :return: ``{queue name: processor}``; ``processor(payload, ctx)`` returns a JSON result.
        Exactly one processor per defined queue.

    Called in: web, worker, cli.

    Example::

        @hookimpl
        def obscura_processors():
            return {"hello-greet": processors.greet}
    """


@hookspec(firstresult=True)
def obscura_run_job(run: JobRun, ctx: JobContext) -> JSON | None:
    """Run one job. The core's dispatcher implements it (``trylast``).

    Third-party plugins may add *wrappers* only (``@hookimpl(wrapper=True)``) to observe jobs,
    e.g. for timing or tracing; the core's bookkeeping wrapper is outermost.

    :param run: the run being executed.
    :param ctx: its context (session, progress, cancel flag).
    :return: the processor's result (firstresult: the first non-None result wins).

    Called in: worker.
    """


@hookspec
def obscura_job_finished(run: JobRun, result: JSON | None, ctx: JobContext) -> None:
    """A run completed: chain follow-up work here (e.g. enqueue ``preview`` after ``media-probe``).

    Called in the same transaction that marks the run completed; jobs enqueued through
    ``ctx.enqueue`` reach Redis after that commit. Must be idempotent.

    :param run: the finished run (``run.queue`` tells which queue).
    :param result: what its processor returned.
    :param ctx: the job context; use ``ctx.db`` and ``ctx.enqueue``.

    Called in: worker.

    Example::

        @hookimpl
        def obscura_job_finished(run, result, ctx):
            # a media-probe run covers one video or a scan's batch of them
            if run.queue == "media-probe" and result:
                for video in result.get("videos") or [result]:
                    if video.get("probed"):
                        ctx.enqueue("hello-greet", {"videoId": video["videoId"]},
                                    target_type="video", target_id=video["videoId"])
    """


@hookspec
def obscura_models() -> Sequence[ModelSet]:
    """Tables the plugin owns, with its own Alembic migration lineage.

    :return: ``ModelSet`` records. Third-party table names must start with the plugin name.

    Called in: web, worker, cli (``obscura migrate``).

    Example::

        @hookimpl
        def obscura_models():
            return [ModelSet("hello", [HelloGreeting], versions_dir=HERE / "migrations/versions")]
    """


@hookspec
def obscura_metadata_sources() -> Sequence[MetadataSource]:
    """Metadata sources the plugin runs: community scrapers, a StashBox server, script plugins.

    The plugin keeping scrape results (the built-in ``metadata``) serves each source's scrape
    routes under ``MetadataSource.collection``, stores what ``scrape`` returns as pending results
    and runs bulk scrapes as ``metadata-import`` jobs; the source never touches those tables.

    :return: ``MetadataSource`` records; ``kind`` and ``collection`` are unique across plugins.

    Called in: web, worker.

    Example::

        @hookimpl
        def obscura_metadata_sources():
            return [MetadataSource("hello", "hello-sources", "Hello", scrape=scrape, describe=describe)]
    """


@hookspec
def obscura_metadata_store() -> Sequence[MetadataStore]:
    """The plugin keeping scrape results offers them to other plugins (one plugin at most).

    :return: one ``MetadataStore``; ``plugin_sdk.metadata.metadata_store()`` hands it out.

    Called in: web, worker.
    """


@hookspec
def obscura_importers() -> Sequence[Importer]:
    """Entities the plugin takes from bulk imports (a Stash database…) into its own tables.

    An import source reads another application's data and hands each entity's records, in
    batches, to the one plugin that imports that entity (``plugin_sdk.imports``); it never
    writes another plugin's tables. ``apply`` runs in the caller's transaction, inside a
    savepoint: an importer that raises or answers wrongly loses only its own batch.

    :return: ``Importer`` records; each ``entity`` is taken by one plugin.

    Called in: web, worker (when an import runs).

    Example::

        @hookimpl
        def obscura_importers():
            return [Importer("clips", "clip", apply=import_clips, label="Clips")]
    """


@hookspec
def obscura_metadata_targets() -> Sequence[MetadataTarget]:
    """Entity types that metadata describes and applies to (videos, series, performers…).

    ``describe`` gives a source the entity as Stash hands it to scrapers; ``apply`` writes an
    accepted result to the plugin's own rows (the metadata plugin never imports the owner).

    :return: ``MetadataTarget`` records; ``entity_type`` and each collection are unique.

    Called in: web, worker.
    """


@hookspec
def obscura_nav_items() -> Sequence[NavItem]:
    """Entries the plugin adds to the app's navigation.

    :return: ``NavItem`` records, sorted by ``order`` in the layout.

    Called in: web.

    Example::

        @hookimpl
        def obscura_nav_items():
            return [NavItem("Greetings", "/hello", icon="star", order=90)]
    """


@hookspec
def obscura_panels(entity_type: str) -> Sequence[Panel]:
    """Panels the plugin adds to the detail page of ``entity_type`` (``video``, ``gallery``…).

    Pages collect them with ``plugin_sdk.pages.page_panels`` / ``render_panels``. Entity types in use:
    ``dashboard``; the media pages ``video``, ``gallery``, ``image``, ``audio-track`` (the taxonomy
    adds "People & tags"); ``performer``, ``studio``, ``tag`` (the media plugins add their linked
    videos, galleries and images, audio); ``videos-filters`` (template panels rendered inside the
    ``/videos`` filter bar). On an entity's page a ``url`` panel is requested with
    ``?entity=<entity_type>&id=<id>`` added (read it with ``plugin_sdk.pages.panel_target``).

    :param entity_type: the kind of page being rendered.
    :return: ``Panel`` records whose templates come from the plugin's blueprint.

    Example::

        @hookimpl
        def obscura_panels(entity_type):
            if entity_type == "performer":
                return [Panel("Clips", url="/hello/fragments/clips")]  # ?entity=performer&id=…
            return []

    Called in: web.
    """


@hookspec
def obscura_shell_parts() -> Sequence[ShellPart]:
    """Parts of the page shell that stay alive while the user moves between pages.

    Pages are swapped inside the shell without reloading it, so a part keeps its state (the
    audio plugin's mini player keeps playing). Page modules take part in this by exporting
    ``mount({root, signal, url})``: ``signal`` is aborted when the user leaves the page, so every
    listener on ``document`` or ``window`` and every timer must be tied to it. A page whose module
    has no ``mount`` is opened with a full page load.

    :return: ``ShellPart(key, template, module, order)`` records.

    Called in: web.

    Example::

        @hookimpl
        def obscura_shell_parts():
            return [ShellPart("now-playing", "hello/now_playing.html", module="/hello/static/now.js")]
    """


@hookspec
def obscura_stylesheets() -> Sequence[Stylesheet]:
    """CSS files of the plugin's pages, merged into the app's single stylesheet.

    The core serves every plugin's CSS as one cached file (one CSS request per page load); use
    the design tokens of ``obscura_core/web/static/obscura.css`` (``var(--accent)``…).

    :return: ``Stylesheet(path, order)`` records.

    Called in: web.

    Example::

        @hookimpl
        def obscura_stylesheets():
            return [Stylesheet(HERE / "static" / "hello.css")]
    """


@hookspec
def obscura_search(
    db: Session, query: str, limit: int, kinds: Sequence[str] | None, offset: int
) -> Sequence[SearchHit]:
    """Results for the global search (``/api/search``, the ``/search`` page) and the Ctrl/⌘-K
    command palette.

    Match and rank with ``plugin_sdk.search.match`` so every kind ranks alike (typos and partial
    words included, with or without ``pg_trgm``). ``kinds`` and ``offset`` are optional: an
    implementation that takes only ``(db, query, limit)`` keeps working.

    :param db: session (read only).
    :param query: what the user typed (trimmed, at least one character).
    :param limit: the most hits to return *per kind*, best first.
    :param kinds: the kinds asked for (``video``, ``performer``…), or ``None`` for all; skip the
        queries of the others (``plugin_sdk.search.wants(kinds, "video")``).
    :param offset: hits of each kind to skip first (paging through one kind: "show more").
    :return: ``SearchHit`` records; the caller merges them by score and groups them by kind.

    Called in: web.
    """


@hookspec
def obscura_settings_sections() -> Sequence[SettingsSection]:
    """Sections the plugin adds to the Settings page.

    :return: ``SettingsSection`` records.

    Called in: web.
    """


@hookspec
def obscura_settings_groups() -> Sequence[SettingsGroup]:
    """Settings the plugin owns: stored by the core, served by ``/api/settings/library`` and shown
    as groups of the Settings page's form (with optional action buttons).

    Read them with ``plugin_sdk.settings.read_settings(db, group)``. Field names are unique across
    the core and every plugin (a clash stops start-up).

    :return: ``SettingsGroup`` records.

    Called in: web, worker, cli.

    Example::

        class HelloSettings(BaseModel):
            greeting: str = Field("Hello", max_length=40, title="Greeting",
                                  description="The word greetings start with.")

        @hookimpl
        def obscura_settings_groups():
            return [SettingsGroup("hello", "Greetings", HelloSettings)]
    """


@hookspec
def obscura_root_options() -> Sequence[RootOption]:
    """Switches the plugin adds to every library root (e.g. "Movies": index movies found here).

    Shown with each folder in Settings, served flat in ``/api/libraries``; read them with
    ``plugin_sdk.library.root_option(root, key)`` or, in SQL, ``root_option_clause(key)``. Keys
    are unique across plugins (a clash stops start-up).

    :return: ``RootOption`` records.

    Called in: web, worker, cli.

    Example::

        @hookimpl
        def obscura_root_options():
            return [RootOption("scan_clips", "Clips", "Index clips found here.")]
    """


@hookspec
def obscura_link_kinds() -> Sequence[LinkKind]:
    """Kinds of links the plugin keeps between media rows and what describes them.

    Each ``LinkKind`` adds a field to every media PATCH and bulk-PATCH body and a filter to every
    media list (media plugins build those models with ``plugin_sdk.links.with_link_fields`` and
    ``with_link_filters``); the plugin applies the field in ``obscura_entity_patch``, answers the
    filter in ``obscura_entity_filter`` and serialises the links in ``obscura_entity_links``.
    Without the plugin, the field is not part of the body (400 "unknown field") and the filter is
    not part of the query. Fields and filters are unique across plugins (a clash stops start-up).

    :return: ``LinkKind`` records.

    Called in: web, worker, cli.

    Example::

        @hookimpl
        def obscura_link_kinds():
            return [LinkKind("collection_ids", filter="collection", linked_type="collection")]
    """


@hookspec
def obscura_cli_commands() -> Sequence[click.Command]:
    """Extra ``obscura`` sub-commands.

    :return: click commands; names must not clash with the core's or another plugin's.

    Called in: cli.
    """


@hookspec
def obscura_before_migrate(plan: MigrationPlan) -> str | None:
    """Migrations are about to be applied to a database that holds data: act first (take a backup).

    Called once per migration run (``obscura migrate``, ``obscura serve``'s start-up migration,
    the breaking-gate's accept), under the migration lock, before any revision is applied, and
    only when revisions of lineages that already hold data are pending (a new install, or a newly
    added plugin creating its empty tables, calls nobody). An implementation that raises stops the
    migration: nothing is applied, and the operator sees the message of a
    ``plugin_sdk.errors.ObscuraError`` (or "see the log" for anything else).

    :param plan: what will be applied (``plan.pending``, ``plan.breaking``), why
        (``plan.reason``), the database (``plan.database_url``, a libpq URL) and the data folder.
        Use these, not the process's settings: the migrating runtime may not be the current one.
    :return: a short description of what was done (the backup file written), recorded with the
        consent to breaking migrations, or ``None``.

    Called in: cli, worker (``obscura serve``), web (the breaking-gate's accept route).

    Example::

        @hookimpl
        def obscura_before_migrate(plan):
            path = plan.data_dir / "before-migrate.txt"
            path.write_text("\\n".join(f"{m.lineage} {m.revision}" for m in plan.pending))
            return str(path)
    """


@hookspec
def obscura_scan_roots(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    """Enqueue this plugin's scan of the given library roots.

    Called by ``obscura scan``, ``POST /api/libraries/<id>/scan``, the periodic scheduler
    (``autoScanEnabled``) and the library-scan queue button. Each media plugin enqueues its own
    scan queue for the roots whose toggles concern it.

    :param db: session; the caller commits.
    :param roots: enabled roots to scan.
    :param trigger: ``manual``, ``schedule``, ``cli`` or ``upload``.
    :return: how many runs were enqueued.

    Called in: web, worker, cli.
    """


@hookspec
def obscura_system_status(db: Session) -> Mapping[str, Any] | None:
    """Extra fields for ``GET /api/system/status`` (e.g. library roots found missing).

    :return: a mapping merged under ``data.plugins.<plugin name>``, or ``None``.

    Called in: web.
    """


@hookspec
def obscura_entity_deleted(entity_type: str, entity_id: str, db: Session) -> None:
    """An entity was deleted: drop what the plugin keeps about it (links, cache files).

    The core announces ``library_root`` deletions here (before the root's rows cascade away, so a
    media plugin can still list them). Media rows themselves are announced in bulk through
    ``obscura_entities_deleted``; a plugin keeping data about media rows implements that one.

    Called in: web, worker.
    """


@hookspec
def obscura_entities_deleted(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    """Media rows were deleted: drop what the plugin keeps about them (links, collection items).

    Media plugins announce every deletion of their rows with ``plugin_sdk.links.entities_deleted``
    (a DELETE route, a scan pruning missing files, a library root being removed), in the
    transaction that deletes them; implementations must not commit.

    :param db: the session deleting the rows.
    :param entity_type: ``video``, ``series``, ``gallery``, ``image``, ``audio-track``,
        ``audio-library`` or a third party's type.
    :param entity_ids: the deleted rows' ids (may be thousands: use set-based statements).
    :return: nothing.

    Called in: web, worker.

    Example::

        @hookimpl
        def obscura_entities_deleted(db, entity_type, entity_ids):
            db.execute(delete(Bookmark).where(Bookmark.entity_type == entity_type,
                                              Bookmark.entity_id.in_(entity_ids)))
    """


@hookspec
def obscura_entity_patch(
    db: Session, entity_type: str, entity_ids: Sequence[str], changes: Mapping[str, Any]
) -> Collection[str] | None:
    """Apply the link fields of a media PATCH (performers, tags, studio…) to some entities.

    Media plugins pass the link fields of their PATCH and bulk-PATCH bodies through
    ``plugin_sdk.links.apply_links``; the plugin that declared a field (``obscura_link_kinds``)
    applies it. The taxonomy plugin owns ``performer_names`` and ``tag_names`` (lists of names)
    and ``studio_name``: names are found or created (case-insensitive, trimmed) and replace the
    entities' links; ``[]`` or ``""`` clears them. A key missing from ``changes`` is left unchanged.

    :param db: the request's session; the caller commits (do not commit).
    :param entity_type: the kind of the entities (``video``, ``image``…).
    :param entity_ids: the ids of existing rows the caller has checked.
    :param changes: ``{field: value}`` with snake_case field names.
    :return: the keys of ``changes`` this plugin applied (``None`` when none are its own). A key no
        plugin applies is answered with 400 (code ``plugin_missing``).

    Called in: web, worker.

    Example::

        @hookimpl
        def obscura_entity_patch(db, entity_type, entity_ids, changes):
            if "collection_ids" not in changes:
                return None
            set_collections(db, entity_type, entity_ids, changes["collection_ids"])
            return {"collection_ids"}
    """


@hookspec
def obscura_entity_changed(db: Session, entity_type: str, entity_ids: Sequence[str], fields: Collection[str]) -> None:
    """Some media rows were edited (a PATCH or bulk PATCH): react to the change.

    Media plugins fire it through ``plugin_sdk.edits.apply_patch`` in the transaction that makes
    the change, after the row and its links are updated and before the commit; jobs enqueued here
    with ``plugin_sdk.jobs.enqueue_job(db, ...)`` commit with it. Read the rows' new values from
    ``db``. Must not commit.

    :param db: the request's session.
    :param entity_type: ``video``, ``series``, ``gallery``, ``image``, ``audio-track``,
        ``audio-library`` or a third party's type.
    :param entity_ids: the edited rows.
    :param fields: the snake_case names of the fields the request set (link fields such as
        ``tag_names`` included), whether or not their value differs from before.
    :return: nothing.

    Called in: web.

    Example::

        @hookimpl
        def obscura_entity_changed(db, entity_type, entity_ids, fields):
            if entity_type == "clip" and "rating" in fields:
                for clip_id in entity_ids:
                    enqueue_job(db, "hello-rated", {"clipId": clip_id},
                                target_type="clip", target_id=clip_id)
    """


@hookspec
def obscura_entity_links(db: Session, entity_type: str, entity_ids: Sequence[str]) -> Mapping[str, Mapping[str, Any]]:
    """Extra fields for the API answers of some entities (their performers, tags, studio…).

    Media detail and list routes call it once per answer through ``plugin_sdk.links.links_for``
    (one call per page, never per row: use one query per kind of link) and merge each entity's
    fields into its JSON object.

    :param db: session (read only).
    :param entity_type: the kind of the entities.
    :param entity_ids: the ids being serialised.
    :return: ``{entity id: {wire field: JSON value}}`` with camelCase field names, e.g. the
        taxonomy plugin's ``{"performers": [{"id", "name"}], "tags": [...], "studio": {...} | None}``.

    Called in: web.
    """


@hookspec(firstresult=True)
def obscura_entity_filter(
    db: Session, entity_type: str, id_column: ColumnElement[Any], key: str, values: Sequence[str]
) -> ColumnElement[bool] | None:
    """A SQL condition for a list filter the media plugin does not own (``tags``, ``performers``…).

    Media list routes ask through ``plugin_sdk.links.filter_clauses`` for each link filter of the
    query string; the answer is added to the WHERE clause of the list and its count.

    :param db: session (read only), to resolve names to ids before building the condition.
    :param entity_type: the kind of rows listed.
    :param id_column: the listed table's id column (correlate on it, e.g. an ``EXISTS``).
    :param key: the filter's name: ``tags``, ``performers`` or ``studio`` for the taxonomy plugin.
    :param values: the values given (names or ids); every value must match.
    :return: a boolean SQL expression, or ``None`` when the key is not this plugin's
        (firstresult: the first non-None answer wins). No plugin answering gives a 400
        (code ``plugin_missing``).

    Called in: web.

    Example::

        @hookimpl
        def obscura_entity_filter(entity_type, id_column, key, values):  # any subset of the arguments
            if key != "collection":
                return None
            return exists().where(Item.entity_type == entity_type, Item.entity_id == id_column,
                                  Item.collection_id.in_(values))
    """


@hookspec
def obscura_generated_assets() -> Sequence[AssetSource]:
    """The generated files of the plugin's media rows, for the library-maintenance plugin.

    Each ``AssetSource`` names a kind of row and the cache folders keyed by its ids, and streams
    every row's ``GeneratedAssets``: its media file and its movable files (``AssetFile``) in both
    layouts — the cache path and the ``<stem>-<key>.<ext>`` path next to the media. Maintenance
    moves them when ``metadataStorageDedicated`` changes (``POST /api/jobs/migrate-asset-storage``)
    and reports orphans (cache folders without a row, rows whose media file vanished). Files that
    always stay in the cache (custom thumbnails, subtitles, HLS) are not listed as movable; their
    folders still belong in ``cache_folders``. Serve an asset from the current layout first and fall
    back to the other one (``plugin_sdk.assets.existing_path``), so a half-finished move never
    breaks a page.

    :return: ``AssetSource`` records (``rows(db)`` must read in batches: it may be called for
        100k rows).

    Called in: worker (the ``library-maintenance`` queue), web.

    Example::

        @hookimpl
        def obscura_generated_assets():
            return [AssetSource("clip", ("clips",), count=count_clips, rows=clip_assets)]
    """


@hookspec
def obscura_collection_sources() -> Sequence[CollectionSource]:
    """Kinds of media rows the collections plugin may hold, and what rules can test on them.

    Each ``CollectionSource`` names an entity type (``video``, ``gallery``, ``image``,
    ``audio-track``…), its table and id column, its rule fields (``RuleField``: a key, a type —
    ``text``, ``number``, ``duration``, ``date``, ``boolean``, ``enum`` or ``link`` — and the SQL
    expression rules compile to), how to show a page of members (``views``: title, page URL,
    thumbnail URL) and where their thumbnail files are (``thumbnail_files``, for cover mosaics).
    ``link`` fields (``tags``, ``performers``, ``studio``) are answered through
    ``obscura_entity_filter``, so they work whenever the taxonomy plugin is loaded. Dynamic
    collections are re-evaluated when a queue of ``refresh_after`` finishes. Deleted rows must be
    announced through ``obscura_entities_deleted`` with the same entity type.

    :return: ``CollectionSource`` records; one per entity type across all plugins.

    Called in: web, worker.

    Example::

        @hookimpl
        def obscura_collection_sources():
            return [CollectionSource(
                kind="clip", label="Clips", table=Clip, id_column=Clip.id, title_column=Clip.title,
                fields=[RuleField("title", "Title", "text", Clip.title),
                        RuleField("length", "Length", "duration", Clip.seconds),
                        RuleField("tags", "Tags", "link", link_key="tags")],
                views=clip_views, thumbnail_files=clip_thumbnails, refresh_after=("clip-scan",),
            )]
    """


@hookspec
def obscura_sfw_clause(db: Session, entity_type: str, id_column: ColumnElement[Any]) -> ColumnElement[bool] | None:
    """More conditions a row of ``entity_type`` must meet to be shown in SFW mode.

    In SFW mode a row of an NSFW-capable model (one with an ``is_nsfw`` column) is hidden when its
    own flag is set; models that name their entity type (``__obscura_entity__ = "video"``) are
    also hidden when any implementation's clause is false for them — the taxonomy plugin hides
    media linked to an NSFW performer, studio or tag. Called once per request session and model;
    the queries an implementation runs here see every row.

    :param db: the request's session.
    :param entity_type: the model's ``__obscura_entity__``.
    :param id_column: the model's id column, to correlate with.
    :return: a SQL condition true for rows that may be shown, or ``None`` for no condition.

    Called in: web.

    Example::

        @hookimpl
        def obscura_sfw_clause(db, entity_type, id_column):
            flagged = select(Flag.entity_id).where(Flag.entity_type == entity_type, Flag.nsfw)
            return id_column.not_in(flagged)
    """
