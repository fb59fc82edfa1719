"""A Python port of Stash's community scraper engine (the YAML format of stashapp/CommunityScrapers).

A pure library: no database, no Flask. Load a scraper with :func:`load_scraper` /
:func:`parse_scraper`, run one action with :func:`scrape` or the usual order with :func:`cascade`;
lines go to a :class:`ScrapeLog`. Modules: ``config`` (the YAML), ``mapped`` (selectors → objects),
``xpath``/``jsonpath`` (the two selector languages), ``postprocess`` (``postProcess`` ops),
``goregex``/``godate`` (Go regexp and time layouts), ``placeholders`` (``queryURL``), ``fetch``
(HTTP, cookies, images), ``charset``, ``script`` (``action: script``), ``stash_action``
(``action: stash``), ``postscrape`` and ``run``.
"""

from plugins_builtin.scrapers.engine.config import ACTIONS, ScraperDef, load_scraper, parse_scraper
from plugins_builtin.scrapers.engine.errors import ScrapeError, ScraperConfigError, ScrapeTimeout
from plugins_builtin.scrapers.engine.log import ScrapeLog
from plugins_builtin.scrapers.engine.run import cascade, scrape

__all__ = [
    "ACTIONS",
    "ScrapeError",
    "ScrapeLog",
    "ScrapeTimeout",
    "ScraperConfigError",
    "ScraperDef",
    "cascade",
    "load_scraper",
    "parse_scraper",
    "scrape",
]
