"""A CommunityScrapers-style index built in a temporary folder: one zip per package, an
``index.yml`` listing them with their sha256, and the packages the tests install.

``IndexDir.add(id, files, ...)`` writes ``<id>.zip`` and (re)writes ``index.yml``; ``serve()``
serves the folder over loopback HTTP.
"""

from __future__ import annotations

import hashlib
import io
import stat
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

PY_COMMON = {
    "__init__.py": "",
    "log.py": (
        "import sys\n\n\n"
        "def _log(level, message):\n"
        "    for line in str(message).splitlines():\n"
        "        print(f'\\x01{level}\\x02{line}', file=sys.stderr)\n\n\n"
        "def info(message):\n"
        "    _log('i', message)\n\n\n"
        "def error(message):\n"
        "    _log('e', message)\n"
    ),
}

SCRIPT_SCRAPER_YML = """\
name: Script Site
# requires: py_common
sceneByName:
  action: script
  script:
    - python
    - script_site.py
    - scene-by-name
sceneByQueryFragment:
  action: script
  script:
    - python
    - script_site.py
    - scene-by-query-fragment
performerByName:
  action: script
  script:
    - python
    - script_site.py
    - performer-by-name
"""

SCRIPT_SCRAPER_PY = """\
import json
import sys
import time

from py_common import log

op = sys.argv[1]
args = json.load(sys.stdin)
log.info(f"{op} for {args}")
if args.get("name") == "nothing" or args.get("title") == "nothing":
    print("null")
elif op == "scene-by-name":
    name = args["name"]
    if name == "boom":
        log.error("the site said no")
        sys.exit(1)
    if name == "slow":
        time.sleep(30)
    print(json.dumps([
        {"title": f"{name} one", "url": "https://example.test/1"},
        {"title": f"{name} two", "url": "https://example.test/2"},
    ]))
elif op == "performer-by-name":
    print(json.dumps([{"name": args["name"], "gender": "FEMALE"}]))
else:
    print(json.dumps({"title": args.get("title"), "details": "from the query fragment"}))
"""


def xpath_scraper_yml(name: str = "Example Site", host: str = "127.0.0.1") -> str:
    """An XPath scraper reading a page's ``<h1>`` and date, by URL and by file hash (``{oshash}``)."""
    return f"""\
name: {name}
sceneByURL:
  - action: scrapeXPath
    url:
      - {host}
    scraper: sceneScraper
sceneByFragment:
  action: scrapeXPath
  queryURL: http://{host}:{{port}}/hash/{{oshash}}
  scraper: sceneScraper
xPathScrapers:
  sceneScraper:
    scene:
      Title: //h1/text()
      Date: //span[@class="date"]/text()
      Details: //div[@class="details"]/text()
      Studio:
        Name: //a[@class="studio"]/text()
      Performers:
        Name: //a[@class="performer"]/text()
"""


@dataclass
class IndexDir:
    """A folder holding ``index.yml`` and one zip per package."""

    root: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def index_file(self) -> Path:
        return self.root / "index.yml"

    def add(
        self,
        package_id: str,
        files: Mapping[str, str | bytes] | None = None,
        *,
        version: str = "aaaa111",
        date: str = "2024-01-01 10:00:00",
        name: str | None = None,
        requires: list[str] | None = None,
        sha256: str | None = None,
        zip_bytes: bytes | None = None,
    ) -> str:
        """Write ``<id>.zip`` holding ``files`` (or ``zip_bytes``) and list it; returns its sha256."""
        data = zip_bytes if zip_bytes is not None else make_zip(files or {})
        (self.root / f"{package_id}.zip").write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        entry: dict[str, Any] = {
            "id": package_id,
            "name": name or package_id,
            "version": version,
            "date": date,
            "path": f"{package_id}.zip",
            "sha256": sha256 or digest,
        }
        if requires:
            entry["requires"] = requires
        self.entries[package_id] = entry
        self.write()
        return digest

    def write(self) -> None:
        self.index_file.write_text(yaml.safe_dump(list(self.entries.values()), sort_keys=False), encoding="utf-8")


def make_zip(files: Mapping[str, str | bytes], symlinks: Mapping[str, str] | None = None) -> bytes:
    """A zip of ``files`` (name → content) and ``symlinks`` (name → target, as Unix symlinks)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, content)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return buf.getvalue()


def standard_index(root: Path, host_port: int = 0) -> IndexDir:
    """``py_common``, ``ScriptSite`` (requires py_common) and ``ExampleSite`` (XPath)."""
    index = IndexDir(root)
    index.add("py_common", PY_COMMON, name="py_common")
    index.add(
        "ScriptSite",
        {"ScriptSite.yml": SCRIPT_SCRAPER_YML, "script_site.py": SCRIPT_SCRAPER_PY},
        name="Script Site",
        requires=["py_common"],
    )
    yml = xpath_scraper_yml().replace("{port}", str(host_port or 80))
    index.add("ExampleSite", {"ExampleSite.yml": yml}, name="Example Site")
    return index


@contextmanager
def http_server(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on loopback; yields the base URL (``http://127.0.0.1:<port>``)."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
