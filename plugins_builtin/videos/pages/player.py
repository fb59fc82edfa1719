"""The video page ``/videos/<video_id>``: the player, markers, subtitles/transcript, facts and editing.

The page is rendered completely on the server (title, poster, facts, markers, episode navigation),
so it reads well before ``player.js`` runs; the script then takes the embedded video detail (the
same shape as ``GET /api/videos/<id>``) and the library's playback/subtitle settings and builds the
player. Deciding between direct play and HLS happens in the browser (``canPlayType``), not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.pages import page_panels
from plugin_sdk.settings import read_settings
from plugins_builtin.videos.models import Video, VideoSeries
from plugins_builtin.videos.routes.serialize import VideoDetail, detail
from plugins_builtin.videos.settings import PLAYBACK

PLAYER_TEMPLATE = "videos/player.html"
MISSING_TEMPLATE = "videos/player_missing.html"


@dataclass(frozen=True)
class Fact:
    """One row of the Details list: ``label`` → ``value`` (``mono`` for hashes and paths)."""

    label: str
    value: str
    mono: bool = False
    key: str = ""
    iso: str | None = None  # a timestamp the browser may show in the local time zone


@dataclass(frozen=True)
class EpisodeLink:
    id: str
    title: str
    code: str  # "S01E02"

    @property
    def href(self) -> str:
        return f"/videos/{self.id}"


# ------------------------------------------------------------------------------------------ formatting


def format_duration(seconds: float | None) -> str:
    """``83`` → ``1:23``, ``3723`` → ``1:02:03`` (as the browser's ``formatDuration``)."""
    if seconds is None or seconds < 0:
        return ""
    total = int(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_bytes(size: int | None) -> str:
    """Decimal units, as the browser's ``formatBytes``: ``1_234_567`` → ``1.2 MB``."""
    if size is None:
        return ""
    units = ("B", "KB", "MB", "GB", "TB")
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value /= 1000
        unit += 1
    return f"{value:.1f} {units[unit]}" if unit and value < 10 else f"{value:.0f} {units[unit]}"


def format_bit_rate(bps: int | None) -> str:
    if not bps:
        return ""
    if bps >= 1_000_000:
        return f"{bps / 1_000_000:.1f} Mb/s"
    return f"{bps / 1000:.0f} kb/s"


def format_frame_rate(fps: float | None) -> str:
    if not fps:
        return ""
    text = f"{fps:.3f}".rstrip("0").rstrip(".")
    return f"{text} fps"


def resolution_label(width: int | None, height: int | None) -> str:
    """The usual name of a picture size: ``720p``, ``1080p``, ``4K`` (by its short side)."""
    if not width or not height:
        return ""
    short = min(width, height)
    if short >= 2000:
        return "8K" if short >= 4000 else "4K"
    return f"{short}p"


def format_timestamp(value: datetime | None) -> tuple[str, str | None]:
    """``(text, iso)``; the text is UTC, the page script rewrites it in the viewer's time zone."""
    if value is None:
        return "", None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%d %H:%M UTC"), utc.isoformat()


def episode_code(season: int | None, episode: int | None, episode_end: int | None = None) -> str:
    if episode is None:
        return f"Season {season}" if season is not None else ""
    code = f"E{episode:02d}" + (f"–E{episode_end:02d}" if episode_end and episode_end != episode else "")
    return (f"S{season:02d}" if season is not None else "") + code


def codec_label(codec: str | None) -> str:
    names = {"h264": "H.264", "hevc": "HEVC (H.265)", "av1": "AV1", "vp9": "VP9", "vp8": "VP8", "aac": "AAC",
             "mp3": "MP3", "opus": "Opus", "vorbis": "Vorbis", "ac3": "AC-3", "eac3": "E-AC-3", "flac": "FLAC",
             "dts": "DTS", "truehd": "TrueHD", "mpeg4": "MPEG-4 Part 2"}  # fmt: skip
    if not codec:
        return ""
    return names.get(codec.lower(), codec)


def container_label(container: str | None) -> str:
    names = {"mp4": "MP4", "mov": "QuickTime (MOV)", "matroska": "Matroska (MKV)", "webm": "WebM", "avi": "AVI",
             "mpegts": "MPEG-TS", "asf": "ASF (WMV)", "flv": "Flash (FLV)", "mpeg": "MPEG-PS"}  # fmt: skip
    if not container:
        return ""
    return names.get(container.lower(), container.upper())


# ------------------------------------------------------------------------------------------ page data


def facts(data: VideoDetail) -> list[Fact]:
    """The Details list, in reading order; empty values are left out."""
    size = format_bytes(data.file_size)
    if data.file_size:
        size = f"{size} ({data.file_size:,} bytes)"
    resolution = ""
    if data.width and data.height:
        resolution = f"{data.width} × {data.height} · {resolution_label(data.width, data.height)}"
    added, added_iso = format_timestamp(data.created_at)
    updated, updated_iso = format_timestamp(data.updated_at)
    last, last_iso = format_timestamp(data.last_played_at)
    plays = str(data.play_count)
    rows = [
        Fact("File", data.file_path, mono=True, key="filePath"),
        Fact("Size", size, key="fileSize"),
        Fact("Duration", format_duration(data.duration), key="duration"),
        Fact("Resolution", resolution, key="resolution"),
        Fact("Frame rate", format_frame_rate(data.frame_rate), key="frameRate"),
        Fact("Bit rate", format_bit_rate(data.bit_rate), key="bitRate"),
        Fact("Container", container_label(data.container), key="container"),
        Fact("Video codec", codec_label(data.video_codec), key="videoCodec"),
        Fact("Audio codec", codec_label(data.audio_codec) or ("none" if data.video_codec else ""), key="audioCodec"),
        Fact("MD5", data.md5 or "", mono=True, key="md5"),
        Fact("OSHash", data.oshash or "", mono=True, key="oshash"),
        Fact("pHash", data.phash or "", mono=True, key="phash"),
        Fact("Added", added, key="createdAt", iso=added_iso),
        Fact("Updated", updated, key="updatedAt", iso=updated_iso),
        Fact("Plays", plays, key="playCount"),
        Fact("Watched", format_duration(data.play_duration) if data.play_duration else "", key="playDuration"),
        Fact("Last played", last, key="lastPlayedAt", iso=last_iso),
    ]
    return [f for f in rows if f.value]


def episode_neighbours(db: Session, video: Video) -> tuple[EpisodeLink | None, EpisodeLink | None]:
    """The previous and next episode of the same series (by season, episode, title)."""
    if video.kind != "episode" or not video.series_id:
        return None, None
    rows = db.execute(
        select(Video.id, Video.title, Video.season_number, Video.episode_number, Video.episode_end)
        .where(Video.series_id == video.series_id, Video.kind == "episode")
        .order_by(
            Video.season_number.asc().nulls_last(),
            Video.episode_number.asc().nulls_last(),
            Video.sort_title,
            Video.id,
        )
    ).all()
    ids = [r.id for r in rows]
    if video.id not in ids:
        return None, None
    at = ids.index(video.id)

    def link(index: int) -> EpisodeLink | None:
        if not 0 <= index < len(rows):
            return None
        r = rows[index]
        return EpisodeLink(r.id, r.title, episode_code(r.season_number, r.episode_number, r.episode_end))

    return link(at - 1), link(at + 1)


def player_settings(db: Session) -> dict[str, Any]:
    """The library settings the player honours (camelCase, as the settings API spells them)."""
    s = read_settings(db, PLAYBACK)
    languages: list[str] = []
    for part in (s.subtitles_preferred_languages or "").split(","):
        if part.strip() and canonical_language(part) not in languages:
            languages.append(canonical_language(part))
    return {
        "defaultPlaybackMode": s.default_playback_mode if s.default_playback_mode in ("direct", "hls") else "direct",
        "subtitlesAutoEnable": bool(s.subtitles_auto_enable),
        "subtitlesPreferredLanguages": languages,  # canonical: "eng" and "en" are both "en"
        "subtitleStyle": s.subtitle_style or "stylized",
        "subtitleFontScale": float(s.subtitle_font_scale or 1.0),
        "subtitlePositionPercent": int(s.subtitle_position_percent if s.subtitle_position_percent is not None else 88),
        "subtitleOpacity": float(s.subtitle_opacity if s.subtitle_opacity is not None else 1.0),
    }


# ISO 639-1 code, 639-2/T, 639-2/B (when different), English name: enough to match a preferred
# language written either way ("en" ↔ "eng", "de" ↔ "deu" ↔ "ger") and to name a track.
_LANGUAGES = """
af afr - Afrikaans|sq sqi alb Albanian|ar ara - Arabic|hy hye arm Armenian|eu eus baq Basque|be bel - Belarusian
bn ben - Bengali|bs bos - Bosnian|bg bul - Bulgarian|ca cat - Catalan|zh zho chi Chinese|hr hrv - Croatian
cs ces cze Czech|da dan - Danish|nl nld dut Dutch|en eng - English|et est - Estonian|fi fin - Finnish
fr fra fre French|gl glg - Galician|ka kat geo Georgian|de deu ger German|el ell gre Greek|he heb - Hebrew
hi hin - Hindi|hu hun - Hungarian|is isl ice Icelandic|id ind - Indonesian|ga gle - Irish|it ita - Italian
ja jpn - Japanese|ko kor - Korean|la lat - Latin|lv lav - Latvian|lt lit - Lithuanian|mk mkd mac Macedonian
ms msa may Malay|no nor - Norwegian|nb nob - Norwegian Bokmål|nn nno - Norwegian Nynorsk|fa fas per Persian
pl pol - Polish|pt por - Portuguese|ro ron rum Romanian|ru rus - Russian|sr srp - Serbian|sk slk slo Slovak
sl slv - Slovenian|es spa - Spanish|sw swa - Swahili|sv swe - Swedish|tl tgl - Tagalog|ta tam - Tamil
te tel - Telugu|th tha - Thai|tr tur - Turkish|uk ukr - Ukrainian|ur urd - Urdu|vi vie - Vietnamese
cy cym wel Welsh
"""
LANGUAGE_NAMES: dict[str, str] = {}
LANGUAGE_CANONICAL: dict[str, str] = {}
for _entry in _LANGUAGES.replace("\n", "|").split("|"):
    if _entry.strip():
        _one, _t, _b, _name = _entry.split(maxsplit=3)
        LANGUAGE_NAMES[_one] = _name
        for _code in (_one, _t, _b):
            if _code != "-":
                LANGUAGE_CANONICAL[_code] = _one


def canonical_language(tag: str | None) -> str:
    """``eng`` → ``en``, ``ger`` → ``de``, ``pt-BR`` → ``pt-br``; unknown codes stay as they are."""
    tag = (tag or "und").strip().lower().replace("_", "-") or "und"
    base, _, region = tag.partition("-")
    base = LANGUAGE_CANONICAL.get(base, base)
    return f"{base}-{region}" if region else base


def language_name(tag: str | None) -> str:
    """``eng`` → ``English``, ``pt-br`` → ``Portuguese (BR)``, ``und`` → ``Unknown language``."""
    canon = canonical_language(tag)
    base, _, region = canon.partition("-")
    if base == "und":
        return "Unknown language"
    name = LANGUAGE_NAMES.get(base, base)
    return f"{name} ({region.upper()})" if region else name


def subtitle_title(track: Any) -> str:
    """``English — Director's commentary (sidecar)``: what the captions menu and transcript show."""
    name = language_name(track.language)
    parts = [name]
    if track.label and track.label.strip().lower() != name.lower():
        parts.append(track.label.strip())
    text = " — ".join(parts)
    flags = [track.source] + (["forced"] if track.forced else [])
    return f"{text} ({', '.join(flags)})"


def render_player(video_id: str) -> tuple[str, int]:
    db = get_db()
    video = db.get(Video, video_id) if len(video_id) <= 64 else None
    if video is None:
        return render_template(MISSING_TEMPLATE, video_id=video_id), 404
    data = detail(db, video)
    series = db.get(VideoSeries, video.series_id) if video.series_id else None
    prev_ep, next_ep = episode_neighbours(db, video)
    if data.parts:  # a stacked movie plays on into its next part
        ids = [p.id for p in data.parts]
        at = ids.index(video.id) if video.id in ids else -1
        if 0 <= at < len(ids) - 1:
            following = data.parts[at + 1]
            next_ep = EpisodeLink(following.id, data.title, following.label)
    payload = data.model_dump(mode="json", by_alias=True)
    settings = player_settings(db)
    tracks = [
        {
            "id": t.id,
            "url": t.url,
            "cuesUrl": t.cues_url,
            "language": t.language,
            "srclang": canonical_language(t.language),
            "label": subtitle_title(t),
            "isDefault": t.is_default,
            "forced": t.forced,
        }
        for t in data.subtitles
    ]
    payload["tracks"] = tracks
    # Panels other plugins contribute to a video page (``obscura_panels("video")``: "People & tags"…)
    return render_template(
        PLAYER_TEMPLATE,
        video=data,
        payload=payload,
        settings=settings,
        facts=facts(data),
        series=series,
        series_title=(series.custom_name or series.title) if series else None,
        episode_code=episode_code(data.season_number, data.episode_number, data.episode_end)
        if data.kind == "episode"
        else "",
        prev_episode=prev_ep,
        next_episode=next_ep,
        duration_text=format_duration(data.duration),
        resolution=resolution_label(data.width, data.height),
        size_text=format_bytes(data.file_size),
        tracks=tracks,
        format_duration=format_duration,
        panels=page_panels("video", data.id),
    ), 200


def register(bp: Blueprint) -> None:
    """Add ``/videos/<video_id>`` to the pages blueprint."""

    @bp.get("/videos/<video_id>")
    def video_page(video_id: str):
        return render_player(video_id)
