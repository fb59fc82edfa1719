"""The GraphQL documents sent to a stash-box, as Stash sends them (``graphql/stash-box/query.graphql``).

Each operation is sent with exactly the fragments it uses (a GraphQL server refuses a document
holding a fragment it does not use). :func:`document` assembles them; :data:`OPERATIONS` names
every operation this plugin sends.
"""

from __future__ import annotations

import re
from functools import cache

FRAGMENTS: dict[str, str] = {
    "URLFragment": "fragment URLFragment on URL { url type }",
    "ImageFragment": "fragment ImageFragment on Image { id url width height }",
    "StudioFragment": (
        "fragment StudioFragment on Studio { name id aliases urls { ...URLFragment } parent { name id } "
        "images { ...ImageFragment } }"
    ),
    "TagFragment": "fragment TagFragment on Tag { name id }",
    "MeasurementsFragment": "fragment MeasurementsFragment on Measurements { band_size cup_size waist hip }",
    "BodyModificationFragment": "fragment BodyModificationFragment on BodyModification { location description }",
    "PerformerFragment": (
        "fragment PerformerFragment on Performer { id name disambiguation aliases gender merged_ids deleted "
        "merged_into_id urls { ...URLFragment } images { ...ImageFragment } birth_date death_date ethnicity "
        "country eye_color hair_color height measurements { ...MeasurementsFragment } breast_type "
        "career_start_year career_end_year tattoos { ...BodyModificationFragment } "
        "piercings { ...BodyModificationFragment } }"
    ),
    "PerformerAppearanceFragment": (
        "fragment PerformerAppearanceFragment on PerformerAppearance { as performer { ...PerformerFragment } }"
    ),
    "FingerprintFragment": "fragment FingerprintFragment on Fingerprint { algorithm hash duration }",
    "SceneFragment": (
        "fragment SceneFragment on Scene { id title code details director duration date urls { ...URLFragment } "
        "images { ...ImageFragment } studio { ...StudioFragment } tags { ...TagFragment } "
        "performers { ...PerformerAppearanceFragment } fingerprints { ...FingerprintFragment } }"
    ),
}

OPERATIONS: dict[str, str] = {
    "Me": "query Me { me { name } }",
    "FindScenesBySceneFingerprints": (
        "query FindScenesBySceneFingerprints($fingerprints: [[FingerprintQueryInput!]!]!) "
        "{ findScenesBySceneFingerprints(fingerprints: $fingerprints) { ...SceneFragment } }"
    ),
    "FindSceneByID": "query FindSceneByID($id: ID!) { findScene(id: $id) { ...SceneFragment } }",
    "SearchScene": "query SearchScene($term: String!) { searchScene(term: $term) { ...SceneFragment } }",
    "FindPerformerByID": "query FindPerformerByID($id: ID!) { findPerformer(id: $id) { ...PerformerFragment } }",
    "SearchPerformer": (
        "query SearchPerformer($term: String!) { searchPerformer(term: $term) { ...PerformerFragment } }"
    ),
    "FindStudio": (
        "query FindStudio($id: ID, $name: String) { findStudio(id: $id, name: $name) { ...StudioFragment } }"
    ),
    "FindTag": "query FindTag($id: ID, $name: String) { findTag(id: $id, name: $name) { ...TagFragment } }",
    "QueryTags": (
        "query QueryTags($input: TagQueryInput!) { queryTags(input: $input) { count tags { ...TagFragment } } }"
    ),
    "SubmitFingerprint": (
        "mutation SubmitFingerprint($input: FingerprintSubmission!) { submitFingerprint(input: $input) }"
    ),
    "SubmitFingerprints": (
        "mutation SubmitFingerprints($input: [FingerprintBatchSubmission!]!) "
        "{ submitFingerprints(input: $input) { scene_id hash error } }"
    ),
    "SubmitSceneDraft": (
        "mutation SubmitSceneDraft($input: SceneDraftInput!) { submitSceneDraft(input: $input) { id } }"
    ),
}
"""Every operation sent. ``SubmitFingerprint`` and ``SubmitSceneDraft`` are Stash's documents;
``SubmitFingerprints`` is stash-box's batch mutation ("batch submit up to 1000 fingerprint
matches", ``FingerprintBatchSubmission {scene_id, hash, algorithm, duration}`` answered with
``FingerprintSubmissionResult {scene_id, hash, error}`` per item, in order), which older servers
lack."""

_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)")


def _used(text: str) -> list[str]:
    """The fragments ``text`` spreads, with those they spread in turn, each once, in order."""
    found: list[str] = []
    pending = _SPREAD.findall(text)
    while pending:
        name = pending.pop(0)
        if name not in found:
            found.append(name)
            pending.extend(_SPREAD.findall(FRAGMENTS[name]))
    return found


@cache
def document(operation: str) -> str:
    """The full document of ``operation`` (a key of :data:`OPERATIONS`): the operation, then
    each fragment it uses, one definition per line."""
    text = OPERATIONS[operation]
    return "\n".join([text, *(FRAGMENTS[name] for name in _used(text))])
