"""The ``postProcess`` operations (Stash's ``mapped_postprocessing.go``), applied in order to a value.

``replace`` (Go regexp, TrimSpace after each pair, a bad regex leaves the value and warns),
``subScraper`` (fetch the value as a URL, run the sub-selector there, first match or ``concat``,
its own post-processing; nothing found or a failed fetch gives ``""``), ``parseDate`` (Go layout,
``unix``, ``today``/``yesterday``; failure leaves the value), ``subtractDays``, ``map`` (exact
lookup), ``feetToCm``, ``lbToKg`` and ``javascript`` (not run by Obscura: the value is left as it
is and a warning names the field).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from plugins_builtin.scrapers.engine.config import AttrConfig, PostOp, RegexReplace
from plugins_builtin.scrapers.engine.godate import GoTimeParseError, parse_go_date
from plugins_builtin.scrapers.engine.goregex import GoRegexError, compile_go, replace_all
from plugins_builtin.scrapers.engine.log import ScrapeLog
from plugins_builtin.scrapers.engine.query import Query, QueryError
from plugins_builtin.scrapers.engine.text import trim_space

__all__ = [
    "PostContext",
    "apply_post",
    "apply_regex_list",
    "feet_to_cm",
    "go_round",
    "lb_to_kg",
    "parse_date",
    "subtract_days",
]

_DIGITS = re.compile(r"[0-9]+")
_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:_[0-9]+)*\.?[0-9]*(?:_[0-9]+)*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_GO_FLOAT_SPECIAL = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"}


@dataclass
class PostContext:
    """Where a value is being processed: the document (for ``subScraper``), the log, the field."""

    query: Query | None
    log: ScrapeLog
    field: str = ""


def go_round(x: float) -> int:
    """Go's ``math.Round``: halves away from zero."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def apply_regex_list(pairs: list[RegexReplace], value: str, log: ScrapeLog) -> str:
    """A ``replace`` list: each pair in order, TrimSpace after each; a bad regex is skipped."""
    for pair in pairs:
        if not pair.regex:
            continue
        try:
            pattern = compile_go(pair.regex)
        except GoRegexError as exc:
            log.warning(f"Error compiling regex '{pair.regex}': {exc}")
            continue
        value = trim_space(replace_all(pattern, value, pair.with_))
    return value


def parse_date(layout: str, value: str, log: ScrapeLog, today: date | None = None) -> str:
    """``parseDate``: ``today``/``yesterday``, ``unix`` seconds or a Go layout → ``YYYY-MM-DD``."""
    lower = value.lower()
    if lower in ("today", "yesterday"):
        day = today or date.today()
        if lower == "yesterday":
            day -= timedelta(days=1)
        return day.isoformat()
    if layout == "":
        return value
    if layout == "unix":
        if not _GO_INT.fullmatch(value):
            log.warning(f"Error parsing date string '{value}' using unix timestamp format")
            return value
        try:
            return datetime.fromtimestamp(int(value)).date().isoformat()
        except (OverflowError, OSError, ValueError):
            log.warning(f"Error parsing date string '{value}' using unix timestamp format: out of range")
            return value
    try:
        return parse_go_date(layout, value)
    except GoTimeParseError as exc:
        log.warning(f"Error parsing date string '{value}' using format '{layout}': {exc}")
        return value


def subtract_days(value: str, log: ScrapeLog, today: date | None = None) -> str:
    """``subtractDays``: an integer N → the date N days ago; anything else is left as it is."""
    if not _GO_INT.fullmatch(value):
        log.warning(f"Error parsing day string {value}")
        return value
    try:
        return ((today or date.today()) - timedelta(days=int(value))).isoformat()
    except OverflowError:
        log.warning(f"Error parsing day string {value}: out of range")
        return value


def feet_to_cm(value: str) -> str:
    """``feetToCm``: the first digit run is feet, the second inches; no digits gives ``"0"``."""
    found = _DIGITS.findall(value)
    feet = float(found[0]) if found else 0.0
    inches = float(found[1]) if len(found) > 1 else 0.0
    cm = feet * 30.48 + inches * 2.54
    if not math.isfinite(cm):
        return value
    return str(go_round(cm))


def lb_to_kg(value: str) -> str:
    """``lbToKg``: Go ``ParseFloat`` of the whole value × 0.45359237, rounded; else unchanged."""
    if not (_GO_FLOAT.fullmatch(value) or value.lower() in _GO_FLOAT_SPECIAL):
        return value
    try:
        kg = float(value.replace("_", "")) * 0.45359237
    except ValueError:
        return value
    if not math.isfinite(kg):
        return value
    return str(go_round(kg))


def _sub_scrape(sub: AttrConfig, value: str, ctx: PostContext) -> str:
    ctx.log.debug(f"Sub-scraping for: {value}")
    ss = ctx.query.sub_scrape(value) if ctx.query is not None else None
    if ss is None:
        return ""
    try:
        found = ss.run(sub.selector)
    except QueryError as exc:
        ctx.log.warning(f"subscrape for '{value}': {exc}")
        found = []
    if not found:
        return ""
    result = sub.concat.join(found) if sub.concat else found[0]
    return apply_post(sub, result, PostContext(ss, ctx.log, ctx.field))


def apply_op(op: PostOp, value: str, ctx: PostContext) -> str:
    """One operation."""
    if op.op == "replace":
        return apply_regex_list(op.arg, value, ctx.log)
    if op.op == "parseDate":
        return parse_date(op.arg, value, ctx.log)
    if op.op == "subtractDays":
        return subtract_days(value, ctx.log)
    if op.op == "map":
        return op.arg.get(value, value)
    if op.op == "feetToCm":
        return feet_to_cm(value)
    if op.op == "lbToKg":
        return lb_to_kg(value)
    if op.op == "subScraper":
        return _sub_scrape(op.arg, value, ctx)
    if op.op == "javascript":
        ctx.log.warning(f"javascript postProcess is not supported (field {ctx.field or '?'}); the value is kept")
        return value
    ctx.log.warning(f"unknown post-process action {op.op}")
    return value


def apply_post(attr: AttrConfig, value: str, ctx: PostContext) -> str:
    """All of an attribute's post-processing, in order."""
    for op in attr.post:
        value = apply_op(op, value, ctx)
    return value
