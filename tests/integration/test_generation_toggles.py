"""The generation switches decide what a scan queues; a request by hand runs anyway.

Each test scans one small real library (two tiny videos, one with a sidecar subtitle, an audio
track and two images) with every built-in loaded, one switch turned off through the API, and checks
that the work it governs was neither queued nor done while everything else was; then that the
explicit request for that work (a queue's Run missing, Rebuild previews, pHash backfill) still does
it. The baseline test scans with every switch on and checks that all of it happened.

| switch (API key)            | governs, when a scan or a finished job queues work                  |
|-----------------------------|---------------------------------------------------------------------|
| autoGenerateMetadata        | media-probe (videos), audio-probe; what follows a probe waits too    |
| autoGenerateFingerprints    | fingerprint (videos), audio-fingerprint, image-fingerprint          |
| autoGeneratePreview         | preview (videos), audio-waveform, image-thumbnail                   |
| generateTrickplay (videos)  | the trickplay part of the preview job (skipped, recorded)           |
| generatePhash (videos)      | the pHash part of the fingerprint job (skipped, recorded)           |
| generateSubtitles (videos)  | extract-subtitles                                                   |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from plugins_builtin.audio import assets as audio_assets
from plugins_builtin.audio.models import AudioTrack
from plugins_builtin.images import assets as image_assets
from plugins_builtin.images.models import Image
from plugins_builtin.videos import assets as video_assets
from plugins_builtin.videos.models import Video, VideoSubtitle
from tests.integration.audio.media import tone
from tests.integration.images.media import picture, write_jpeg
from tests.integration.videos.media import SRT_EN, MediaCache, make_h264_mp4

pytestmark = pytest.mark.integration

VIDEO_QUEUES = ("media-probe", "fingerprint", "preview", "extract-subtitles")
AUDIO_QUEUES = ("audio-probe", "audio-fingerprint", "audio-waveform")
IMAGE_QUEUES = ("image-thumbnail", "image-fingerprint")
FOLLOW_UP_QUEUES = (*VIDEO_QUEUES, *AUDIO_QUEUES, *IMAGE_QUEUES)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> MediaCache:
    """Tiny files, made once for the module: two different 160x90 clips, a 1 s tone, two pictures."""
    cache = MediaCache(tmp_path_factory.mktemp("toggle-media"))
    cache._cached("a.mp4", lambda p: make_h264_mp4(p, seconds=2, size="160x90"))
    cache._cached("b.mp4", lambda p: make_h264_mp4(p, seconds=1, size="160x90", audio=False))
    cache._cached("tone.mp3", lambda p: tone(p, 1.0, 440))
    for seed in (1, 2):
        cache._cached(f"pic{seed}.jpg", lambda p, s=seed: write_jpeg(p, picture(160, 120, seed=s)))
    return cache


@pytest.fixture
def library(tmp_path: Path, media: MediaCache) -> Path:
    root = tmp_path / "Library"
    media.copy(media.folder / "a.mp4", root / "Alpha (2020).mp4")
    (root / "Alpha (2020).en.srt").write_text(SRT_EN, encoding="utf-8")
    media.copy(media.folder / "b.mp4", root / "Beta (2021).mp4")
    media.copy(media.folder / "tone.mp3", root / "Music" / "Nova" / "First Light" / "01 - Tone.mp3")
    for seed in (1, 2):
        media.copy(media.folder / f"pic{seed}.jpg", root / "Pictures" / "Trip" / f"photo {seed}.jpg")
    return root


# -- helpers -------------------------------------------------------------------------------------


def _put_settings(client, **values: Any) -> None:
    resp = client.put("/api/settings/library", json=values)
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()["data"]
    assert all(data[k] == v for k, v in values.items()), data


def _scan(client, run_jobs, library: Path) -> None:
    resp = client.post("/api/libraries", json={"path": str(library)})
    assert resp.status_code == 201, resp.get_json()
    client.post(f"/api/libraries/{resp.get_json()['data']['id']}/scan", json={})
    run_jobs()


def _runs(client, queue: str) -> list[dict[str, Any]]:
    resp = client.get(f"/api/jobs?queue={queue}&perPage=500")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["data"]["items"]


def _worked(client, queue: str) -> list[dict[str, Any]]:
    """The runs of ``queue`` that did their work (completed, not skipped as a whole)."""
    runs = _runs(client, queue)
    assert all(r["status"] == "completed" for r in runs), [(r["status"], r["error"]) for r in runs]
    return [r for r in runs if not (isinstance(r["result"], dict) and isinstance(r["result"].get("skipped"), str))]


def _run_missing(client, run_jobs, queue: str) -> int:
    resp = client.post(f"/api/jobs/queues/{queue}/run", json={})
    assert resp.status_code == 200, resp.get_json()
    run_jobs()
    return resp.get_json()["data"]["count"]


@dataclass
class Library:
    """What the scan and its jobs left: the rows, and which generated files exist."""

    videos: dict[str, Video]
    tracks: list[AudioTrack]
    images: list[Image]
    subtitles: list[VideoSubtitle]
    files: dict[str, dict[str, bool]] = field(default_factory=dict)

    def has(self, what: str) -> list[bool]:
        """One flag per item that ``what`` applies to: whether that output is there (row and file)."""
        v, t, i, f = list(self.videos.values()), self.tracks, self.images, self.files
        checks: dict[str, list[bool]] = {
            "probe": [x.probed_at is not None and bool(x.duration) for x in (*v, *t)],
            "fingerprint": [bool(x.md5 and x.oshash) for x in (*v, *t, *i)],
            "phash": [x.phash is not None for x in v],
            "preview": [
                x.thumbnail_at is not None and x.preview_at is not None and f[x.id]["thumb"] and f[x.id]["preview"]
                for x in v
            ] + [x.waveform_at is not None and f[x.id]["waveform"] for x in t]
            + [x.thumbnail_at is not None and f[x.id]["grid"] for x in i],
            "trickplay": [x.trickplay_at is not None and f[x.id]["sprite"] and f[x.id]["vtt"] for x in v],
            "subtitles": [all(x.subtitles_at is not None for x in v) and bool(self.subtitles)],
        }  # fmt: skip
        return checks[what]

    def all(self, what: str) -> bool:
        flags = self.has(what)
        return bool(flags) and all(flags)

    def none(self, what: str) -> bool:
        return not any(self.has(what))


def _library(runtime) -> Library:
    with runtime.session() as db:
        videos = {Path(v.file_path).name: v for v in db.execute(select(Video)).scalars()}
        state = Library(
            videos=videos,
            tracks=list(db.execute(select(AudioTrack)).scalars()),
            images=list(db.execute(select(Image)).scalars()),
            subtitles=list(db.execute(select(VideoSubtitle)).scalars()),
        )
        db.expunge_all()
    for v in state.videos.values():
        names = {"thumb": video_assets.THUMB, "preview": video_assets.PREVIEW,
                 "sprite": video_assets.SPRITE, "vtt": video_assets.TRICKPLAY}  # fmt: skip
        state.files[v.id] = {key: video_assets.asset(v.id, name).is_file() for key, name in names.items()}
        stem = Path(v.file_path).with_suffix("")
        # nothing beside the video either (dedicated storage is the default: the cache is the place)
        assert not any(
            Path(f"{stem}-{key}").with_suffix(ext).exists() for key, (_, ext) in video_assets.MOVABLE.items()
        )
    for t in state.tracks:
        state.files[t.id] = {"waveform": audio_assets.track_file(t.id, audio_assets.WAVEFORM).is_file()}
    for i in state.images:
        state.files[i.id] = {"grid": image_assets.asset(i.id, image_assets.GRID).is_file()}
    assert len(state.videos) == 2 and len(state.tracks) == 1 and len(state.images) == 2, state
    return state


def _assert_everything_but(state: Library, *left_out: str) -> None:
    for what in ("probe", "fingerprint", "preview", "trickplay", "phash", "subtitles"):
        if what not in left_out:
            assert state.all(what), f"{what} should have been made: {state.has(what)}"


# -- with every switch on --------------------------------------------------------------------------


def test_every_switch_on_builds_everything(client, runtime, run_jobs, library) -> None:
    _put_settings(client, generatePhash=True)  # the one generation switch that is off by default
    settings = client.get("/api/settings/library").get_json()["data"]
    assert all(settings[k] for k in ("autoGenerateMetadata", "autoGenerateFingerprints", "autoGeneratePreview",
                                     "generateTrickplay", "generateSubtitles"))  # fmt: skip
    _scan(client, run_jobs, library)
    for queue in FOLLOW_UP_QUEUES:
        worked = _worked(client, queue)
        assert worked, f"{queue} should have run"
        assert not any("skippedParts" in (r["result"] or {}) for r in worked), (queue, worked)
    state = _library(runtime)
    _assert_everything_but(state)
    alpha = state.videos["Alpha (2020).mp4"]
    assert [s.video_id for s in state.subtitles] == [alpha.id], "the sidecar subtitle was converted"


# -- one switch off at a time ------------------------------------------------------------------------


def _metadata_off(client, run_jobs, runtime, state: Library) -> None:
    # a scan queues no probe that reads anything (new videos' batches are skipped at once, audio's
    # are not queued), and nothing that follows a probe: the images, which have no probe, go on
    assert not _worked(client, "media-probe") and not _runs(client, "audio-probe")
    for queue in ("fingerprint", "preview", "extract-subtitles", "audio-fingerprint", "audio-waveform"):
        assert not _runs(client, queue), queue
    assert state.none("probe") and state.none("trickplay") and not state.subtitles
    assert all(bool(i.md5) and i.thumbnail_at is not None for i in state.images)
    assert all(v.md5 is None and v.thumbnail_at is None for v in state.videos.values())
    assert all(t.md5 is None and t.waveform_at is None for t in state.tracks)

    # Run missing reads them anyway, and what follows a probe obeys the other (on) switches
    assert _run_missing(client, run_jobs, "media-probe") == 1  # one batch for both videos
    assert _run_missing(client, run_jobs, "audio-probe") == 1
    _assert_everything_but(_library(runtime), "phash")


def _fingerprints_off(client, run_jobs, runtime, state: Library) -> None:
    for queue in ("fingerprint", "audio-fingerprint", "image-fingerprint"):
        assert not _runs(client, queue), queue
    assert state.none("fingerprint") and state.none("phash")
    _assert_everything_but(state, "fingerprint", "phash")

    for queue, count in (("fingerprint", 2), ("audio-fingerprint", 1), ("image-fingerprint", 2)):
        assert _run_missing(client, run_jobs, queue) == count, queue
    assert _library(runtime).all("fingerprint")


def _preview_off(client, run_jobs, runtime, state: Library) -> None:
    # video previews, audio waveforms and image thumbnails alike
    for queue in ("preview", "audio-waveform", "image-thumbnail"):
        assert not _runs(client, queue), queue
    assert state.none("preview") and state.none("trickplay")
    assert all(i.width is None for i in state.images), "an image's size is read with its thumbnail"
    # with no thumbnail to follow, the scan queues the images' fingerprints itself
    assert len(_worked(client, "image-fingerprint")) == 2
    _assert_everything_but(state, "preview", "trickplay", "phash")

    for queue, count in (("preview", 2), ("audio-waveform", 1), ("image-thumbnail", 2)):
        assert _run_missing(client, run_jobs, queue) == count, queue
    after = _library(runtime)
    assert after.all("preview") and after.all("trickplay")


def _trickplay_off(client, run_jobs, runtime, state: Library) -> None:
    # one job makes the thumbnail, the clip and the trickplay: it leaves the trickplay out and says so
    runs = _worked(client, "preview")
    assert len(runs) == 2
    for run in runs:
        assert "trickplay" not in run["result"]["made"], run["result"]
        assert "trickplay is off" in run["result"]["skippedParts"]["trickplay"], run["result"]
    assert state.none("trickplay")
    _assert_everything_but(state, "trickplay", "phash")

    # Run missing has nothing to do (trickplay is not missing while it is off) ...
    assert _run_missing(client, run_jobs, "preview") == 0
    # ... and Rebuild previews on a video, a request by hand, makes it anyway
    beta = state.videos["Beta (2021).mp4"]
    resp = client.post(f"/api/jobs/rebuild-preview/{beta.id}", json={})
    assert resp.status_code == 202, resp.get_json()
    run_jobs()
    after = _library(runtime)
    assert after.has("trickplay") == [v.id == beta.id for v in after.videos.values()]
    assert after.all("preview")


def _phash_off(client, run_jobs, runtime, state: Library) -> None:
    runs = _worked(client, "fingerprint")
    assert len(runs) == 2
    for run in runs:
        assert "phash" not in run["result"] and "pHash is off" in run["result"]["skippedParts"]["phash"]
    assert state.none("phash")
    _assert_everything_but(state, "phash")

    resp = client.post("/api/jobs/phash-backfill", json={})
    assert resp.status_code == 200 and resp.get_json()["data"]["enqueued"] == 2, resp.get_json()
    run_jobs()
    assert _library(runtime).all("phash")


def _subtitles_off(client, run_jobs, runtime, state: Library) -> None:
    assert not _runs(client, "extract-subtitles")
    assert not state.subtitles and all(v.subtitles_at is None for v in state.videos.values())
    _assert_everything_but(state, "subtitles", "phash")

    assert _run_missing(client, run_jobs, "extract-subtitles") == 2
    after = _library(runtime)
    assert after.all("subtitles") and len(after.subtitles) == 1


SWITCHES: dict[str, Callable[..., None]] = {
    "autoGenerateMetadata": _metadata_off,
    "autoGenerateFingerprints": _fingerprints_off,
    "autoGeneratePreview": _preview_off,  # video previews, audio waveforms, image thumbnails
    "generateTrickplay": _trickplay_off,
    "generatePhash": _phash_off,
    "generateSubtitles": _subtitles_off,
}


@pytest.mark.parametrize("switch", list(SWITCHES))
def test_a_switch_that_is_off_queues_nothing_and_run_by_hand_still_works(
    client, runtime, run_jobs, library, switch: str
) -> None:
    _put_settings(client, **{switch: False})
    _scan(client, run_jobs, library)
    SWITCHES[switch](client, run_jobs, runtime, _library(runtime))
