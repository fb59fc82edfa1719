"""Fetching: driver headers and cookies reaching the server, errors, size caps, binary pages, CDP,
printHTML, charsets and timeouts."""

from __future__ import annotations

import time

import pytest

from plugins_builtin.scrapers.engine import ScrapeError, ScrapeTimeout, scrape

ECHO = """
name: Echo
sceneByURL:
  - action: scrapeXPath
    url: ["127.0.0.1"]
    scraper: s
{driver}
xPathScrapers:
  s:
    scene:
      Title: //li[@data-k="user-agent"]
      Details: //li[@data-k="cookie"]
      Code: //li[@data-k="x-api-key"]
      Director: //h1
"""

DRIVER = """
driver:
  headers:
    - Key: User-Agent
      Value: ObscuraTest/1.0
    - Key: X-Api-Key
      Value: secret
    - Key: ""
      Value: ignored
  cookies:
    - CookieURL: "{base}"
      Cookies:
        - Name: age_verified
          Value: "yes"
          Path: /
        - Name: sid
          ValueRandom: 16
          Domain: 127.0.0.1
        - Name: foreign
          Value: "1"
          Domain: .example.com
    - CookieURL: "https://other.example/"
      Cookies:
        - Name: other
          Value: "2"
"""


def test_headers_and_cookies_reach_the_server(server, make_scraper, log):
    defn = make_scraper(ECHO.format(driver=DRIVER.replace("{base}", server.base)), name="Echo")
    result = scrape(defn, "sceneByURL", {"url": server.url("/echo")}, log=log)
    assert result["title"] == "ObscuraTest/1.0"  # driver headers override the User-Agent
    assert result["code"] == "secret"
    cookies = dict(part.split("=", 1) for part in result["details"].split("; "))
    assert cookies["age_verified"] == "yes"
    assert len(cookies["sid"]) == 16 and cookies["sid"].isalnum()
    assert "foreign" not in cookies and "other" not in cookies
    assert any("domain .example.com does not match" in w for w in log.messages("warning"))
    headers = server.requests_to("/echo")[-1]["headers"]
    assert headers["X-Api-Key"] == "secret"


def test_default_user_agent_is_chrome_like(server, make_scraper, log):
    defn = make_scraper(ECHO.format(driver=""), name="Echo")
    result = scrape(defn, "sceneByURL", {"url": server.url("/echo")}, log=log)
    assert result["title"].startswith("Mozilla/5.0") and "Chrome/" in result["title"]
    assert "details" not in result


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/status/404", "^http error 404: Not Found$"),
        ("/status/503", "^http error 503: Service Unavailable$"),
        ("/redirect-loop", "redirects"),
        ("/binary", "is not an HTML page \\(content type application/octet-stream\\)"),
        ("/binary-untyped", "is not an HTML page \\(binary content\\)"),
        ("/images/cover.png", "is not an HTML page \\(content type image/png\\)"),
        ("/big", "larger than 10 MB"),
    ],
)
def test_fetch_errors(server, make_scraper, log, path, message):
    defn = make_scraper(ECHO.format(driver=""), name="Echo")
    with pytest.raises(ScrapeError, match=message):
        scrape(defn, "sceneByURL", {"url": server.url(path)}, log=log)


def test_connection_refused_is_a_scrape_error(make_scraper, log):
    defn = make_scraper(ECHO.format(driver=""), name="Echo")
    with pytest.raises(ScrapeError, match="could not fetch"):
        scrape(defn, "sceneByURL", {"url": "http://127.0.0.1:9/x"}, log=log)


def test_slow_server_times_out(server, make_scraper, log):
    defn = make_scraper(ECHO.format(driver=""), name="Echo")
    start = time.monotonic()
    with pytest.raises(ScrapeTimeout, match="timed out"):
        scrape(defn, "sceneByURL", {"url": server.url("/slow")}, log=log, fetch_timeout=1)
    assert time.monotonic() - start < 2.5


def test_use_cdp_needs_a_browser(server, make_scraper, log):
    defn = make_scraper(ECHO.format(driver="driver:\n  useCDP: true\n  sleep: 3"), name="Echo")
    before = len(server.requests_to("/echo"))
    with pytest.raises(
        ScrapeError, match=r"^scraper 'Echo' needs a browser \(driver.useCDP\), which Obscura does not run$"
    ):
        scrape(defn, "sceneByURL", {"url": server.url("/echo")}, log=log)
    assert len(server.requests_to("/echo")) == before


def test_print_html_logs_the_document(server, make_scraper, log):
    defn = make_scraper(ECHO.format(driver="debug:\n  printHTML: true"), name="Echo")
    scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    infos = [m for m in log.messages("info") if m.startswith("loadURL (")]
    assert infos and "<title>Feature page</title>" in infos[0]


@pytest.mark.parametrize(("path", "title"), [("/latin1.html", "Café au lait – naïve"), ("/cp1251.html", "Привет")])
def test_pages_are_decoded_by_charset(server, make_scraper, log, path, title):
    defn = make_scraper(ECHO.format(driver=""), name="Echo")
    assert scrape(defn, "sceneByURL", {"url": server.url(path)}, log=log) == {"director": title}


def test_image_download_failure_keeps_the_url(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Img
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            scene:
              Image:
                fixed: "{base}/status/404"
        """.replace("{base}", server.base),
        name="Img",
    )
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result == {"image": server.url("/status/404")}
    assert any("Could not set image" in w and "http error 404" in w for w in log.messages("warning"))
