"""Pure parts of contributing back: durations as Stash submits them, the multipart body, cover
images, the draft's URL and telling a server without the batch mutation."""

from __future__ import annotations

import base64
import json

import pytest

from plugin_sdk.errors import ValidationError
from plugins_builtin.stashbox.client import NotGraphQL, StashBoxError, multipart_body
from plugins_builtin.stashbox.drafts import decode_image, draft_url
from plugins_builtin.stashbox.submissions import batch_unsupported, file_duration, sent_fingerprints, whole_seconds
from tests.fixtures.stashbox.server import _mapped, _multipart


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [(1800.7, 1800), (1800.2, 1800), (59.999, 59), (0.4, 1), (1, 1), (0, None), (0.0, None), (-3, None), (None, None),
     ("12", None), (True, None)],
)  # fmt: skip
def test_whole_seconds_truncate_as_stash_does(duration: object, seconds: int | None) -> None:
    assert whole_seconds(duration) == seconds


def test_the_fragments_duration_and_fingerprints() -> None:
    fragment = {"files": [{"duration": 61.9, "fingerprints": [
        {"type": "oshash", "fingerprint": "00000000000000a1"}, {"type": "md5", "fingerprint": "f" * 32},
        {"type": "phash", "fingerprint": "000000000000beef"}]}]}  # fmt: skip
    assert file_duration(fragment) == 61 and file_duration({"files": []}) is None
    assert [(f.algorithm, f.hash) for f in sent_fingerprints(fragment)] == [
        ("OSHASH", "00000000000000a1"), ("PHASH", "beef"), ("MD5", "f" * 32)]  # fmt: skip
    assert [f.algorithm for f in sent_fingerprints(fragment, md5=False)] == ["OSHASH", "PHASH"]


def test_the_multipart_body_is_what_the_spec_reads() -> None:
    operations = json.dumps({"query": "mutation", "variables": {"input": {"title": "x", "image": None}},
                             "operationName": ""})  # fmt: skip
    body, content_type = multipart_body([("operations", None, operations.encode()),
                                         ("map", None, b'{ "0": ["variables.input.image"] }'),
                                         ("0", "draft", b"\x89PNG\r\n\x1a\n--not-a-boundary\r\n")])  # fmt: skip
    assert content_type.startswith("multipart/form-data; boundary=")
    form, files = _multipart(content_type, body)
    assert form == {"operations": operations, "map": '{ "0": ["variables.input.image"] }'}
    assert files["0"].filename == "draft" and files["0"].data == b"\x89PNG\r\n\x1a\n--not-a-boundary\r\n"
    assert files["0"].content_type == "application/octet-stream"
    payload = _mapped(json.loads(operations), form["map"], files)
    assert payload["variables"]["input"]["image"] is files["0"]
    with pytest.raises(ValueError, match="does not hold null"):
        _mapped({"variables": {"input": {}}}, form["map"], files)


def test_cover_images() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    assert decode_image(base64.b64encode(png).decode()) == png
    assert decode_image("data:image/png;base64," + base64.b64encode(png).decode()) == png
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8 "
    assert decode_image(base64.b64encode(webp).decode()) == webp
    for bad in ("not base64!", base64.b64encode(b"<svg/>").decode()):
        with pytest.raises(ValidationError):
            decode_image(bad)


def test_the_drafts_page() -> None:
    assert draft_url("https://stashdb.org/graphql", "abc") == "https://stashdb.org/drafts/abc"
    assert draft_url("https://box.example/sub/graphql/", "abc") == "https://box.example/sub/drafts/abc"


def test_a_server_without_the_batch_mutation_is_told_by_its_validation_error() -> None:
    assert batch_unsupported(NotGraphQL('Box is a GraphQL server without the stash-box fields: Cannot query field '
                                        '"submitFingerprints" on type "Mutation".', code="not_stashbox"))  # fmt: skip
    assert batch_unsupported(NotGraphQL('x: Unknown type "FingerprintBatchSubmission".', code="not_stashbox"))
    assert not batch_unsupported(NotGraphQL('x: Cannot query field "submitFingerprint" on type "Mutation".',
                                            code="not_stashbox"))  # fmt: skip
    assert not batch_unsupported(StashBoxError("Box answered with an error: scene not found", code="graphql_error"))
    assert not batch_unsupported(NotGraphQL("Box answered an HTML page", code="not_graphql"))
