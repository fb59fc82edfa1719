"""Each postProcess operation on its own, over tables of awkward inputs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from plugins_builtin.scrapers.engine import ScrapeLog
from plugins_builtin.scrapers.engine.config import AttrConfig, PostOp, RegexReplace
from plugins_builtin.scrapers.engine.postprocess import (
    PostContext,
    apply_post,
    feet_to_cm,
    go_round,
    lb_to_kg,
    parse_date,
    subtract_days,
)


def run_ops(value: str, *ops: PostOp, field: str = "Field") -> tuple[str, ScrapeLog]:
    log = ScrapeLog("t")
    result = apply_post(AttrConfig(post=list(ops)), value, PostContext(None, log, field))
    return result, log


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5'10\"", "178"),
        ("5 ft 10 in", "178"),
        ("5ft10", "178"),
        ("6'", "183"),
        ("6", "183"),
        ("5' 2\"", "157"),
        ("4'11\" (150 cm)", "150"),  # only the first two digit runs count
        ("180cm", "5486"),  # feetToCm does not know centimetres: 180 ft
        ("", "0"),
        ("n/a", "0"),
        ("5'10.5\"", "178"),  # 5 ft 10 in; the .5 is a third run
    ],
)
def test_feet_to_cm(value, expected):
    assert feet_to_cm(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("130", "59"),
        ("130.5", "59"),
        ("121", "55"),
        ("0", "0"),
        ("1e2", "45"),
        ("-10", "-5"),
        ("130 lbs", "130 lbs"),
        (" 130", " 130"),
        ("", ""),
    ],
)
def test_lb_to_kg(value, expected):
    assert lb_to_kg(value) == expected


def test_go_round_is_half_away_from_zero():
    assert [go_round(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 2.4999)] == [1, 2, 3, -1, -3, 2]


@pytest.mark.parametrize(
    ("layout", "value", "expected"),
    [
        ("2006-01-02", "2021-03-05", "2021-03-05"),
        ("January 2, 2006", "March 5, 2021", "2021-03-05"),
        ("Jan 2, 2006", "Mar 5, 2021", "2021-03-05"),
        ("02.01.2006", "05.03.2021", "2021-03-05"),
        ("2 Jan 2006 15:04", "5 Mar 2021 23:59", "2021-03-05"),
        ("2006-01-02", "not a date", "not a date"),
        ("2 January 2006", "5th March 2021", "5th March 2021"),
        ("", "March 5, 2021", "March 5, 2021"),
        ("January 2, 2006", "TODAY", "2024-06-15"),
        ("", "yesterday", "2024-06-14"),
        ("2006-01-02", "Yesterday", "2024-06-14"),
    ],
)
def test_parse_date(layout, value, expected):
    assert parse_date(layout, value, ScrapeLog("t"), today=date(2024, 6, 15)) == expected


def test_parse_date_unix_is_local_time():
    stamp = 1614902400
    expected = datetime.fromtimestamp(stamp).date().isoformat()
    assert parse_date("unix", str(stamp), ScrapeLog("t")) == expected
    log = ScrapeLog("t")
    assert parse_date("unix", "16149e4", log) == "16149e4"
    assert "unix timestamp" in log.messages("warning")[0]


def test_parse_date_today_uses_the_clock():
    assert parse_date("2006-01-02", "today", ScrapeLog("t")) == date.today().isoformat()


def test_parse_date_failure_is_logged():
    log = ScrapeLog("t")
    assert parse_date("2006-01-02", "31/12/2020", log) == "31/12/2020"
    assert "Error parsing date string '31/12/2020' using format '2006-01-02'" in log.messages("warning")[0]


def test_subtract_days():
    today = date(2024, 3, 1)
    log = ScrapeLog("t")
    assert subtract_days("1", log, today) == "2024-02-29"
    assert subtract_days("0", log, today) == "2024-03-01"
    assert subtract_days("-2", log, today) == "2024-03-03"
    assert subtract_days("3 days", log, today) == "3 days"
    assert subtract_days("7", log) == (date.today() - timedelta(days=7)).isoformat()


def test_replace_pairs_in_order_with_trim_after_each():
    result, _ = run_ops(
        "  Added: 5 March 2021 ",
        PostOp("replace", [RegexReplace("Added:", ""), RegexReplace(r"(\d+) (\w+) (\d+)", "$2 $1, $3 ")]),
    )
    assert result == "March 5, 2021"


def test_invalid_regex_leaves_the_value_and_warns():
    result, log = run_ops(
        "abc", PostOp("replace", [RegexReplace("(?<=a)b", "x"), RegexReplace("c", "C"), RegexReplace("(", "")])
    )
    assert result == "abC"
    warnings = log.messages("warning")
    assert len(warnings) == 2 and all("Error compiling regex" in w for w in warnings)


def test_map_is_exact():
    table = {"F": "Female", "M": "Male"}
    assert run_ops("F", PostOp("map", table))[0] == "Female"
    assert run_ops("f", PostOp("map", table))[0] == "f"
    assert run_ops("F ", PostOp("map", table))[0] == "F "


def test_javascript_is_not_run_and_says_so():
    result, log = run_ops("2021", PostOp("javascript", "return value + '-01-01';"), field="Date")
    assert result == "2021"
    assert log.messages("warning") == ["javascript postProcess is not supported (field Date); the value is kept"]


def test_ops_chain_in_order():
    ops = [
        PostOp("replace", [RegexReplace(r"^Height:\s*", "")]),
        PostOp("feetToCm", True),
        PostOp("map", {"178": "one-seventy-eight"}),
    ]
    assert run_ops("Height: 5'10\"", *ops)[0] == "one-seventy-eight"


def test_sub_scraper_without_a_document_gives_empty():
    result, _ = run_ops("http://127.0.0.1:9/none", PostOp("subScraper", AttrConfig(selector="//b")))
    assert result == ""
