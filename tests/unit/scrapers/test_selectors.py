"""XPath node text, JSON (GJSON) values and body decoding, on their own."""

from __future__ import annotations

import json

import pytest

from plugins_builtin.scrapers.engine.charset import decode_body, determine_encoding
from plugins_builtin.scrapers.engine.jsonpath import JsonQuery, go_format_float
from plugins_builtin.scrapers.engine.query import QueryError
from plugins_builtin.scrapers.engine.xpath import XPathQuery

HTML = """<html><head><title>T</title></head><body>
<div id="a">  Hello&nbsp;<b>big</b>   world
  again<!-- hidden --><script>var x = 1;</script></div>
<p class="tabbed">a\tb</p>
<p class="empty">   </p>
<a href="/x?y=1&amp;z=2" title=" spaced ">link</a>
<!--  a comment  -->
<table id="t"><tr><td>r1</td></tr><tr><td>r2</td></tr></table>
<table id="u"><thead><tr><th>h</th></tr></thead><tbody><tr><td>b1</td></tr></tbody></table>
</body></html>"""


@pytest.fixture
def q() -> XPathQuery:
    return XPathQuery.from_text(HTML, "http://example.com/page")


def test_element_inner_text_is_trimmed_collapsed_and_newline_free(q):
    # a no-break space inside the text stays; at the ends it is trimmed like any space
    assert q.run('//div[@id="a"]') == ["Hello\xa0big world againvar x = 1;"]
    assert q.run('//div[@id="a"]/text()') == ["Hello", "world again"]


def test_tabs_are_kept_and_empty_values_dropped(q):
    assert q.run("//p") == ["a\tb"]


def test_attributes_are_values(q):
    assert q.run("//a/@href") == ["/x?y=1&z=2"]
    assert q.run("//a/@title") == ["spaced"]


def test_comment_nodes_render_as_html(q):
    assert q.run("//body/comment()") == ["<!-- a comment -->"]


def test_rows_get_a_tbody_like_html5(q):
    assert q.run('//table[@id="t"]/tbody/tr/td') == ["r1", "r2"]
    assert q.run('//table[@id="t"]/tr') == []
    assert q.run('//table[@id="u"]/tbody/tr/td') == ["b1"]
    assert q.run('//table[@id="u"]/thead/tr/th') == ["h"]


def test_scalar_expressions_select_nothing(q):
    assert q.run("count(//p)") == []
    assert q.run('concat("a", "b")') == []
    assert q.run("//p = 'x'") == []


def test_xpath2_functions_in_predicates(q):
    assert q.run('//a[ends-with(@href, "z=2")]') == ["link"]
    assert q.run('//title[lower-case(.) = "t"]') == ["T"]
    assert q.run(r'//a[matches(@href, "y=\d")]') == ["link"]


def test_invalid_xpath_is_a_query_error(q):
    with pytest.raises(QueryError, match="parse error"):
        q.run("//div[@id=")
    with pytest.raises(QueryError):
        q.run("//div[unknown-fn(.)]")


def test_charset_from_header_meta_and_fallbacks():
    latin = "<html><body><h1>Caf\xe9 \x96 na\xefve</h1></body></html>".encode("latin-1")
    assert decode_body(latin, "text/html; charset=ISO-8859-1").endswith("Café – naïve</h1></body></html>")
    cp1251 = (
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>'
        b"<body>\xcf\xf0\xe8\xe2\xe5\xf2</body></html>"
    )
    assert "Привет" in decode_body(cp1251, "text/html")
    assert determine_encoding(b'<meta charset="shift_jis">', None) == ("cp932", False)
    assert determine_encoding("<p>é</p>".encode(), None) == ("utf-8", False)
    assert determine_encoding(b"<p>\xe9</p>", None) == ("cp1252", False)
    assert determine_encoding(b"\xef\xbb\xbf<p>x</p>", "text/html; charset=latin1") == ("utf-8", True)
    assert decode_body(b"\xef\xbb\xbf<p>\xc3\xa9</p>", None) == "<p>é</p>"


DOC = json.dumps(
    separators=(",", ":"),
    obj={
        "title": "Summer",
        "count": 57,
        "price": 57.0,
        "ratio": 0.125,
        "big": 1e21,
        "ok": True,
        "none": None,
        "empty": "",
        "names": ["A", "B", None, "A"],
        "obj": {"k": "v"},
        "items": [{"n": "x", "v": 1}, {"n": "y", "v": 2.5}],
        "nested": [[1, 2], {"a": 1}],
    },
)


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("title", ["Summer"]),
        ("count", ["57"]),
        ("price", ["57"]),
        ("ratio", ["0.125"]),
        ("big", ["1000000000000000000000"]),
        ("ok", ["true"]),
        ("none", [""]),
        ("empty", [""]),
        ("missing", []),
        ("missing.deeper", []),
        ("names", ["A", "B", "", "A"]),
        ("names.1", ["B"]),
        ("names.#", ["4"]),
        ("obj", ['{"k":"v"}']),
        ("obj.k", ["v"]),
        ("items.#.n", ["x", "y"]),
        ("items.#.v", ["1", "2.5"]),
        ('items.#(n=="y").v', ["2.5"]),
        ("[title,count]", ["Summer", "57"]),
        ("nested", ["[1,2]", '{"a":1}']),
        ("names|@reverse", ["A", "", "B", "A"]),
    ],
)
def test_gjson_values(selector, expected):
    assert JsonQuery(DOC).run(selector) == expected


def test_objects_keep_their_raw_json_text():
    assert JsonQuery('{"o": {"a": [1, 2] }}').run("o") == ['{"a": [1, 2] }']


def test_go_float_format():
    assert [go_format_float(x) for x in (57.0, -0.5, 1e-7, 123456789.25)] == ["57", "-0.5", "0.0000001", "123456789.25"]
