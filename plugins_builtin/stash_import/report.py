"""The import's report: counts per entity (read, created, merged, updated, unchanged, skipped with
reasons), fields that have no home here, paths that did not map, roots created, saved filters that
could not become collections; as JSON for the API and the UI, as text for the CLI."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from plugin_sdk.imports import CREATED, MERGED, SKIPPED, UNCHANGED, UPDATED, ImportOutcome

STATUSES = (CREATED, MERGED, UPDATED, UNCHANGED, SKIPPED)
LIST_LIMIT = 50
"""Warnings, missing folders and such listed in full up to this many each."""


@dataclass
class EntityCounts:
    """The counts of one Stash entity (``scenes``, ``performers``…)."""

    label: str
    read: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "read": self.read,
            **{s: self.statuses[s] for s in STATUSES},
            "skippedReasons": dict(self.reasons.most_common(LIST_LIMIT)),
            "unmappedFields": dict(sorted(self.unmapped.items())),
        }


@dataclass
class Report:
    """Everything an import run tells the user."""

    path: str
    dry_run: bool
    schema_version: int = 0
    entities: dict[str, EntityCounts] = field(default_factory=dict)
    roots_created: list[str] = field(default_factory=list)
    roots_used: list[str] = field(default_factory=list)
    missing_folders: list[dict[str, str]] = field(default_factory=list)
    unmapped_paths: Counter[str] = field(default_factory=Counter)
    missing_files: int = 0
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    saved_filters: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def merge(self, other: Report) -> None:
        """Add the counts, warnings and notes of ``other`` (a part of the run made elsewhere)."""
        for name, theirs in other.entities.items():
            ours = self.entity(name, theirs.label)
            ours.read += theirs.read
            ours.statuses.update(theirs.statuses)
            ours.reasons.update(theirs.reasons)
            ours.unmapped.update(theirs.unmapped)
        self.unmapped_paths.update(other.unmapped_paths)
        self.missing_files += other.missing_files
        for message in other.warnings:
            self.warn(message)
        self.warning_count += other.warning_count - len(other.warnings)
        self.notes.extend(other.notes)

    def entity(self, name: str, label: str) -> EntityCounts:
        found = self.entities.get(name)
        if found is None:
            found = self.entities[name] = EntityCounts(label)
        return found

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < LIST_LIMIT:
            self.warnings.append(message)

    def record(self, name: str, label: str, outcome: ImportOutcome, what: str) -> None:
        """Count one outcome of entity ``name``; ``what`` names the row in warnings."""
        counts = self.entity(name, label)
        counts.statuses[outcome.status] += 1
        if outcome.status == SKIPPED:
            counts.reasons[outcome.reason or "no reason given"] += 1
        for f in outcome.unmapped:
            counts.unmapped[f] += 1
        for w in outcome.warnings:
            self.warn(f"{what}: {w}")

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "dryRun": self.dry_run,
            "schemaVersion": self.schema_version,
            "entities": {k: v.to_json() for k, v in self.entities.items()},
            "rootsCreated": self.roots_created,
            "rootsUsed": self.roots_used,
            "missingFolders": self.missing_folders[:LIST_LIMIT],
            "unmappedPaths": dict(self.unmapped_paths.most_common(LIST_LIMIT)),
            "missingFiles": self.missing_files,
            "warnings": self.warnings,
            "warningCount": self.warning_count,
            "savedFilters": self.saved_filters,
            "notes": self.notes,
            "seconds": round(self.seconds, 2),
        }


def render_text(report: dict[str, Any]) -> str:
    """The report as the CLI prints it (from :meth:`Report.to_json`)."""
    lines = [
        f"{'Dry run (nothing written)' if report['dryRun'] else 'Imported'}: {report['path']} "
        f"(Stash schema {report['schemaVersion']}) in {report['seconds']} s",
        "",
        f"{'':14} {'read':>8} {'created':>8} {'merged':>8} {'updated':>8} {'same':>8} {'skipped':>8}",
    ]
    for e in report["entities"].values():
        lines.append(
            f"{e['label']:14} {e['read']:>8} {e['created']:>8} {e['merged']:>8} {e['updated']:>8} "
            f"{e['unchanged']:>8} {e['skipped']:>8}"
        )
    for e in report["entities"].values():
        for reason, n in e["skippedReasons"].items():
            lines.append(f"  {e['label']} skipped: {n} × {reason}")
    unmapped = [(e["label"], f, n) for e in report["entities"].values() for f, n in e["unmappedFields"].items()]
    if unmapped:
        lines += ["", "Fields with no home in Obscura (kept in the report only):"]
        lines += [f"  {label}.{f}: {n}" for label, f, n in unmapped]
    if report["rootsCreated"]:
        lines += ["", "Library roots created:"] + [f"  {p}" for p in report["rootsCreated"]]
    if report["missingFolders"]:
        lines += ["", "Stash folders not found here (map them with --map OLD=NEW):"]
        lines += [f"  {m['stash']} → {m['here']}" for m in report["missingFolders"]]
    if report["unmappedPaths"]:
        lines += ["", "Files under no library root, by Stash folder:"]
        lines += [f"  {p}: {n}" for p, n in report["unmappedPaths"].items()]
    if report["missingFiles"]:
        lines += ["", f"{report['missingFiles']} files are not on disk: imported as missing."]
    if report["savedFilters"]:
        lines.append("")
    for sf in report["savedFilters"]:
        head = f"Saved filter '{sf['name']}'" + (" → dynamic collection" if sf["imported"] else ": not imported")
        lines.append(head)
        lines += [f"  {p}" for p in sf["problems"]]
    if report["notes"]:
        lines += [""] + report["notes"]
    if report["warningCount"]:
        lines += ["", f"Warnings ({report['warningCount']}):"] + [f"  {w}" for w in report["warnings"]]
    return "\n".join(lines)
