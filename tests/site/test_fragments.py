"""Golden fragments: the rendered bits that pin behaviour (dates, links, escaping, anchors)."""

from __future__ import annotations

import re

import pytest

from briefing.site import dates
from briefing.site.body import parse_body
from briefing.site.bodyhtml import render_body


@pytest.mark.parametrize("iso, precision, text", [
    ("2021-05-27", "day", "2021年5月27日"),
    ("2021-05", "month", "2021年5月"),
    ("2021-05-01", "month", "2021年5月"),          # a month-precision date is never printed as the 1st
    ("2021", "year", "2021年"),
    ("2021-05-01", "year", "2021年"),
    ("2023-02-11", "part-of-month", "2023年2月中旬"),
    ("2023-02-01", "part-of-month", "2023年2月上旬"),
    ("2023-02-21", "part-of-month", "2023年2月下旬"),
    ("2021-04", "season", "2021年春季"),
])
def test_dates_show_their_precision_honestly(iso, precision, text):
    assert dates.format_date(iso, precision) == text


@pytest.mark.parametrize("iso, precision, attr", [
    ("2021-05-27", "day", "2021-05-27"), ("2021-05", "month", "2021-05"), ("2021-05-27", "month", "2021-05"),
    ("2021", "year", "2021"), ("2023-02-11", "part-of-month", "2023-02"),
])
def test_machine_dates_keep_the_same_precision(iso, precision, attr):
    assert dates.datetime_attr(iso, precision) == attr


def test_event_phrases_for_ranges_starts_and_cutoffs():
    assert dates.format_event_date("2023-03-23", "day", "range", "2023-03-24") == "2023年3月23日—24日"
    assert dates.format_event_date("2023-03-30", "day", "range", "2023-04-02") == "2023年3月30日—4月2日"
    assert dates.format_event_date("2018-05", "month", "start") == "自2018年5月起"
    assert dates.format_event_date("2021-06", "month", "cutoff") == "截至2021年6月"
    assert dates.datetime_attr("2021-06-02", "day", "16:50", "+08:00") == "2021-06-02T16:50+08:00"


BODY = """第一段提到无锡和无锡高新区，再次提到无锡。

## 小标题

第二段又提到无锡，还有[链接里的无锡](https://example.org/)。

> 图为：无锡的园区
{.caption}

第四段 <script>alert(1)</script> 与 <img src=x onerror=alert(1)> 和 ![图](http://example.com/x.png)
"""


def _render(variant="hans", script="zh-Hans"):
    blocks, problems = parse_body(BODY)
    assert problems == ()
    forms = [("无锡高新区", "region:wuxi-gaoxinqu"), ("无锡", "region:wuxi"), ("無錫", "region:wuxi")]
    hrefs = {"region:wuxi": "../../regions/wuxi/", "region:wuxi-gaoxinqu": "../../regions/wuxi-gaoxinqu/"}
    return render_body(blocks, script, variant, forms, hrefs.__getitem__)


def test_body_numbering_anchors_and_captions():
    html = _render()
    assert re.findall(r'<p id="(p\d+)"', html) == ["p1", "p2", "p3", "p4"]
    assert '<h2 id="s1">小标题</h2>' in html
    assert '<p id="p3" class="caption">图为：无锡的园区</p>' in html


def test_first_mention_per_section_is_linked_longest_match_first():
    html = _render()
    p1 = html.split("\n")[0]
    assert p1 == ('<p id="p1">第一段提到<a class="ent ent-region" href="../../regions/wuxi/">无锡</a>和'
                  '<a class="ent ent-region" href="../../regions/wuxi-gaoxinqu/">无锡高新区</a>，再次提到无锡。</p>')
    p2 = html.split("\n")[2]
    # a new section links again; text inside an existing link is left alone
    assert p2.count('href="../../regions/wuxi/"') == 1
    assert '<a href="https://example.org/">链接里的无锡</a>' in p2


def test_raw_html_and_images_come_out_as_text():
    html = _render()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "http://example.com/x.png" not in re.findall(r'src="([^"]*)"', html)


def test_other_script_is_converted_once_and_still_linked():
    html = _render(variant="hant", script="zh-Hans")
    assert '<a class="ent ent-region" href="../../regions/wuxi/">無錫</a>' in html
    assert "第一段提到" in html  # unchanged characters stay as they are


def test_a_text_in_its_own_script_is_reproduced_exactly():
    blocks, _ = parse_body("著名的乾隆年間，髮型與頭髮。\n")
    html = render_body(blocks, "zh-Hant", "hant", [], lambda k: "")
    assert html == '<p id="p1">著名的乾隆年間，髮型與頭髮。</p>'
