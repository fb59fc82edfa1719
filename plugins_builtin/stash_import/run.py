"""The import itself: read a Stash database and hand its rows, entity by entity, to the plugins
that own them (``obscura_importers``), one committed batch at a time.

Order: tags, their hierarchy, studios, their parents, performers (with their tags and stash ids),
scenes (→ videos, with their tags, performers, studio and stash ids), markers, galleries, images,
groups (→ manual collections) and saved filters (→ dynamic collections). Each batch commits with
its ``stash_import_keys``, so a run that fails can simply be run again: it resumes, handing over
only what is not there yet. A dry run does all of it in one transaction and rolls it back.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.errors import ValidationError
from plugin_sdk.imports import SKIPPED, ImportBatch, ImportOutcome, ImportRecord, importers, run_import
from plugin_sdk.models import LibraryRoot
from plugins_builtin.stash_import import convert
from plugins_builtin.stash_import.keys import KeyStore, digest
from plugins_builtin.stash_import.paths import PathMap, parse_mappings
from plugins_builtin.stash_import.reader import StashReader, open_stash_db
from plugins_builtin.stash_import.report import Report
from plugins_builtin.stash_import.saved_filters import rule_tree_from_saved_filter
from plugins_builtin.stash_import.spool import PathSpool

log = logging.getLogger("obscura.stash_import")

SOURCE = "stash"
BATCH = 1000
BLOB_FIELDS = {"cover_blob": "cover", "image_blob": "image"}
"""Record fields naming a Stash blob → the field its bytes are handed over in."""

Progress = Callable[[int, str], None]
Pending = tuple[str, dict[str, Any], str, str, str | None]
"""A record to hand over: ``(key, fields, what, digest, target id)``."""
LINK_KEYS = ("id", "tag_ids", "performer_ids", "studio_id", "stash_ids")
"""What the links and stash-ids steps read of a Stash row."""
SCENES = ("scenes", "Scenes")
LINKS = ("links", "Links")
STASH_IDS = ("stash_ids", "Stash IDs")
FORK_FROM_SCENES = 20_000
"""Libraries with this many scenes are read by two processes (when there are two cores)."""
Record = tuple[str, dict[str, Any], str]
"""A record to hand over: ``(key, fields, what)``."""
Later = tuple[str, tuple[str, str], list[Any]]
"""Records to :meth:`Importing.give`: ``(entity, report as, pending records)``."""


@dataclass
class ImportOptions:
    """What to import and how.

    :param path: the ``stash-go.sqlite`` file.
    :param path_map: Stash path prefix → path prefix here.
    :param dry_run: write nothing; report what would happen.
    :param create_roots: add a library root for each Stash top folder found here (not inside a root).
    :param blobs_path: Stash's blobs folder when it kept images on disk (default: ``blobs`` beside the file).
    """

    path: str
    path_map: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    create_roots: bool = True
    blobs_path: str | None = None
    batch_size: int = BATCH
    read_processes: int = 0
    """Processes reading the scenes (0: two for a big library, see :meth:`Importing.read_processes`)."""


class ImportCancelled(Exception):
    """The user cancelled the run: the batches committed so far stay; a re-run resumes."""


def options_from(payload: Mapping[str, Any]) -> ImportOptions:
    """Options from an API body or job payload (``path``, ``pathMap``, ``dryRun``, ``createRoots``,
    ``blobsPath``); ``pathMap`` is ``{old: new}`` or a list of ``"OLD=NEW"``."""
    path = payload.get("path")
    if not isinstance(path, str) or not path.strip():
        raise ValidationError("Give the path of Stash's database file (stash-go.sqlite).")
    blobs = payload.get("blobsPath")
    return ImportOptions(
        path=path.strip(),
        path_map=parse_mappings(payload.get("pathMap") or {}),
        dry_run=bool(payload.get("dryRun", False)),
        create_roots=bool(payload.get("createRoots", True)),
        blobs_path=blobs.strip() if isinstance(blobs, str) and blobs.strip() else None,
    )


class Importing:
    """One run: the reader, the keys, the report and the hand-over loop."""

    def __init__(self, db: Session, reader: StashReader, options: ImportOptions, progress: Progress | None) -> None:
        self.db = db
        self.reader = reader
        self.options = options
        self.paths = PathMap(dict(options.path_map))
        self.keys = KeyStore(db, str(Path(options.path).resolve()))
        self.report = Report(path=str(options.path), dry_run=options.dry_run, schema_version=reader.version)
        self.importers = importers()
        self.lock = threading.Lock()
        """Guards the report: the scenes' links are handed over on a thread of their own (:class:`FollowUps`)."""
        self._progress = progress
        self.counts = reader.counts()
        self._total = max(1, sum(self.counts.values()))
        self._done = 0

    # ------------------------------------------------------------------ plumbing

    def progress(self, n: int, note: str) -> None:
        self._done += n
        if self._progress is not None:
            self._progress(min(99, int(100 * self._done / self._total)), note)

    def ids(self, entity: str) -> Callable[[Iterable[Any]], list[str]]:
        """Stash ids of ``entity`` → ids here (the ones imported), in order."""
        known = self.keys.known[entity]

        def resolve(stash_ids: Iterable[Any]) -> list[str]:
            out = []
            for sid in stash_ids:
                found = known.get(str(sid))
                if found is not None:
                    out.append(found[0])
            return out

        return resolve

    def one(self, entity: str, stash_id: Any) -> str | None:
        return None if stash_id is None else self.keys.target(entity, str(stash_id))

    def _blobs(self, fields: dict[str, Any], what: str) -> dict[str, Any]:
        """The record as handed over: each ``*_blob`` checksum replaced by the blob's bytes."""
        out = dict(fields)
        for name, into in BLOB_FIELDS.items():
            if name not in out:
                continue
            checksum = out.pop(name)
            data = self.reader.image_blob(checksum) if checksum else None
            if checksum and data is None:
                self.report.warn(f"{what}: image blob {checksum} not found (give Stash's blobs folder)")
            out[into] = data
        return out

    def hand_over(
        self,
        entity: str,
        report_as: tuple[str, str],
        records: list[Record],
        db: Session | None = None,
    ) -> dict[str, ImportOutcome]:
        """Give ``records`` (key, fields, what) to ``entity``'s importer, leaving out the unchanged
        ones; commits the batch (unless a dry run) on ``db`` (the run's session when ``None``).
        ``{key: outcome}`` of the records handed over."""
        return self.give(entity, report_as, self.pending(entity, report_as, records), db)

    def pending(self, entity: str, report_as: tuple[str, str], records: list[Record]) -> list[Pending]:
        """Count ``records`` as read; the ones to hand over (new, or changed since the last run)."""
        out: list[Pending] = []
        unchanged = 0
        for key, fields, what in records:
            dig = digest(fields)
            known = self.keys.get(entity, key)
            if known is not None and known[1] == dig:
                unchanged += 1
                continue
            out.append((key, fields, what, dig, known[0] if known else None))
        with self.lock:
            counts = self.report.entity(*report_as)
            counts.read += len(records)
            counts.statuses["unchanged"] += unchanged
        return out

    def give(
        self, entity: str, report_as: tuple[str, str], pending: list[Pending], db: Session | None = None
    ) -> dict[str, ImportOutcome]:
        """Hand ``pending`` records over in one batch and keep their keys (see :meth:`hand_over`)."""
        db = self.db if db is None else db
        name, label = report_as
        out: dict[str, ImportOutcome] = {}
        if not pending:
            return out
        imp = self.importers.get(entity)
        if imp is None:
            reason = f"no loaded plugin imports {entity} rows"
            with self.lock:
                for key, _, what, _, _ in pending:
                    self.report.record(name, label, ImportOutcome(key, SKIPPED, reason=reason), what)
            return out
        whats = {key: what for key, _, what, _, _ in pending}
        digests = {key: dig for key, _, _, dig, _ in pending}
        todo = [
            ImportRecord(key, self._blobs(fields, what), target_id=target) for key, fields, what, _, target in pending
        ]
        batch = ImportBatch(SOURCE, entity, todo, dry_run=self.options.dry_run)
        outcomes = run_import(db, imp, batch)
        keys = []
        with self.lock:
            for outcome in outcomes:
                out[outcome.key] = outcome
                self.report.record(name, label, outcome, whats[outcome.key])
        for outcome in outcomes:
            if outcome.id and (row := self.keys.put(entity, outcome.key, outcome.id, digests[outcome.key])):
                keys.append(row)
        self.keys.write(db, keys)
        if not self.options.dry_run:
            db.commit()
        return out

    def batched(self, rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        size = max(1, self.options.batch_size)
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    # ------------------------------------------------------------------ steps

    def roots(self, folders: list[dict[str, Any]]) -> None:
        """A library root for each Stash top folder found here (unless one covers it already)."""
        existing = [r.path.rstrip("/") for r in self.db.execute(select(LibraryRoot)).scalars()]
        tops = [f["path"] for f in folders if f["parent_folder_id"] is None and f["zip_file_id"] is None]
        for stash_path in sorted(set(tops)):
            here = self.paths.apply(stash_path).rstrip("/") or "/"
            if not os.path.isdir(here):
                self.report.missing_folders.append({"stash": stash_path, "here": here})
                continue
            covering = [r for r in existing if here == r or here.startswith(r + "/")]
            if covering:
                self.report.roots_used.append(covering[0])
                continue
            if [r for r in existing if r.startswith(here + "/")] or not self.options.create_roots:
                self.report.notes.append(
                    f"{here}: no library root covers it"
                    + (" (it holds other roots)" if self.options.create_roots else "")
                    + "; its files are imported only where a root covers them."
                )
                continue
            root = LibraryRoot(path=here, label=Path(here).name or here)
            self.db.add(root)
            self.db.flush()
            existing.append(here)
            self.report.roots_created.append(here)
        if not self.options.dry_run:
            self.db.commit()

    def tags(self) -> None:
        parents: list[tuple[str, list[Any]]] = []
        for chunk in self.batched(self.reader.tags()):
            records = [(str(t["id"]), convert.tag(t), f"tag '{t['name']}'") for t in chunk]
            self.hand_over("tag", ("tags", "Tags"), records)
            parents += [(str(t["id"]), t["parent_ids"]) for t in chunk if t["parent_ids"]]
            self.stash_ids("tag", "tag", chunk)
            self.progress(len(chunk), "tags")
        resolve = self.ids("tag")
        for i in range(0, len(parents), self.options.batch_size):
            records = []
            for key, parent_ids in parents[i : i + self.options.batch_size]:
                tag_id = self.one("tag", key)
                if tag_id:
                    fields = {"tag_id": tag_id, "parent_ids": resolve(parent_ids)}
                    records.append((key, fields, f"tag {key}'s parents"))
            self.hand_over("tag_parent", ("tag_parents", "Tag parents"), records)

    def studios(self) -> None:
        parents: list[tuple[str, Any]] = []
        for chunk in self.batched(self.reader.studios()):
            records = [(str(s["id"]), convert.studio(s), f"studio '{s['name']}'") for s in chunk]
            self.hand_over("studio", ("studios", "Studios"), records)
            parents += [(str(s["id"]), s["parent_id"]) for s in chunk if s["parent_id"] is not None]
            self.links("studio", "studio", chunk)
            self.stash_ids("studio", "studio", chunk)
            self.progress(len(chunk), "studios")
        records = []
        for key, parent in parents:
            sid, pid = self.one("studio", key), self.one("studio", parent)
            if sid and pid:
                records.append((key, {"studio_id": sid, "parent_id": pid}, f"studio {key}'s parent"))
        for i in range(0, len(records), self.options.batch_size):
            self.hand_over(
                "studio_parent", ("studio_parents", "Studio parents"), records[i : i + self.options.batch_size]
            )

    def performers(self) -> None:
        for chunk in self.batched(self.reader.performers()):
            records = [(str(p["id"]), convert.performer(p), f"performer '{p['name']}'") for p in chunk]
            self.hand_over("performer", ("performers", "Performers"), records)
            self.links("performer", "performer", chunk)
            self.stash_ids("performer", "performer", chunk)
            self.progress(len(chunk), "performers")

    def links(self, stash_entity: str, entity: str, chunk: list[dict[str, Any]], db: Session | None = None) -> None:
        """The tags, performers and studio of each row of ``chunk`` (already handed over)."""
        self.hand_over("entity_links", LINKS, self.link_records(stash_entity, entity, chunk), db)

    def link_records(self, stash_entity: str, entity: str, chunk: list[dict[str, Any]]) -> list[Record]:
        """The ``entity_links`` records of ``chunk``'s rows that have links."""
        tags, performers = self.ids("tag"), self.ids("performer")
        records = []
        for row in chunk:
            target = self.one(entity, row["id"])
            if target is None:
                continue
            tag_ids = tags(row.get("tag_ids", ()))
            performer_ids = performers(row.get("performer_ids", ()))
            studio_id = self.one("studio", row.get("studio_id")) if stash_entity != "studio" else None
            if tag_ids or performer_ids or studio_id:
                fields = convert.links(
                    entity, target, tag_ids=tag_ids, performer_ids=performer_ids, studio_id=studio_id
                )
                records.append((f"{stash_entity}:{row['id']}", fields, f"{stash_entity} {row['id']}'s links"))
        return records

    def stash_ids(self, stash_entity: str, entity: str, chunk: list[dict[str, Any]], db: Session | None = None) -> None:
        """The StashBox ids of each row of ``chunk`` (already handed over)."""
        self.hand_over("stash_id", STASH_IDS, self.stash_id_records(stash_entity, entity, chunk), db)

    def stash_id_records(self, stash_entity: str, entity: str, chunk: list[dict[str, Any]]) -> list[Record]:
        """The ``stash_id`` records of ``chunk``'s rows."""
        records = []
        for row in chunk:
            target = self.one(entity, row["id"])
            if target is None:
                continue
            for sid in row.get("stash_ids", ()):
                short = hashlib.blake2b(sid["endpoint"].encode(), digest_size=6).hexdigest()
                fields = {
                    "entity_type": entity,
                    "entity_id": target,
                    "endpoint": sid["endpoint"],
                    "stash_id": sid["stash_id"],
                    "updated_at": sid.get("updated_at"),
                }
                records.append(
                    (f"{stash_entity}:{row['id']}:{short}", fields, f"{stash_entity} {row['id']}'s stash id")
                )
        return records

    def scenes(self) -> None:
        """Scenes → videos: read in id order (by several processes for a big library,
        :meth:`read_scenes_forked`), handed over in path order (:mod:`.spool`); the links and stash
        ids of a scene follow its video."""
        with PathSpool() as spool:
            parts = self.reader.scene_id_parts(self.read_processes())
            if len(parts) > 1:
                extra_files = self.read_scenes_forked(spool, parts)
            else:
                extra_files = self.read_scenes(self.reader, None, spool, self.give_later)
            with FollowUps(self) as follow:
                for batch in spool.sorted_batches(self.options.batch_size):
                    pending = [p for p, _ in batch]
                    outcomes = self.give("video", SCENES, pending)
                    for key, fields, _, _, _ in pending:
                        outcome = outcomes.get(key)
                        if outcome is not None and outcome.status == SKIPPED and "root" in (outcome.reason or ""):
                            self.report.unmapped_paths[os.path.dirname(fields["path"])] += 1
                    follow.submit([row for _, row in batch])
                    self.progress(len(batch), "scenes")
        if extra_files:
            self.report.notes.append(
                f"{extra_files} extra files of multi-file scenes: each scene kept its primary file; "
                "a scan adds the others as videos of their own."
            )

    def give_later(self, work: Later) -> None:
        """Hand over records :meth:`read_scenes` found to be new or changed (in this process)."""
        self.give(*work)

    def read_scenes(
        self, reader: StashReader, ids: tuple[int, int] | None, spool: PathSpool, later: Callable[[Later], None]
    ) -> int:
        """Read the scenes (``ids``: a range of them), spool the videos to hand over and pass the
        links and stash ids of unchanged videos to ``later``; the number of extra files."""
        extra_files = 0
        for chunk in self.batched(reader.scenes(ids)):
            records = []
            counts = self.report.entity(*SCENES)
            by_key = {}
            for s in chunk:
                fields = convert.scene_video(s, self.paths)
                if fields is None:
                    counts.read += 1
                    counts.statuses[SKIPPED] += 1
                    counts.reasons["the scene has no file"] += 1
                    continue
                extra_files += len(s["files"]) - 1
                if fields["missing"]:
                    self.report.missing_files += 1
                key = str(s["id"])
                by_key[key] = {k: s[k] for k in LINK_KEYS}
                records.append((key, fields, f"scene {s['id']} ({s['files'][0]['path']})"))
            pending = self.pending("video", SCENES, records)
            spool.add([(p[1]["path"], (p, by_key.pop(p[0]))) for p in pending])
            known = list(by_key.values())  # unchanged videos: their links and stash ids now
            for entity, as_, follow_ups in (
                ("entity_links", LINKS, self.link_records("scene", "video", known)),
                ("stash_id", STASH_IDS, self.stash_id_records("scene", "video", known)),
            ):
                later((entity, as_, self.pending(entity, as_, follow_ups)))
            self.progress(len(chunk) - len(pending), "scenes")
        return extra_files

    def read_processes(self) -> int:
        """How many processes read the scenes: the option, else two for a big library where fork
        is available (reading, converting and comparing is pure Python: one core each)."""
        if self.options.read_processes:
            return self.options.read_processes
        if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
            return 1
        return 2 if self.counts.get("scenes", 0) >= FORK_FROM_SCENES else 1

    def read_scenes_forked(self, spool: PathSpool, parts: list[tuple[int, int]]) -> int:
        """:meth:`read_scenes` of each id range in a forked process, into a part of ``spool``;
        their reports are merged here, and the records they left for later handed over."""
        context = multiprocessing.get_context("fork")
        work = []
        gc.freeze()  # what exists now is the readers' to read, not to collect: no full-heap scans, no copied pages
        try:
            for i, ids in enumerate(parts):
                part = spool.part(f"scenes{i}")
                proc = context.Process(target=self._read_part, args=(ids, part), daemon=True)
                proc.start()
                work.append((proc, part))
        finally:
            gc.unfreeze()
        extra_files = 0
        results = []
        for proc, part in work:
            proc.join()
            result = part.with_suffix(".result")
            if not result.exists():
                raise RuntimeError(f"reading the scenes stopped (the reading process exited with {proc.exitcode})")
            results.append(pickle.loads(result.read_bytes()))
        for report, extra, later, error in results:
            if error is not None:
                raise RuntimeError(f"reading the scenes failed: {error}")
            self.report.merge(report)
            extra_files += extra
            for item in later:
                self.give(*item)
        self.progress(sum(r[0].entities["scenes"].read for r in results if r[0] is not None), "scenes")
        return extra_files

    def _read_part(self, ids: tuple[int, int], part: Path) -> None:
        """In a forked process: read the scenes of ``ids`` into the spool ``part``, and leave the
        report, the extra files and the records to hand over in ``part.result``. Touches no
        database connection of the parent's (nothing here writes; ``later`` only collects)."""
        payload: tuple[Any, ...]
        gc.disable()  # a short-lived reader whose records hold no cycles: the collector would only scan
        try:
            self._progress = None
            self.report = Report(path=self.report.path, dry_run=self.report.dry_run, schema_version=self.reader.version)
            later: list[Later] = []
            with self.reader.reopen() as reader:
                spool = PathSpool(part)
                try:
                    extra = self.read_scenes(reader, ids, spool, later.append)
                finally:
                    spool.finish()
            payload = (self.report, extra, [item for item in later if item[2]], None)
        except BaseException as exc:
            payload = (None, 0, [], f"{type(exc).__name__}: {exc}")
        part.with_suffix(".result").write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))

    def markers(self) -> None:
        tags = self.ids("tag")
        for chunk in self.batched(self.reader.markers()):
            records = []
            counts = self.report.entity("markers", "Markers")
            for m in chunk:
                video_id = self.one("video", m["scene_id"])
                if video_id is None:
                    counts.read += 1
                    counts.statuses[SKIPPED] += 1
                    counts.reasons["its scene was not imported"] += 1
                    continue
                records.append((str(m["id"]), convert.marker(m, video_id, tags), f"marker {m['id']}"))
            self.hand_over("video_marker", ("markers", "Markers"), records)
            self.progress(len(chunk), "markers")

    def galleries(self) -> dict[int, list[int]]:
        """Galleries; ``{image id: [gallery ids whose cover it is]}`` for the images step."""
        covers: dict[int, list[int]] = defaultdict(list)
        scene_links = 0
        for chunk in self.batched(self.reader.galleries()):
            records = []
            for g in chunk:
                what = f"gallery {g['id']} ({g['title'] or g['folder_path'] or g['kind']})"
                records.append((str(g["id"]), convert.gallery(g, self.paths), what))
                if g["cover_image_id"] is not None:
                    covers[g["cover_image_id"]].append(g["id"])
                scene_links += len(g["scene_ids"])
            self.hand_over("gallery", ("galleries", "Galleries"), records)
            self.links("gallery", "gallery", chunk)
            self.progress(len(chunk), "galleries")
        if scene_links:
            self.report.entity("galleries", "Galleries").unmapped["scenes"] += scene_links
        return covers

    def images(self, covers: Mapping[int, list[int]]) -> None:
        galleries = self.ids("gallery")
        for chunk in self.batched(self.reader.images()):
            records = []
            counts = self.report.entity("images", "Images")
            for im in chunk:
                cover_of = galleries(covers.get(im["id"], ()))
                fields = convert.image(im, self.paths, galleries, lambda _ids, c=cover_of: c)
                if fields is None:
                    counts.read += 1
                    counts.statuses[SKIPPED] += 1
                    counts.reasons["the image has no file"] += 1
                    continue
                if fields["missing"]:
                    self.report.missing_files += 1
                records.append((str(im["id"]), fields, f"image {im['id']} ({im['files'][0]['path']})"))
            self.hand_over("image", ("images", "Images"), records)
            self.links("image", "image", chunk)
            self.progress(len(chunk), "images")

    def groups(self) -> None:
        videos = self.ids("video")
        for chunk in self.batched(self.reader.groups()):
            records = []
            for g in chunk:
                unmapped = [
                    name
                    for name, value in (
                        ("sub-groups", g["sub_groups"]),
                        ("tags", g["tag_ids"]),
                        ("studio", g["studio_id"]),
                        ("urls", g["urls"]),
                        ("rating", g["rating"]),
                        ("front image", g["front_image_blob"]),
                        ("back image", g["back_image_blob"]),
                    )
                    if value
                ]
                scene_ids = videos(s["scene_id"] for s in g["scenes"])
                records.append((str(g["id"]), convert.group(g, scene_ids, unmapped), f"group '{g['name']}'"))
            self.hand_over("collection", ("groups", "Groups"), records)
            self.progress(len(chunk), "groups")

    def saved_filters(self) -> None:
        def resolve(entity: str, stash_id: str) -> str | None:
            """A tag, performer, studio or group (→ collection) of the saved filter, here."""
            return self.keys.target({"group": "collection", "movie": "collection"}.get(entity, entity), str(stash_id))

        records = []
        for sf in self.reader.saved_filters():
            if not sf["name"]:  # older Stash kept each list's default filter as a nameless saved filter
                continue
            tree, _kind, problems = rule_tree_from_saved_filter(sf, resolve)
            imported = tree is not None
            self.report.saved_filters.append({"name": sf["name"], "imported": imported, "problems": problems})
            if not imported:
                counts = self.report.entity("saved_filters", "Saved filters")
                counts.read += 1
                counts.statuses[SKIPPED] += 1
                counts.reasons["no rule of ours expresses it"] += 1
                continue
            fields = {
                "name": sf["name"] or f"Saved filter {sf['id']}",
                "description": f"Stash saved filter ({sf['mode']})",
                "mode": "dynamic",
                "rule_tree": tree,
                "items": [],
                "created_at": None,
                "updated_at": None,
                "unmapped_fields": [],
            }
            records.append((f"filter:{sf['id']}", fields, f"saved filter '{sf['name']}'"))
        self.hand_over("collection", ("saved_filters", "Saved filters"), records)

    def run(self) -> Report:
        started = time.monotonic()
        folders = list(self.reader.folders())
        if self.paths.mappings:
            unused = self.paths.unused(f["path"] for f in folders)
            if unused:
                raise ValidationError(
                    f"The mapping of {', '.join(repr(u) for u in unused)} maps nothing: no path in the Stash "
                    "database starts with it.",
                    code="mapping_unused",
                )
        self.roots(folders)
        del folders
        self.tags()
        self.studios()
        self.performers()
        self.scenes()
        self.markers()
        covers = self.galleries()
        self.images(covers)
        self.groups()
        self.saved_filters()
        self.report.seconds = time.monotonic() - started
        return self.report


class FollowUps:
    """The links and stash ids of each scene batch, handed over on a second connection by a thread
    of its own while the next batch of videos is placed and written (they only need their
    videos committed). Batches go in order, at most one waiting behind the running one; a
    failure is raised in the run's thread at the next :meth:`submit` or at the end. A dry run,
    which is one transaction, hands them over in place."""

    def __init__(self, run: Importing) -> None:
        self.run = run
        inline = run.options.dry_run
        self.session = None if inline else Session(bind=run.db.get_bind(), expire_on_commit=False)
        self.pool = None if inline else ThreadPoolExecutor(1, thread_name_prefix="stash-import-links")
        self.waiting: deque[Future[None]] = deque()

    def _hand_over(self, rows: list[dict[str, Any]]) -> None:
        try:
            self.run.links("scene", "video", rows, self.session)
            self.run.stash_ids("scene", "video", rows, self.session)
        except BaseException:
            if self.session is not None:
                self.session.rollback()
            raise

    def submit(self, rows: list[dict[str, Any]]) -> None:
        if self.pool is None:
            self._hand_over(rows)
            return
        while len(self.waiting) > 1:
            self.waiting.popleft().result()
        self.waiting.append(self.pool.submit(self._hand_over, rows))

    def __enter__(self) -> FollowUps:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            while self.waiting:
                future = self.waiting.popleft()
                if exc_type is None:
                    future.result()
                else:  # the run is failing already: let the batch in hand finish, skip the rest
                    future.cancel()
                    wait([future])
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
            if self.session is not None:
                self.session.close()


def import_stash(db: Session, options: ImportOptions, progress: Progress | None = None) -> dict[str, Any]:
    """Import the Stash database ``options.path``; the report (JSON). Raises ``StashDBError``
    subclasses for a file that is not a Stash database we can read, ``ValidationError`` for a
    mapping that maps nothing; batches already committed stay (a re-run resumes)."""
    blobs = options.blobs_path
    if blobs is None:
        beside = Path(options.path).expanduser().parent / "blobs"
        blobs = str(beside) if beside.is_dir() else None
    with open_stash_db(Path(options.path).expanduser(), blobs_path=blobs) as reader:
        run = Importing(db, reader, options, progress)
        try:
            report = run.run()
        except ImportCancelled:
            db.rollback()
            report = run.report
            report.notes.append("Cancelled: what was imported stays; run the import again to go on.")
        except BaseException:
            db.rollback()
            raise
        finally:
            if options.dry_run:
                db.rollback()
        if progress is not None:
            progress(100, "done")
        return report.to_json()
