"""Go's regexp (RE2 → Python re, ReplaceAllString templates) and Go time layouts."""

from __future__ import annotations

import pytest

from plugins_builtin.scrapers.engine.godate import GoTimeParseError, parse_go_date
from plugins_builtin.scrapers.engine.goregex import GoRegexError, compile_go, replace_all


def go_replace(pattern: str, src: str, template: str) -> str:
    return replace_all(compile_go(pattern), src, template)


@pytest.mark.parametrize(
    ("pattern", "src", "template", "expected"),
    [
        (r"(Added\s)(.+)", "Added 12 December 2019", "$2", "12 December 2019"),
        (r"(\d+)-(\d+)", "10-20", "${2}:${1}", "20:10"),
        (r"(\d+)-(\d+)", "10-20", "$1_$2", "20"),  # $1_ is the (unknown) group named "1_"
        (r"(\d+)-(\d+)", "10-20", "${1}_$2", "10_20"),
        (r"(?P<y>\d{4})-(?P<m>\d\d)", "2021-03", "$m/$y", "03/2021"),
        (r"(?<y>\d{4})-(?<m>\d\d)", "2021-03", "${m}.${y}", "03.2021"),
        (r"x", "axb", "$$", "a$b"),
        (r"x", "axb", "$", "a$b"),
        (r"x", "axb", "${", "a${b"),
        (r"(a)|(b)", "ab", "[$2]", "[][b]"),
        (r"^", "123", "https://site/", "https://site/123"),
        (r"$", "123", "/", "123/"),
        (r"$", "line\n", "!", "line\n!"),  # Go's $ is the very end of the text
        (r"(?m)$", "a\nb", "!", "a!\nb!"),
        (r"x*", "abxd", "-", "-a-b-d-"),  # no empty match right after a match (Go)
        (r"\d+", "a١٢b12", "#", "a١٢b#"),  # \d is ASCII only
        (r"\w+", "é-ab", "W", "é-W"),
        (r"\bcat\b", "cat écat", "dog", "dog édog"),
        (r"(?i)summer", "SUMMER sun", "winter", "winter sun"),
        (r"a(?i)b", "aB AB", "x", "x AB"),
        (r"[[:alpha:]]+", "ab12cd", "_", "_12_"),
        (r"[^[:digit:][:space:]]", "a 1b", ".", ". 1."),
        (r"\Qa.b\E", "a.b axb", "!", "! axb"),
        (r"\x{41}\x42", "AB", "ok", "ok"),
        (r"a{2,3}", "aaaa", "x", "xa"),
        (r"a{,2}", "a{,2}", "x", "x"),  # not a repeat in Go: literal braces
        (r"\pL+", "héllo 123", "W", "W 123"),
        (r"\s+", "a \t\nb", " ", "a b"),
        (r"[\d.]+", "v1.25x", "N", "vNx"),
    ],
)
def test_replace_all_like_go(pattern, src, template, expected):
    assert go_replace(pattern, src, template) == expected


@pytest.mark.parametrize(
    "pattern",
    [r"(?=x)", r"(?!x)", r"(?<=x)y", r"(?<!x)y", r"(a)\1", r"\Z", r"(unclosed", r"[z-a]", r"a**", r"(?U)a+", r"\k"],
)
def test_patterns_go_rejects_are_rejected(pattern):
    with pytest.raises(GoRegexError):
        compile_go(pattern)


@pytest.mark.parametrize(
    ("layout", "value", "expected"),
    [
        ("2006-01-02", "2021-03-05", "2021-03-05"),
        ("January 2, 2006", "March 5, 2021", "2021-03-05"),
        ("January 2, 2006", "march 5, 2021", "2021-03-05"),
        ("January 2, 2006", "March 05, 2021", "2021-03-05"),
        ("January 2, 2006", "March  5, 2021", "2021-03-05"),
        ("Jan 2, 2006", "Mar 5, 2021", "2021-03-05"),
        ("Jan 2, 2006", "SEP 30, 1999", "1999-09-30"),
        ("2 January 2006", "12 December 2019", "2019-12-12"),
        ("02.01.2006", "05.03.2021", "2021-03-05"),
        ("01/02/2006", "12/31/1999", "1999-12-31"),
        ("01/02/06", "03/05/21", "2021-03-05"),
        ("01/02/06", "03/05/69", "1969-03-05"),
        ("01/02/06", "03/05/68", "2068-03-05"),
        ("Monday, January 2, 2006", "Friday, March 5, 2021", "2021-03-05"),
        ("Mon Jan _2 2006", "Fri Mar  5 2021", "2021-03-05"),
        ("2 Jan 2006 15:04", "5 Mar 2021 23:59", "2021-03-05"),
        ("2006-01-02 15:04:05", "2021-03-05 07:08:09", "2021-03-05"),
        ("2006-01-02T15:04:05Z07:00", "2021-03-05T23:30:00-05:00", "2021-03-05"),
        ("2006-01-02T15:04:05Z07:00", "2021-03-05T23:30:00Z", "2021-03-05"),
        ("2006-01-02T15:04:05Z07:00", "2021-03-05T23:30:00.123456Z", "2021-03-05"),
        ("2006-01-02T15:04:05.000Z", "2021-03-05T23:30:00.123Z", "2021-03-05"),
        ("Mon Jan 2 15:04:05 MST 2006", "Fri Mar 5 10:00:00 PST 2021", "2021-03-05"),
        ("01/02/2006 3:04 PM", "03/05/2021 9:15 PM", "2021-03-05"),
        ("January 2006", "May 2020", "2020-05-01"),
        ("2006", "2019", "2019-01-01"),
        ("2006-002", "2020-060", "2020-02-29"),
        ("January 2", "March 5", "0000-03-05"),
        ("2006-01-02", "2020-02-29", "2020-02-29"),
    ],
)
def test_go_layouts(layout, value, expected):
    assert parse_go_date(layout, value) == expected


@pytest.mark.parametrize(
    ("layout", "value"),
    [
        ("2006-01-02", "2021-02-30"),
        ("2006-01-02", "2021-13-01"),
        ("2006-01-02", "2021-03-05 extra"),
        ("2006-01-02", "21-03-05"),
        ("Jan 02, 2006", "Mar 5, 2021"),  # 02 needs two digits
        ("January 2, 2006", "Sept 5, 2021"),
        ("2 January 2006", "5th March 2021"),  # no ordinals in Go
        ("2006-01-02", ""),
        ("15:04", "24:00"),
    ],
)
def test_go_layout_failures(layout, value):
    with pytest.raises(GoTimeParseError):
        parse_go_date(layout, value)
