"""The SDK helpers the media plugins' JSON routes share: uploads (``plugin_sdk.uploads``), playback
history (``plugin_sdk.playback``), list and lookup helpers (``plugin_sdk.rows``, ``plugin_sdk.nesting``),
the editable PATCH fields (``plugin_sdk.edits``) and ``model_from``, with the behaviour the audio,
images and videos copies had."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Integer, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from plugin_sdk.edits import EditableFields
from plugin_sdk.errors import NotFoundError, UnsupportedMediaTypeError, ValidationError
from plugin_sdk.http import ApiModel, model_from
from plugin_sdk.playback import ProgressIn, near_end, record_progress
from plugin_sdk.rows import get_row, parent_filter, sort_order
from plugin_sdk.uploads import claim_name, clean_file_name, read_limited, safe_file_name, save_upload, upload_name


class _Base(DeclarativeBase):
    pass


class _Row(_Base):
    __tablename__ = "sdk_route_rows"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(String(36))
    rating: Mapped[int | None] = mapped_column(Integer)


def _sql(clause: object) -> str:
    return str(clause.compile(dialect=postgresql.dialect()))  # type: ignore[attr-defined]


def test_clean_file_name_keeps_a_safe_base_name() -> None:
    cases = {
        "song.mp3": "song.mp3",
        "C:\\music\\a:b*c.flac": "a b c.flac",
        "../../.hidden.mp3": "hidden.mp3",
        ". dots.jpg": "dots.jpg",
        "..": "",
        "": "",
    }
    assert {sent: clean_file_name(sent) for sent in cases} == cases


def test_safe_file_name_refuses_nothing_left_and_cuts_long_names() -> None:
    with pytest.raises(ValidationError, match=re.escape("That file name cannot be used.")):
        safe_file_name("/.../")
    assert safe_file_name("x" * 300 + ".jpg") == "x" * 200


def test_upload_name_refuses_other_kinds_naming_the_file() -> None:
    def is_mp3(name: str) -> bool:
        return name.endswith(".mp3")

    assert upload_name(FileStorage(io.BytesIO(b""), filename="dir/a.mp3"), is_mp3, "an audio file") == "a.mp3"
    with pytest.raises(UnsupportedMediaTypeError, match=re.escape("'a.txt' is not an audio file Obscura indexes.")):
        upload_name(FileStorage(io.BytesIO(b""), filename="a.txt"), is_mp3, "an audio file")
    with pytest.raises(UnsupportedMediaTypeError, match=re.escape("'..' is not")):
        upload_name(FileStorage(io.BytesIO(b""), filename=".."), is_mp3, "an audio file")


def test_claim_name_and_save_upload_never_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a.mp3").write_bytes(b"old")
    tmp = tmp_path / ".upload"
    tmp.write_bytes(b"new")
    assert claim_name(tmp_path, "a.mp3", tmp) == tmp_path / "a (2).mp3"
    saved = save_upload(FileStorage(io.BytesIO(b"third"), filename="a.mp3"), tmp_path, "a.mp3", ".part")
    assert saved == tmp_path / "a (3).mp3" and saved.read_bytes() == b"third"
    assert (tmp_path / "a.mp3").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".upload", "a (2).mp3", "a (3).mp3", "a.mp3"]


def test_read_limited_refuses_one_byte_too_many() -> None:
    assert read_limited(io.BytesIO(b"12345"), 5, "too big") == b"12345"
    with pytest.raises(ValidationError, match="too big"):
        read_limited(io.BytesIO(b"123456"), 5, "too big")


@pytest.mark.parametrize(
    ("duration", "position", "finished"),
    [(None, 50.0, False), (0.0, 5.0, False), (100.0, 94.0, False), (100.0, 95.5, True), (20.0, 19.5, True)],
)
def test_near_end_is_the_last_five_seconds_or_five_percent(
    duration: float | None, position: float, finished: bool
) -> None:
    assert near_end(duration, position) is finished


def test_record_progress_forgets_a_finished_position_and_adds_played_time() -> None:
    committed = []
    db = SimpleNamespace(commit=lambda: committed.append(True))
    row = SimpleNamespace(duration=100.0, resume_time=10.0, play_duration=5.0)
    assert record_progress(db, row, ProgressIn(resume_time=40, played_seconds=3)) == {  # type: ignore[arg-type]
        "resumeTime": 40,
        "playDuration": 8.0,
    }
    assert record_progress(db, row, ProgressIn(resume_time=99)) == {"resumeTime": None, "playDuration": 8.0}  # type: ignore[arg-type]
    assert committed == [True, True]


def test_editable_fields_validate_like_the_media_patch_bodies() -> None:
    class ClipPatch(EditableFields):
        pass

    body = ClipPatch.model_validate({"title": "A", "date": "2024-01-31", "rating": 100, "isNsfw": True})
    assert body.model_dump(exclude_unset=True) == {"title": "A", "date": "2024-01-31", "rating": 100, "is_nsfw": True}
    for bad in ({"title": ""}, {"date": "31.01.2024"}, {"rating": 101}, {"details": "x" * 20001}, {"other": 1}):
        with pytest.raises(PydanticValidationError):
            ClipPatch.model_validate(bad)


def test_model_from_reads_same_named_attributes_and_values_win() -> None:
    class Out(ApiModel):
        id: str
        rating: int | None
        url: str
        created_at: datetime

    row = SimpleNamespace(id="r1", rating=None, url="ignored", created_at=datetime(2024, 1, 1), other=1)
    out = model_from(Out, row, url="/api/r1")
    assert out.model_dump() == {"id": "r1", "rating": None, "url": "/api/r1", "created_at": datetime(2024, 1, 1)}


def test_get_row_answers_404_for_unknown_and_overlong_ids() -> None:
    looked_up = []
    db = SimpleNamespace(
        get=lambda model, row_id: looked_up.append(row_id) or ({"id": row_id} if row_id == "a" else None)
    )
    assert get_row(db, _Row, "a", "none") == {"id": "a"}  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match=re.escape("No row 'b'.")):
        get_row(db, _Row, "b", "No row 'b'.")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        get_row(db, _Row, "x" * 65, "too long")  # type: ignore[arg-type]
    assert looked_up == ["a", "b"]


def test_sort_order_follows_order_else_the_descending_sorts_with_empty_values_last() -> None:
    assert _sql(sort_order(_Row.rating, "rating", None, ("rating",))) == "sdk_route_rows.rating DESC NULLS LAST"
    assert _sql(sort_order(_Row.rating, "rating", "asc", ("rating",))) == "sdk_route_rows.rating ASC NULLS LAST"
    assert _sql(sort_order(_Row.rating, "title", None, ("rating",))) == "sdk_route_rows.rating ASC NULLS LAST"
    assert _sql(sort_order(_Row.rating, "title", "desc")) == "sdk_route_rows.rating DESC NULLS LAST"


def test_parent_filter_takes_none_for_the_top_level() -> None:
    assert parent_filter(_Row.parent_id, None) == [] and parent_filter(_Row.parent_id, "") == []
    assert _sql(parent_filter(_Row.parent_id, "none")[0]) == "sdk_route_rows.parent_id IS NULL"
    assert _sql(parent_filter(_Row.parent_id, "p1")[0]).startswith("sdk_route_rows.parent_id = %(parent_id_1)s")
