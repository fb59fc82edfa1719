"""Loading a scraper YAML into a :class:`ScraperDef`, as strictly as Stash's ``config.go``.

The document is decoded like ``yaml.v2`` with ``SetStrict(true)``: unknown top-level keys, unknown
keys in an action, the driver, a mapped scraper (``common/scene/gallery/image/performer/group/
movie``) are errors, so are duplicate keys, an unknown ``action``, a ``script`` action without a
command, a URL action without ``url``, a ``postProcess`` item with no or two operations, mixing
``postProcess`` with the deprecated ``replace/subScraper/parseDate``, ``movieByURL`` together with
``groupByURL`` and a blank ``name``. Like Stash, unknown keys inside an attribute (``selector``,
``fixed``…) and unknown object fields (``Titel:``) are not errors: they are kept in
:attr:`ScraperDef.warnings` and logged when the scraper runs. Scalars keep their YAML text
(``fixed: 007`` is ``"007"``, ``fixed: yes`` is ``"yes"``), as Go decodes them into strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from plugins_builtin.scrapers.engine.errors import ScraperConfigError
from plugins_builtin.scrapers.engine.fields import FIELDS

__all__ = [
    "ACTIONS",
    "ActionConfig",
    "AttrConfig",
    "CookieConfig",
    "DriverOptions",
    "MappedScraper",
    "ObjectConfig",
    "PostOp",
    "RegexReplace",
    "ScraperDef",
    "load_scraper",
    "parse_scraper",
]

SINGLE_ACTIONS = (
    "performerByName",
    "performerByFragment",
    "sceneByFragment",
    "sceneByName",
    "sceneByQueryFragment",
    "galleryByFragment",
    "imageByFragment",
)
URL_ACTIONS = ("performerByURL", "sceneByURL", "galleryByURL", "groupByURL", "movieByURL", "imageByURL")
ACTIONS = (
    "sceneByURL",
    "sceneByFragment",
    "sceneByName",
    "sceneByQueryFragment",
    "performerByURL",
    "performerByName",
    "performerByFragment",
    "galleryByURL",
    "galleryByFragment",
    "groupByURL",
    "imageByURL",
    "imageByFragment",
)
"""The actions :meth:`ScraperDef.capabilities` reports (``movieByURL`` counts as ``groupByURL``)."""

TOP_LEVEL_KEYS = frozenset(
    {"name", "debug", "stashServer", "xPathScrapers", "jsonScrapers", "driver", *SINGLE_ACTIONS, *URL_ACTIONS}
)
ACTION_KINDS = ("script", "stash", "scrapeXPath", "scrapeJson")
POST_OPS = ("parseDate", "subtractDays", "replace", "subScraper", "map", "feetToCm", "lbToKg", "javascript")
ATTR_KEYS = frozenset({"selector", "fixed", "postProcess", "concat", "split", "replace", "subScraper", "parseDate"})

# object kind -> its sub-objects (relationship maps) and their own kinds
SUB_OBJECTS: dict[str, dict[str, str]] = {
    "scene": {"Tags": "tag", "Performers": "scene_performer", "Studio": "studio", "Movies": "movie", "Groups": "group"},
    "scene_performer": {"Tags": "tag"},
    "performer": {"Tags": "tag"},
    "gallery": {"Tags": "tag", "Performers": "performer_plain", "Studio": "studio"},
    "image": {"Tags": "tag", "Performers": "performer_plain", "Studio": "studio"},
    "group": {"Studio": "studio", "Tags": "tag"},
    "movie": {"Studio": "studio", "Tags": "tag"},
    "performer_plain": {},
    "studio": {},
    "tag": {},
}
MAPPED_SCRAPER_KEYS = ("common", "scene", "gallery", "image", "performer", "group", "movie")

_REQUIRES = re.compile(r"^\s*#\s*requires\s*:\s*(.*?)\s*$", re.MULTILINE)
_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})


@dataclass(frozen=True)
class RegexReplace:
    """One ``{regex, with}`` pair of a ``replace`` or a ``queryURLReplace``."""

    regex: str
    with_: str


@dataclass
class PostOp:
    """One ``postProcess`` operation: ``op`` is its YAML key, ``arg`` its parsed value."""

    op: str
    arg: Any
    key: str = ""


@dataclass
class AttrConfig:
    """An attribute: a selector or a fixed value, plus ``concat``/``split`` and post-processing."""

    selector: str = ""
    fixed: str = ""
    concat: str = ""
    split: str = ""
    post: list[PostOp] = field(default_factory=list)
    key: str = ""


@dataclass
class ObjectConfig:
    """The fields of one object (``scene``, ``Performers``, ``Studio``…) and its relationship maps."""

    kind: str
    fields: dict[str, AttrConfig] = field(default_factory=dict)
    subs: dict[str, ObjectConfig] = field(default_factory=dict)
    key: str = ""


@dataclass
class MappedScraper:
    """One entry of ``xPathScrapers`` / ``jsonScrapers``."""

    name: str
    common: dict[str, str] = field(default_factory=dict)
    scene: ObjectConfig | None = None
    gallery: ObjectConfig | None = None
    image: ObjectConfig | None = None
    performer: ObjectConfig | None = None
    group: ObjectConfig | None = None
    movie: ObjectConfig | None = None


@dataclass
class ActionConfig:
    """One action (``sceneByURL`` entry, ``performerByName``…): what runs and how to build its URL."""

    action: str
    script: list[str] = field(default_factory=list)
    scraper: str = ""
    query_url: str = ""
    query_url_replace: dict[str, list[RegexReplace]] | None = None
    url: list[str] = field(default_factory=list)
    key: str = ""

    def matches_url(self, url: str) -> bool:
        """Stash's ``matchesURL``: the URL contains one of the ``url`` entries."""
        return any(pattern in url for pattern in self.url)


@dataclass
class CookieConfig:
    """One cookie of ``driver.cookies[].Cookies``."""

    name: str = ""
    value: str = ""
    value_random: int = 0
    domain: str = ""
    path: str = ""


@dataclass
class DriverOptions:
    """``driver:``: CDP (not run by Obscura), sleeps and clicks (CDP only), cookies and headers."""

    use_cdp: bool = False
    sleep: int = 0
    clicks: list[tuple[str, int]] = field(default_factory=list)
    cookies: list[tuple[str, list[CookieConfig]]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ScraperDef:
    """A loaded scraper. ``id`` is the file name without its extension."""

    id: str
    name: str
    path: Path | None
    dir: Path | None
    file: str
    requires: list[str] = field(default_factory=list)
    single: dict[str, ActionConfig] = field(default_factory=dict)
    by_url: dict[str, list[ActionConfig]] = field(default_factory=dict)
    xpath_scrapers: dict[str, MappedScraper] = field(default_factory=dict)
    json_scrapers: dict[str, MappedScraper] = field(default_factory=dict)
    driver: DriverOptions | None = None
    print_html: bool = False
    stash_url: str = ""
    stash_api_key: str = ""
    warnings: list[str] = field(default_factory=list)

    def url_configs(self, action: str) -> list[ActionConfig]:
        """The URL configs of ``action`` (``groupByURL`` and ``movieByURL`` are one action)."""
        if action in ("groupByURL", "movieByURL"):
            return self.by_url.get("groupByURL") or self.by_url.get("movieByURL") or []
        return self.by_url.get(action, [])

    def action_config(self, action: str) -> ActionConfig | None:
        """The config of a single (non-URL) action, if the scraper has it."""
        return self.single.get(action)

    def supports(self, action: str) -> bool:
        """Whether the scraper defines ``action`` (``movieByURL`` = ``groupByURL``)."""
        if action in URL_ACTIONS:
            return bool(self.url_configs(action))
        return action in self.single

    def capabilities(self) -> dict[str, bool]:
        """Every action of :data:`ACTIONS` → whether this scraper has it."""
        return {action: self.supports(action) for action in ACTIONS}

    def url_patterns(self, action: str) -> list[str]:
        """All ``url:`` substrings of an action's URL configs (what Stash advertises as ``urls``)."""
        return [p for c in self.url_configs(action) for p in c.url]


# --- YAML → Python, keeping the text of scalars ---------------------------------------------


class _Doc:
    """Converts composed YAML nodes to dicts/lists/str/None and remembers each path's line."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[str, int] = {}

    def error(self, key: str, problem: str) -> ScraperConfigError:
        line = self.lines.get(key)
        return ScraperConfigError(self.file, key, problem, line=line)

    def convert(self, node: yaml.Node, path: str, depth: int = 0) -> Any:
        if depth > 64:
            raise self.error(path, "document nested too deeply")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:null":
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            merged: list[tuple[str, Any]] = []
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                    for src in sources:
                        value = self.convert(src, path, depth + 1)
                        if not isinstance(value, dict):
                            raise self.error(path, "a merge key (<<) needs a mapping")
                        merged.extend(value.items())
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error(path, "mapping keys must be scalars")
                key = key_node.value
                child = f"{path}.{key}" if path else key
                if key in out:
                    self.lines[child] = key_node.start_mark.line + 1
                    raise self.error(child, f"mapping key {key!r} already defined")
                self.lines[child] = key_node.start_mark.line + 1
                out[key] = self.convert(value_node, child, depth + 1)
            for key, value in merged:
                out.setdefault(key, value)
            return out
        raise self.error(path, "unsupported YAML node")


def _expect_map(doc: _Doc, value: Any, path: str, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error(path, f"{what} must be a mapping")
    return value


def _expect_str(doc: _Doc, value: Any, path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise doc.error(path, "expected a string")
    return value


def _expect_bool(doc: _Doc, value: Any, path: str) -> bool:
    if value is None:
        return False
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise doc.error(path, f"expected true or false, not {value!r}")


def _expect_int(doc: _Doc, value: Any, path: str) -> int:
    if value is None:
        return 0
    try:
        return int(str(value).replace("_", ""), 0)
    except ValueError:
        raise doc.error(path, f"expected a whole number, not {value!r}") from None


def _expect_str_list(doc: _Doc, value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.error(path, "expected a list")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, (dict, list)):
            raise doc.error(f"{path}[{i}]", "expected a string")
        out.append("" if item is None else item)
    return out


def _check_keys(doc: _Doc, value: dict[str, Any], allowed: frozenset[str] | tuple[str, ...], path: str) -> None:
    for key in value:
        if key not in allowed:
            raise doc.error(f"{path}.{key}" if path else key, f"unknown key '{key}'")


# --- the parts ---------------------------------------------------------------------------------


def _regex_list(doc: _Doc, value: Any, path: str) -> list[RegexReplace]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.error(path, "expected a list of {regex, with}")
    out = []
    for i, item in enumerate(value):
        ipath = f"{path}[{i}]"
        item = _expect_map(doc, item, ipath, "a replacement")
        out.append(
            RegexReplace(
                _expect_str(doc, item.get("regex"), f"{ipath}.regex"),
                _expect_str(doc, item.get("with"), f"{ipath}.with"),
            )
        )
    return out


def _post_op(doc: _Doc, item: Any, path: str, defn_warnings: list[str]) -> PostOp:
    if not isinstance(item, dict):
        raise doc.error(path, "invalid post-process action: expected a mapping with one operation")
    if len(item) == 0:
        raise doc.error(path, "invalid post-process action: no operation")
    unknown = [k for k in item if k not in POST_OPS]
    if unknown:
        raise doc.error(f"{path}.{unknown[0]}", f"invalid post-process action '{unknown[0]}'")
    if len(item) > 1:
        first, second = list(item)[:2]
        raise doc.error(path, f"post-process actions must have a single field, found {first} and {second}")
    op, raw = next(iter(item.items()))
    opath = f"{path}.{op}"
    if op in ("parseDate", "javascript"):
        arg: Any = _expect_str(doc, raw, opath)
        ok = arg != ""
    elif op in ("subtractDays", "feetToCm", "lbToKg"):
        arg = _expect_bool(doc, raw, opath)
        ok = arg
    elif op == "replace":
        arg = _regex_list(doc, raw, opath)
        ok = bool(arg)
    elif op == "subScraper":
        arg = _attr(doc, raw, opath, defn_warnings) if raw is not None else None
        ok = arg is not None
    else:  # map
        mapping = _expect_map(doc, raw, opath, "map")
        arg = {k: _expect_str(doc, v, f"{opath}.{k}") for k, v in mapping.items()}
        ok = raw is not None
    if not ok:
        raise doc.error(opath, f"invalid post-process action: empty or false '{op}'")
    return PostOp(op, arg, opath)


def _attr(doc: _Doc, value: Any, path: str, warnings: list[str]) -> AttrConfig:
    if value is None:
        return AttrConfig(key=path)
    if isinstance(value, str):
        return AttrConfig(selector=value, key=path)
    if not isinstance(value, dict):
        raise doc.error(path, "expected a selector string or a mapping")
    for key in value:
        if key not in ATTR_KEYS:
            warnings.append(f"{path}: unknown key '{key}' is ignored")
    cfg = AttrConfig(
        selector=_expect_str(doc, value.get("selector"), f"{path}.selector"),
        fixed=_expect_str(doc, value.get("fixed"), f"{path}.fixed"),
        concat=_expect_str(doc, value.get("concat"), f"{path}.concat"),
        split=_expect_str(doc, value.get("split"), f"{path}.split"),
        key=path,
    )
    post = value.get("postProcess")
    replace = _regex_list(doc, value.get("replace"), f"{path}.replace")
    sub = value.get("subScraper")
    parse_date = _expect_str(doc, value.get("parseDate"), f"{path}.parseDate")
    if post:
        if not isinstance(post, list):
            raise doc.error(f"{path}.postProcess", "postProcess must be a list")
        if replace or sub is not None or parse_date:
            raise doc.error(path, "cannot include postProcess and (parseDate, replace, subScraper) deprecated fields")
        cfg.post = [_post_op(doc, item, f"{path}.postProcess[{i}]", warnings) for i, item in enumerate(post)]
    else:
        # deprecated attribute-level operations, in the order Stash used to run them
        if replace:
            cfg.post.append(PostOp("replace", replace, f"{path}.replace"))
        if sub is not None:
            cfg.post.append(PostOp("subScraper", _attr(doc, sub, f"{path}.subScraper", warnings), f"{path}.subScraper"))
        if parse_date:
            cfg.post.append(PostOp("parseDate", parse_date, f"{path}.parseDate"))
    return cfg


def _object(doc: _Doc, value: Any, path: str, kind: str, warnings: list[str]) -> ObjectConfig:
    mapping = _expect_map(doc, value, path, kind)
    obj = ObjectConfig(kind=kind, key=path)
    subs = SUB_OBJECTS[kind]
    known = FIELDS[kind]
    for key, raw in mapping.items():
        kpath = f"{path}.{key}"
        if key in subs:
            if raw is None:
                continue
            obj.subs[key] = _object(doc, raw, kpath, subs[key], warnings)
            continue
        if key not in known:
            warnings.append(f"{kpath}: field {key} does not exist in {kind.replace('_plain', '')}; it is ignored")
        obj.fields[key] = _attr(doc, raw, kpath, warnings)
    return obj


def _mapped_scraper(doc: _Doc, name: str, value: Any, path: str, warnings: list[str]) -> MappedScraper:
    mapping = _expect_map(doc, value, path, "a mapped scraper")
    _check_keys(doc, mapping, MAPPED_SCRAPER_KEYS, path)
    common_raw = _expect_map(doc, mapping.get("common"), f"{path}.common", "common")
    common = {k: _expect_str(doc, v, f"{path}.common.{k}") for k, v in common_raw.items()}
    ms = MappedScraper(name=name, common=common)
    for key in ("scene", "gallery", "image", "performer", "group", "movie"):
        if mapping.get(key) is not None:
            setattr(ms, key, _object(doc, mapping[key], f"{path}.{key}", key, warnings))
    return ms


def _action(doc: _Doc, value: Any, path: str, is_url: bool) -> ActionConfig:
    mapping = _expect_map(doc, value, path, "an action")
    allowed = (
        ("action", "script", "scraper", "queryURL", "queryURLReplace", "url")
        if is_url
        else (
            "action",
            "script",
            "scraper",
            "queryURL",
            "queryURLReplace",
        )
    )
    _check_keys(doc, mapping, allowed, path)
    action = _expect_str(doc, mapping.get("action"), f"{path}.action")
    if action not in ACTION_KINDS:
        raise doc.error(
            f"{path}.action", f"{action!r} is not a valid scraper action (one of {', '.join(ACTION_KINDS)})"
        )
    cfg = ActionConfig(
        action=action,
        script=_expect_str_list(doc, mapping.get("script"), f"{path}.script"),
        scraper=_expect_str(doc, mapping.get("scraper"), f"{path}.scraper"),
        query_url=_expect_str(doc, mapping.get("queryURL"), f"{path}.queryURL"),
        key=path,
    )
    if "queryURLReplace" in mapping and mapping["queryURLReplace"] is not None:
        replace = _expect_map(doc, mapping["queryURLReplace"], f"{path}.queryURLReplace", "queryURLReplace")
        cfg.query_url_replace = {k: _regex_list(doc, v, f"{path}.queryURLReplace.{k}") for k, v in replace.items()}
    if action == "script" and not cfg.script:
        raise doc.error(f"{path}.script", "script is mandatory for script scraper action")
    if is_url:
        cfg.url = _expect_str_list(doc, mapping.get("url"), f"{path}.url")
        if not cfg.url:
            raise doc.error(f"{path}.url", "url is mandatory for scrape by url scrapers")
    return cfg


def _driver(doc: _Doc, value: Any) -> DriverOptions:
    mapping = _expect_map(doc, value, "driver", "driver")
    _check_keys(doc, mapping, ("useCDP", "sleep", "clicks", "cookies", "headers"), "driver")
    opts = DriverOptions(
        use_cdp=_expect_bool(doc, mapping.get("useCDP"), "driver.useCDP"),
        sleep=_expect_int(doc, mapping.get("sleep"), "driver.sleep"),
    )
    for i, click in enumerate(mapping.get("clicks") or []):
        cpath = f"driver.clicks[{i}]"
        click = _expect_map(doc, click, cpath, "a click")
        _check_keys(doc, click, ("xpath", "sleep"), cpath)
        opts.clicks.append(
            (
                _expect_str(doc, click.get("xpath"), f"{cpath}.xpath"),
                _expect_int(doc, click.get("sleep"), f"{cpath}.sleep"),
            )
        )
    for i, entry in enumerate(mapping.get("cookies") or []):
        cpath = f"driver.cookies[{i}]"
        entry = _expect_map(doc, entry, cpath, "a cookie entry")
        _check_keys(doc, entry, ("CookieURL", "Cookies"), cpath)
        cookies = []
        for j, ck in enumerate(entry.get("Cookies") or []):
            kpath = f"{cpath}.Cookies[{j}]"
            ck = _expect_map(doc, ck, kpath, "a cookie")
            _check_keys(doc, ck, ("Name", "Value", "ValueRandom", "Domain", "Path"), kpath)
            cookies.append(
                CookieConfig(
                    name=_expect_str(doc, ck.get("Name"), f"{kpath}.Name"),
                    value=_expect_str(doc, ck.get("Value"), f"{kpath}.Value"),
                    value_random=_expect_int(doc, ck.get("ValueRandom"), f"{kpath}.ValueRandom"),
                    domain=_expect_str(doc, ck.get("Domain"), f"{kpath}.Domain"),
                    path=_expect_str(doc, ck.get("Path"), f"{kpath}.Path"),
                )
            )
        opts.cookies.append((_expect_str(doc, entry.get("CookieURL"), f"{cpath}.CookieURL"), cookies))
    for i, header in enumerate(mapping.get("headers") or []):
        hpath = f"driver.headers[{i}]"
        header = _expect_map(doc, header, hpath, "a header")
        _check_keys(doc, header, ("Key", "Value"), hpath)
        opts.headers.append(
            (
                _expect_str(doc, header.get("Key"), f"{hpath}.Key"),
                _expect_str(doc, header.get("Value"), f"{hpath}.Value"),
            )
        )
    return opts


def parse_scraper(text: str, *, file: str, scraper_id: str, path: Path | None = None) -> ScraperDef:
    """Parse and validate a scraper YAML. Raises :class:`ScraperConfigError` naming ``file`` and the key."""
    if path is None and file and Path(file).is_file():
        path = Path(file).resolve()
    doc = _Doc(file)
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScraperConfigError(file, "", f"invalid YAML: {problem}", line=mark.line + 1 if mark else None) from None
    data = doc.convert(root, "") if root is not None else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScraperConfigError(file, "", "a scraper must be a YAML mapping")
    _check_keys(doc, data, TOP_LEVEL_KEYS, "")

    name = _expect_str(doc, data.get("name"), "name")
    if not name.strip():
        raise doc.error("name", "name must not be empty")
    if data.get("movieByURL") is not None and data.get("groupByURL") is not None:
        raise doc.error("movieByURL", "movieByURL and groupByURL cannot both be set (movieByURL is deprecated)")

    requires: list[str] = []
    for line in _REQUIRES.findall(text):
        requires.extend(p.strip() for p in line.split(",") if p.strip())

    defn = ScraperDef(
        id=scraper_id,
        name=name,
        path=path,
        dir=path.parent if path is not None else None,
        file=file,
        requires=requires,
    )
    for action in SINGLE_ACTIONS:
        if data.get(action) is not None:
            defn.single[action] = _action(doc, data[action], action, is_url=False)
    for action in URL_ACTIONS:
        raw = data.get(action)
        if raw is None:
            continue
        if not isinstance(raw, list):
            raise doc.error(action, f"{action} must be a list of URL configs")
        defn.by_url[action] = [_action(doc, item, f"{action}[{i}]", is_url=True) for i, item in enumerate(raw)]
    for section, target in (("xPathScrapers", defn.xpath_scrapers), ("jsonScrapers", defn.json_scrapers)):
        for sname, raw in _expect_map(doc, data.get(section), section, section).items():
            target[sname] = _mapped_scraper(doc, sname, raw, f"{section}.{sname}", defn.warnings)
    if data.get("driver") is not None:
        defn.driver = _driver(doc, data["driver"])
    if data.get("debug") is not None:
        debug = _expect_map(doc, data["debug"], "debug", "debug")
        _check_keys(doc, debug, ("printHTML",), "debug")
        defn.print_html = _expect_bool(doc, debug.get("printHTML"), "debug.printHTML")
    if data.get("stashServer") is not None:
        server = _expect_map(doc, data["stashServer"], "stashServer", "stashServer")
        _check_keys(doc, server, ("url", "apiKey"), "stashServer")
        defn.stash_url = _expect_str(doc, server.get("url"), "stashServer.url")
        defn.stash_api_key = _expect_str(doc, server.get("apiKey"), "stashServer.apiKey")
    return defn


def load_scraper(path: Path) -> ScraperDef:
    """Load ``path`` (a ``.yml``/``.yaml`` file); the scraper id is its name without the extension."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScraperConfigError(str(path), "", f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScraperConfigError(str(path), "", "the file is not UTF-8 text") from None
    scraper_id = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
    return parse_scraper(text, file=str(path), scraper_id=scraper_id, path=path.resolve())
