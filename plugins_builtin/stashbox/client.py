"""A small GraphQL client for one stash-box server.

Every request is a JSON ``POST`` to the endpoint with the ``ApiKey`` header (as Stash sends it),
a 30-second timeout, and a token from the endpoint's rate limiter first; a scene draft is a
GraphQL multipart request (``upload``). HTTP 429 and 5xx are retried with exponential backoff,
honouring ``Retry-After`` (a draft only on 429: a server that failed after storing it would
otherwise get it twice). What goes wrong is an
``ObscuraError`` the user can read: a refused key is a 400 (``bad_api_key``); a server that
cannot be reached, answers something that is not GraphQL, lacks the stash-box fields or reports
a GraphQL error is a 502 carrying what it said.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from plugin_sdk.errors import ObscuraError
from plugins_builtin.stashbox.queries import document
from plugins_builtin.stashbox.ratelimit import Limiter

TIMEOUT_S = 30.0
ATTEMPTS = 4
BACKOFF_S = 1.0
MAX_RETRY_AFTER_S = 30.0
MAX_ANSWER_BYTES = 64 * 1024 * 1024
FINGERPRINT_GROUPS = 40
"""Scenes per ``findScenesBySceneFingerprints`` request: stash-box refuses more ("too many scenes")."""
RETRIED = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "Obscura (stash-box client)"
SUBMIT_BATCH_MAX = 1000
"""Items stash-box takes in one ``submitFingerprints``."""
DRAFT_MAP = '{ "0": ["variables.input.image"] }'
"""The multipart ``map`` of a draft with its cover, byte for byte as Stash writes it."""

_REFUSED = re.compile(r"not authori[sz]ed|unauthori[sz]ed|forbidden|api ?key", re.IGNORECASE)
_MISSING_FIELD = re.compile(r"cannot query field|unknown (?:type|argument)", re.IGNORECASE)


class StashBoxError(ObscuraError):
    """The stash-box failed the request (502, with what it said)."""

    status = 502
    code = "stashbox_error"


class BadApiKey(StashBoxError):
    """The server refused the API key (HTTP 401/403 or an "unauthorized" GraphQL error)."""

    status = 400
    code = "bad_api_key"


class Unreachable(StashBoxError):
    """The server could not be reached or did not answer in time."""

    code = "unreachable"


class NotGraphQL(StashBoxError):
    """The server answered something that is not a stash-box GraphQL answer (HTML, other JSON…)."""

    code = "not_graphql"


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """What the client needs of a configured endpoint (no database row)."""

    id: str
    name: str
    url: str
    api_key: str | None = None
    max_requests_per_minute: int = 240
    exclude_tag_patterns: tuple[str, ...] = field(default_factory=tuple)


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """``items`` in consecutive slices of at most ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)]


class StashBoxClient:
    """The operations Stash uses against one endpoint.

    :param limiter: the endpoint's rate limiter (``None``: no limit, for tests of other parts).
    :param attempts: tries per request when the server answers 429/5xx (1: no retry).
    :param backoff_s: the first retry's delay when the server gives no ``Retry-After``; doubled
        for each later one.
    """

    def __init__(
        self,
        endpoint: EndpointConfig,
        *,
        limiter: Limiter | None = None,
        timeout: float = TIMEOUT_S,
        attempts: int = ATTEMPTS,
        backoff_s: float = BACKOFF_S,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.limiter = limiter
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self.session = session or requests.Session()
        self.sleep = sleep

    # ---- transport ------------------------------------------------------------------------------

    def execute(self, operation: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send ``operation`` (a name of ``queries.OPERATIONS``) and return its ``data``."""
        payload = {"operationName": operation, "query": document(operation), "variables": dict(variables or {})}
        body = json.dumps(payload, separators=(",", ":")).encode()
        return self._send(body, self._headers("application/json"))

    def upload(self, operation: str, variables: Mapping[str, Any], image: bytes | None) -> dict[str, Any]:
        """Send ``operation`` as a GraphQL multipart request, as Stash sends a draft
        (``pkg/stashbox/draft.go``): the field ``operations`` (the request, ``operationName``
        empty), the field ``map`` (``{ "0": ["variables.input.image"] }``, or ``{}`` without an
        image) and the image as the file part ``0`` named ``draft``. Retried on 429 only."""
        variables = {key: dict(value) if isinstance(value, Mapping) else value for key, value in variables.items()}
        if image is not None:
            variables["input"]["image"] = None  # the spec's placeholder, replaced by the file part
        operations = json.dumps({"query": document(operation), "variables": variables, "operationName": ""},
                                separators=(",", ":"))  # fmt: skip
        fields = [("operations", None, operations.encode()), ("map", None, (DRAFT_MAP if image else "{}").encode())]
        if image is not None:
            fields.append(("0", "draft", image))
        body, content_type = multipart_body(fields)
        return self._send(body, self._headers(content_type), retried=frozenset({429}))

    def _headers(self, content_type: str) -> dict[str, str]:
        headers = {"Content-Type": content_type, "Accept": "application/json", "User-Agent": USER_AGENT}
        if self.endpoint.api_key:
            headers["ApiKey"] = self.endpoint.api_key
        return headers

    def _send(self, body: bytes, headers: Mapping[str, str], retried: frozenset[int] = RETRIED) -> dict[str, Any]:
        """POST ``body`` behind the rate limit, retrying the ``retried`` statuses; the answer's ``data``."""
        for attempt in range(1, self.attempts + 1):
            if self.limiter is not None:
                self.limiter.acquire()
            response, content = self._post(body, headers)
            if response.status_code in retried and attempt < self.attempts:
                self.sleep(self._delay(response, attempt))
                continue
            return self._answer(response, content, attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def _post(self, body: bytes, headers: Mapping[str, str]) -> tuple[requests.Response, bytes]:
        """One HTTP request: the response and its body (read up to :data:`MAX_ANSWER_BYTES`).
        Redirects are not followed: the ``ApiKey`` header must not reach another host (``_answer``
        names the new location instead)."""
        name = self.endpoint.name
        try:
            response = self.session.post(self.endpoint.url, data=body, headers=dict(headers), timeout=self.timeout,
                                         allow_redirects=False, stream=True)  # fmt: skip
            with response:
                parts, size = [], 0
                for part in response.iter_content(64 * 1024):
                    size += len(part)
                    if size > MAX_ANSWER_BYTES:
                        raise NotGraphQL(f"{name} answered more than a stash-box answer can be ({size}+ bytes).")
                    parts.append(part)
            return response, b"".join(parts)
        except requests.Timeout:
            raise Unreachable(f"{name} did not answer within {self.timeout:g} seconds.") from None
        except requests.ConnectionError as exc:
            raise Unreachable(f"{name} cannot be reached at {self.endpoint.url}: {_reason(exc)}") from None
        except requests.RequestException as exc:
            raise Unreachable(f"{name} cannot be reached at {self.endpoint.url}: {exc}") from None

    def _delay(self, response: requests.Response, attempt: int) -> float:
        """How long to wait before the next attempt: the server's ``Retry-After``, else backoff."""
        told = _retry_after(response.headers.get("Retry-After"))
        if told is not None:
            return min(told, MAX_RETRY_AFTER_S)
        return self.backoff_s * 2 ** (attempt - 1)

    def _answer(self, response: requests.Response, content: bytes, attempts: int = 1) -> dict[str, Any]:
        """The ``data`` of an answer (the last of ``attempts``), or the error it means."""
        name, status = self.endpoint.name, response.status_code
        if status in (401, 403):
            raise BadApiKey(f"{name} refused the API key (HTTP {status}).")
        if 300 <= status < 400:
            where = response.headers.get("Location") or "another address"
            raise NotGraphQL(f"{name} answered with a redirect (HTTP {status}) to {where}: use that address as "
                             "the endpoint.", code="redirected")  # fmt: skip
        if status in RETRIED:
            raise StashBoxError(f"{name} answered HTTP {status} {response.reason or ''}".rstrip()
                                + f" after {attempts} attempt(s).", code="stashbox_unavailable")  # fmt: skip
        try:
            answer = json.loads(content)
        except ValueError:
            kind = "an HTML page" if b"<html" in content[:2000].lower() else "something that is not JSON"
            raise NotGraphQL(
                f"{name} answered {kind} (HTTP {status}), not GraphQL: is {self.endpoint.url} the server's "
                "GraphQL endpoint (…/graphql)?"
            ) from None
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if errors:
            raise _graphql_error(name, errors, keyed=bool(self.endpoint.api_key))
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), dict) or status != 200:
            raise NotGraphQL(f"{name} answered JSON that is not a GraphQL answer (HTTP {status}): is "
                             f"{self.endpoint.url} the server's GraphQL endpoint (…/graphql)?")  # fmt: skip
        return answer["data"]

    # ---- operations -------------------------------------------------------------------------------

    def me(self) -> str:
        """The name of the key's user (the "test" button)."""
        user = self.execute("Me").get("me")
        if not isinstance(user, dict) or not user.get("name"):
            raise BadApiKey(f"{self.endpoint.name} did not recognise the API key (no user).")
        return str(user["name"])

    def find_scenes_by_fingerprints(self, groups: Sequence[Sequence[Mapping[str, str]]]) -> list[list[dict[str, Any]]]:
        """The scenes matching each group of ``{"hash", "algorithm"}`` (one group per video), in
        the groups' order. Empty groups are not sent; at most 40 groups go in one request."""
        sent = [i for i, group in enumerate(groups) if group]
        found: list[list[dict[str, Any]]] = [[] for _ in groups]
        for part in chunks(sent, FINGERPRINT_GROUPS):
            fingerprints = [[{"hash": fp["hash"], "algorithm": fp["algorithm"]} for fp in groups[i]] for i in part]
            answer = self.execute("FindScenesBySceneFingerprints", {"fingerprints": fingerprints})
            lists = answer.get("findScenesBySceneFingerprints")
            if not isinstance(lists, list) or len(lists) != len(part):
                raise NotGraphQL(f"{self.endpoint.name} answered {len(part)} fingerprint groups with "
                                 f"{len(lists) if isinstance(lists, list) else 'no'} lists.")  # fmt: skip
            for index, scenes in zip(part, lists, strict=True):
                found[index] = _objects(scenes)
        return found

    def find_scene(self, scene_id: str) -> dict[str, Any] | None:
        return _object(self.execute("FindSceneByID", {"id": scene_id}).get("findScene"))

    def search_scene(self, term: str) -> list[dict[str, Any]]:
        return _objects(self.execute("SearchScene", {"term": term}).get("searchScene"))

    def find_performer(self, performer_id: str) -> dict[str, Any] | None:
        return _object(self.execute("FindPerformerByID", {"id": performer_id}).get("findPerformer"))

    def search_performer(self, term: str) -> list[dict[str, Any]]:
        return _objects(self.execute("SearchPerformer", {"term": term}).get("searchPerformer"))

    def find_studio(self, *, studio_id: str | None = None, name: str | None = None) -> dict[str, Any] | None:
        return _object(self.execute("FindStudio", {"id": studio_id, "name": name}).get("findStudio"))

    def find_tag(self, *, tag_id: str | None = None, name: str | None = None) -> dict[str, Any] | None:
        return _object(self.execute("FindTag", {"id": tag_id, "name": name}).get("findTag"))

    def query_tags(self, name: str, *, per_page: int = 25) -> list[dict[str, Any]]:
        """Tags whose name holds ``name`` (as Stash asks: page 1 of 25, by name)."""
        variables = {"input": {"name": name, "page": 1, "per_page": per_page, "sort": "NAME", "direction": "ASC"}}
        result = self.execute("QueryTags", variables).get("queryTags")
        return _objects(result.get("tags")) if isinstance(result, dict) else []

    def submit_fingerprint(self, scene_id: str, fingerprint: Mapping[str, Any]) -> bool:
        """``submitFingerprint`` as Stash sends it: ``{scene_id, fingerprint: {hash, algorithm,
        duration}}``; whether the server took it."""
        variables = {"input": {"scene_id": scene_id, "fingerprint": dict(fingerprint)}}
        return self.execute("SubmitFingerprint", variables).get("submitFingerprint") is True

    def submit_fingerprints(self, items: Sequence[Mapping[str, Any]]) -> list[str | None]:
        """``submitFingerprints`` (at most :data:`SUBMIT_BATCH_MAX` items of ``{scene_id, hash,
        algorithm, duration}``): the server's error for each item, in order (``None``: taken).

        :raises NotGraphQL: (code ``not_stashbox``) a server without the batch mutation.
        """
        if len(items) > SUBMIT_BATCH_MAX:
            raise ValueError(f"at most {SUBMIT_BATCH_MAX} fingerprints a batch")
        answer = self.execute("SubmitFingerprints", {"input": [dict(item) for item in items]})
        results = answer.get("submitFingerprints")
        if not isinstance(results, list) or len(results) != len(items):
            raise NotGraphQL(f"{self.endpoint.name} answered {len(items)} fingerprint submissions with "
                             f"{len(results) if isinstance(results, list) else 'no'} results.")  # fmt: skip
        return [str(r["error"]) if isinstance(r, dict) and r.get("error") else None for r in results]

    def submit_scene_draft(self, draft: Mapping[str, Any], image: bytes | None = None) -> str:
        """``submitSceneDraft`` (a multipart request with the cover when given): the draft's id."""
        status = self.upload("SubmitSceneDraft", {"input": dict(draft)}, image).get("submitSceneDraft")
        draft_id = status.get("id") if isinstance(status, dict) else None
        if not isinstance(draft_id, str) or not draft_id:
            raise NotGraphQL(f"{self.endpoint.name} answered the draft without an id.")
        return draft_id


def multipart_body(fields: Sequence[tuple[str, str | None, bytes]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of ``(name, file name or None, content)`` parts, and its
    content type. File parts are ``application/octet-stream``, as Go's ``CreateFormFile`` writes them."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, filename, content in fields:
        out += f"--{boundary}\r\n".encode()
        if filename is None:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        else:
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n").encode()  # fmt: skip
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _object(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _graphql_error(name: str, errors: Any, *, keyed: bool = True) -> StashBoxError:
    """The error of a GraphQL ``errors`` list, carrying the server's own words (``keyed``: whether
    an API key was sent)."""
    messages = [str(e.get("message") or e) if isinstance(e, dict) else str(e) for e in errors][:3]
    said = "; ".join(dict.fromkeys(m.strip() for m in messages if m.strip()))[:500] or "an unnamed error"
    if _REFUSED.search(said):
        return BadApiKey(f"{name} refused the API key: {said}" if keyed else f"{name} needs an API key: {said}")
    if _MISSING_FIELD.search(said):
        return NotGraphQL(f"{name} is a GraphQL server without the stash-box fields: {said}", code="not_stashbox")
    return StashBoxError(f"{name} answered with an error: {said}", code="graphql_error")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: Exception) -> str:
    """The innermost reason of a connection error ("Connection refused")."""
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    return found.group(1).strip() if found else text[:200]
