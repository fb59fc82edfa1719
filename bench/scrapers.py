"""The community scraper engine: how fast it turns a page into a scene, and how fast it loads scrapers.

1. An XPath scrape of a generated ~200 KB scene page (a few hundred links, many nested divs,
   the scene's metadata) with a scraper of 12 fields (common, replace, parseDate, concat, split,
   map, relationships): engine time per scrape — parse, evaluate, post-process; the page is fed
   directly, no network — median of 20 runs. Goal ≤ 30 ms.
2. Loading and validating 300 generated scraper YAML files (varied, realistic size: common,
   postProcess, several URL configs, JSON and script scrapers among them): total seconds.
   Goal ≤ 3 s.

Usage: python -m bench.scrapers [--runs 20] [--files 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins_builtin.scrapers.engine import ScrapeLog, load_scraper, parse_scraper
from plugins_builtin.scrapers.engine.mapped import Mapper
from plugins_builtin.scrapers.engine.postscrape import post_scrape
from plugins_builtin.scrapers.engine.xpath import XPathQuery

WORDS = [
    "summer",
    "night",
    "road",
    "home",
    "city",
    "love",
    "dream",
    "light",
    "water",
    "fire",
    "story",
    "part",
    "blue",
    "house",
    "girl",
    "last",
    "first",
    "dark",
    "time",
    "beach",
    "party",
    "secret",
    "lesson",
    "office",
    "hotel",
    "morning",
    "sunset",
    "island",
    "garden",
    "window",
]

SCENE_SCRAPER = """
name: BenchSite
sceneByURL:
  - action: scrapeXPath
    url: [bench.example/videos/]
    scraper: sceneScraper
xPathScrapers:
  sceneScraper:
    common:
      $info: //div[@class="video-info"]
      $meta: //div[@class="video-info"]//ul[@class="meta"]
    scene:
      Title: $info/h1[@class="video-title"]/text()
      Code:
        selector: //link[@rel="canonical"]/@href
        postProcess:
          - replace:
              - regex: .*/videos/(\\d+)/.*
                with: $1
      Date:
        selector: $meta/li[span[text()="Released:"]]/text()
        postProcess:
          - replace:
              - regex: ^\\s*on\\s+
                with: ""
          - parseDate: January 2, 2006
      Details:
        selector: $info/div[@class="description"]/p
        concat: "\\n\\n"
      Director:
        selector: $meta/li[span[text()="Director:"]]/a
      URL: //link[@rel="canonical"]/@href
      Image: //meta[@property="og:image"]/@content
      Tags:
        Name:
          selector: $info/div[@class="tags"]/a
          postProcess:
            - map:
                HD: High Definition
      Performers:
        Name: $info/div[@class="models"]/a/span[@class="name"]
        URL: $info/div[@class="models"]/a/@href
      Studio:
        Name:
          selector: $meta/li[span[text()="Studio:"]]/a
          postProcess:
            - replace:
                - regex: \\s+Productions$
                  with: ""
      Groups:
        Name:
          selector: $meta/li[span[text()="Series:"]]/text()
          split: ","
"""


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_page(rng: random.Random, target_bytes: int = 200_000) -> str:
    """A realistic tube-site scene page of about ``target_bytes``."""
    head = textwrap.dedent(
        """\
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>Summer Night Road - Bench Site</title>
        <link rel="canonical" href="https://bench.example/videos/48213/summer-night-road">
        <meta property="og:image" content="data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ">
        <link rel="stylesheet" href="/css/site.css"><script src="/js/app.js"></script>
        <script>window.__STATE__ = {"user": null, "ab": [1, 2, 3]};</script>
        </head><body>
        """
    )
    parts = [head, '<header class="top"><nav class="menu">']
    for i in range(120):
        parts.append(f'<a class="menu-link" href="/category/{i}">{rng.choice(WORDS).title()} {i}</a>')
    parts.append("</nav></header>")
    parts.append(
        '<main><div class="video-player"><div class="player-wrap"><video src="/v/48213.mp4"></video></div></div>'
    )
    parts.append('<div class="video-info"><h1 class="video-title">  Summer Night&nbsp;Road  </h1>')
    parts.append('<ul class="meta">')
    parts.append("<li><span>Released:</span> on March 5, 2021</li>")
    parts.append('<li><span>Studio:</span> <a href="/studios/9">Roadside Productions</a></li>')
    parts.append('<li><span>Director:</span> <a href="/directors/2">Jane Doe</a></li>')
    parts.append("<li><span>Series:</span> Road Stories,Night Drives</li>")
    parts.append("<li><span>Duration:</span> 42:10</li></ul>")
    parts.append('<div class="description">')
    for _ in range(4):
        parts.append(f"<p>{_sentence(rng, 40)}\n   {_sentence(rng, 25)}</p>")
    parts.append('</div><div class="models">')
    for name in ("Anna Bell", "Bo Chen", "Cleo Diaz"):
        slug = name.lower().replace(" ", "-")
        parts.append(f'<a href="/models/{slug}"><img src="/m/{slug}.jpg"><span class="name">{name}</span></a>')
    parts.append('</div><div class="tags">')
    for tag in ("HD", "Outdoor", "Romance", "Road Trip", "Night", "Outdoor", "Couple", "Car"):
        parts.append(f'<a href="/tags/{tag.lower()}">{tag}</a>')
    parts.append("</div></div>")
    # related videos, comments and footer until the page is big enough
    parts.append('<section class="related">')
    i = 0
    while sum(len(p) for p in parts) < target_bytes - 6000:
        i += 1
        parts.append(
            f'<div class="card"><div class="thumb"><a href="/videos/{50000 + i}/x">'
            f'<img src="/t/{50000 + i}.jpg" alt="{_sentence(rng, 4)}"></a></div>'
            f'<div class="card-body"><a class="card-title" href="/videos/{50000 + i}/x">{_sentence(rng, 5)}</a>'
            f'<div class="card-meta"><span class="views">{rng.randint(100, 99999)} views</span>'
            f'<span class="rating">{rng.randint(50, 99)}%</span></div>'
            f'<div class="card-models"><a href="/models/m{i}">{rng.choice(WORDS).title()}</a></div></div></div>'
        )
        if i % 10 == 0:
            parts.append(f'<div class="comment"><b>user{i}</b><p>{_sentence(rng, 18)}</p><!-- c{i} --></div>')
    parts.append('</section></main><footer><div class="links">')
    for j in range(60):
        parts.append(f'<a href="/page/{j}">{rng.choice(WORDS)}</a>')
    parts.append("</div></footer></body></html>")
    return "".join(parts)


def bench_scrape(runs: int) -> tuple[float, int, dict]:
    rng = random.Random(7)
    page = make_page(rng)
    defn = parse_scraper(SCENE_SCRAPER, file="BenchSite.yml", scraper_id="BenchSite")
    mapped = defn.xpath_scrapers["sceneScraper"]
    url = "https://bench.example/videos/48213/summer-night-road"
    timings = []
    result: dict = {}
    for _ in range(runs + 2):  # two warm-up runs
        log = ScrapeLog("BenchSite")
        start = time.perf_counter()
        query = XPathQuery.from_text(page, url)
        scene = Mapper(mapped, query, log).scrape_scene() or {}
        result = post_scrape("scene", scene, None, log)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings[2:]) * 1000, len(page.encode()), result


def _block(lines: list[str], indent: int) -> str:
    return "\n".join(" " * indent + line for line in lines)


SCRIPT_TEMPLATE = """\
# yaml-language-server: $schema=../validator/scraper.schema.json
name: "Script Site {i}"
# requires: py_common
performerByName:
  action: script
  script: [python, Script{i}.py, performer-by-name]
performerByFragment:
  action: script
  script: [python, Script{i}.py, performer-by-fragment]
sceneByURL:
  - action: script
    url:
{urls}
    script:
      - python
      - Script{i}.py
      - scene-by-url
sceneByFragment:
  action: script
  script: [python, Script{i}.py, scene-by-fragment]
# Last Updated March 5, 2024
"""

JSON_TEMPLATE = """\
name: JSON Site {i}
sceneByURL:
  - action: scrapeJson
    url:
{urls}
    scraper: sceneScraper
    queryURL: "https://api.site{i}.example/v1/scenes/{{url}}"
    queryURLReplace:
      url:
        - regex: '.+/videos/(\\d+).*'
          with: "${{1}}"
sceneByName:
  action: scrapeJson
  queryURL: "https://api.site{i}.example/v1/search?q={{}}"
  scraper: searchScraper
sceneByQueryFragment:
  action: scrapeJson
  queryURL: "{{url}}"
  scraper: sceneScraper
jsonScrapers:
  sceneScraper:
    common:
      $d: data.scene
    scene:
      Title: $d.title
      Details: $d.description
      Date:
        selector: $d.release_date
        postProcess:
          - parseDate: 2006-01-02T15:04:05Z07:00
      Image: $d.images.poster.#.url
      Code: $d.id
      Performers:
        Name: $d.actors.#.name
        URLs: $d.actors.#.url
      Tags:
        Name: $d.tags.#.name
      Studio:
        Name: $d.studio.name
  searchScraper:
    scene:
      Title: data.#.title
      URL: data.#.url
      Date:
        selector: data.#.date
        postProcess:
          - parseDate: unix
"""

XPATH_TEMPLATE = """\
name: XPath Site {i}
sceneByURL:
  - action: scrapeXPath
    url:
{urls}
    scraper: sceneScraper
  - action: scrapeXPath
    url:
      - members.site{i}.example/
    scraper: sceneScraper
performerByURL:
  - action: scrapeXPath
    url:
      - site{i}-0.example/models/
    scraper: performerScraper
sceneByName:
  action: scrapeXPath
  queryURL: https://site{i}-0.example/search?q={{}}
  scraper: searchScraper
sceneByQueryFragment:
  action: scrapeXPath
  queryURL: "{{url}}"
  scraper: sceneScraper
xPathScrapers:
  sceneScraper:
    common:
      $main: //div[@id="content"]
      $info: //div[contains(@class,"scene-info")]
    scene:
      Title:
        selector: $info/h1/text()
        postProcess:
          - replace:
              - regex: \\s+\\|\\s+Site{i}$
                with: ""
      Date:
        selector: $info//span[@class="date"]/text()
        postProcess:
          - replace:
              - regex: (\\d+)(st|nd|rd|th)
                with: $1
          - parseDate: January 2, 2006
{extra}
      Tags:
        Name: $info//a[contains(@href,"/tags/")]/text()
      Performers:
        Name:
          selector: $info//a[contains(@href,"/models/")]/text()
          postProcess:
            - map:
                "N/A": ""
        URL:
          selector: $info//a[contains(@href,"/models/")]/@href
          postProcess:
            - replace:
                - regex: ^
                  with: https://site{i}-0.example
      Studio:
        Name:
          fixed: Site {i}
  performerScraper:
    performer:
      Name: //h1/text()
      Height:
        selector: //li[span="Height"]/text()
        postProcess:
          - feetToCm: true
      Weight:
        selector: //li[span="Weight"]/text()
        postProcess:
          - replace:
              - regex: lbs?
                with: ""
          - lbToKg: true
      Birthdate:
        selector: //li[span="Born"]/text()
        postProcess:
          - parseDate: 01/02/2006
      Gender:
        fixed: Female
      Tags:
        Name: //div[@class="tags"]/a
  searchScraper:
    scene:
      Title: //div[@class="result"]/a/text()
      URL: //div[@class="result"]/a/@href
driver:
  cookies:
    - CookieURL: https://site{i}-0.example
      Cookies:
        - Name: age_verified
          Domain: .site{i}-0.example
          Value: "1"
          Path: /
  headers:
    - Key: Accept-Language
      Value: en-US
# Last Updated March 5, 2024
"""


def scraper_yaml(rng: random.Random, i: int) -> str:
    """One of several realistic scraper shapes (XPath, JSON, script, multi-site)."""
    domains = [f"site{i}-{k}.example/videos/" for k in range(rng.randint(1, 6))]
    urls = _block([f"- {d}" for d in domains], 6)
    kind = i % 4
    if kind == 3:
        return SCRIPT_TEMPLATE.format(i=i, urls=urls)
    if kind == 2:
        return JSON_TEMPLATE.format(i=i, urls=urls)
    fields = rng.sample(["Code", "Director", "Details", "Image", "URL"], k=rng.randint(2, 5))
    extra = []
    for f in fields:
        extra += [f"{f}:", f'  selector: $main//div[@class="{f.lower()}"]//text()', '  concat: " "']
    return XPATH_TEMPLATE.format(i=i, urls=urls, extra=_block(extra, 6))


def bench_load(count: int) -> tuple[float, int]:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        total = 0
        for i in range(count):
            folder = Path(tmp) / f"Site{i}"
            folder.mkdir()
            path = folder / f"Site{i}.yml"
            text = scraper_yaml(rng, i)
            path.write_text(text)
            total += len(text)
            paths.append(path)
        start = time.perf_counter()
        for path in paths:
            load_scraper(path)
        elapsed = time.perf_counter() - start
    return elapsed, total // count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args()

    ms, size, result = bench_scrape(args.runs)
    print(
        f"xpath scrape of a {size / 1024:.0f} KB page, 12 fields: "
        f"median {ms:.1f} ms over {args.runs} runs (goal ≤ 30 ms)"
    )
    print(
        f"  → title={result.get('title')!r} date={result.get('date')!r} "
        f"performers={len(result.get('performers', []))} tags={len(result.get('tags', []))} "
        f"groups={len(result.get('groups', []))}"
    )
    seconds, avg = bench_load(args.files)
    print(f"load + validate {args.files} scraper YAML files (avg {avg / 1024:.1f} KB): {seconds:.2f} s (goal ≤ 3 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
