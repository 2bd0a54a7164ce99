"""Dates: printed publication dates, date mentions, resolution, and inference."""

from __future__ import annotations


import pytest

from briefing.errors import BriefingError
from briefing.knowledge.dates import (
    DATA_FILE,
    PartialDate,
    date_words,
    find_date_mentions,
    find_printed_date,
    infer_article_date,
    parse_article_date,
    resolve_mention,
)
from tests.knowledge.seed_text import seed_body





# --------------------------------------------------------------------------- PartialDate


def test_partial_date_iso_and_precision():
    assert PartialDate(2021).iso() == "2021"
    assert PartialDate(2021, 6).iso() == "2021-06"
    assert PartialDate(2021, 6, 2).iso() == "2021-06-02"
    assert [PartialDate(2021).precision, PartialDate(2021, 6).precision, PartialDate(2021, 6, 2).precision] == [
        "year",
        "month",
        "day",
    ]


@pytest.mark.parametrize("args", [(2023, 2, 30), (2023, 13), (2023, None, 5)])
def test_partial_date_rejects_impossible_dates(args):
    with pytest.raises(ValueError):
        PartialDate(*args)


# --------------------------------------------------------------------------- printed dates


@pytest.mark.parametrize(
    "line, date, time",
    [
        ("發布時間:2021-06-02 16:50 文字大小: [ ] 瀏覽次數:", "2021-06-02", "16:50"),
        ("2024 10/31 16:35:15", "2024-10-31", "16:35:15"),
        ("  2021-07-28 13:39", "2021-07-28", "13:39"),
        ("2021年7月28日 13:39", "2021-07-28", "13:39"),
        ("date: 2022-03-09 15:27:08 +0800", "2022-03-09", "15:27:08"),
        ("2021/7/28", "2021-07-28", None),
        ("２０２１－０６－０２　１６：５０", "2021-06-02", None),
        ("2021.7.28", "2021-07-28", None),
    ],
)
def test_parse_article_date_shapes(line, date, time):
    parsed = parse_article_date(line)
    assert parsed is not None
    assert parsed[0].iso() == date
    assert parsed[1] == time


@pytest.mark.parametrize("line", ["admin8个月前 (09-24)镇江产业信息32", "2021-02-30", "没有日期", "电话 400 0123 021"])
def test_parse_article_date_none(line):
    assert parse_article_date(line) is None


def test_printed_date_keeps_timezone():
    printed = find_printed_date("date: 2022-03-09 15:27:08 +0800")
    assert printed.timezone == "+08:00"
    assert find_printed_date("2021-06-02 16:50").timezone is None


# --------------------------------------------------------------------------- mentions


def mention(text: str):
    (m,) = find_date_mentions(text)
    return m


def test_mentions_of_every_shape():
    assert (mention("3月23日—24日，代表团").month, mention("3月23日—24日，代表团").end_day) == (3, 24)
    assert mention("自2018年5月起，共建").kind == "start"
    assert mention("截至2023年底，集聚").kind == "cutoff"
    assert mention("截至2023年底，集聚").part == "end"
    assert mention("这是继今年2月中旬，无锡").part == "mid"
    assert mention("预计2025年投入使用").planned_cue
    assert mention("今年以来，滨湖").kind == "start"
    assert mention("力争到‘十四五’末，打造").year == 2025


def test_mentions_skip_titles_comparisons_and_figures():
    assert find_date_mentions("《无锡太湖湾科技创新带发展规划(2020-2025年)》发布") == []
    assert find_date_mentions("同比去年增长，去年同期") == []
    assert find_date_mentions("湖域面积2338平方公里，近年来，今后，未来") == []
    assert find_date_mentions("第二届峰会，6个月，1到3年的培训") == []


def test_start_cue_is_not_a_start_in_other_words():
    assert mention("2020年起草的文件").kind == "point"
    assert mention("今年2月前往深圳").planned_cue is False


# --------------------------------------------------------------------------- resolution


def test_bare_date_takes_article_year():
    r = resolve_mention(mention("5月27日，论坛上签约"), PartialDate(2021, 6, 2))
    assert r.start.iso() == "2021-05-27" and not r.planned


def test_bare_december_date_in_january_article_is_last_year():
    r = resolve_mention(mention("12月29日，科技部发布规划"), PartialDate(2022, 1, 5))
    assert r.start.iso() == "2021-12-29"
    assert not r.planned


def test_planned_bare_date_stays_in_article_year():
    r = resolve_mention(mention("将于12月29日举行"), PartialDate(2022, 1, 5))
    assert r.start.iso() == "2022-12-29"
    assert r.planned


def test_relative_years_and_future_parts():
    article = PartialDate(2021, 6, 2)
    assert resolve_mention(mention("去年12月29日，发布"), article).start.iso() == "2020-12-29"
    assert resolve_mention(mention("前年，发布"), article).start.iso() == "2019"
    end_of_year = resolve_mention(mention("今年年底人才数量可以达到100人"), article)
    assert (end_of_year.start.iso(), end_of_year.part, end_of_year.planned) == ("2021", "end", True)
    assert resolve_mention(mention("今年3月，启用"), article).planned is False


def test_relative_year_needs_an_article_date():
    assert resolve_mention(mention("今年3月，启用"), None) is None
    assert resolve_mention(mention("2020年，启用"), None).start.iso() == "2020"


# --------------------------------------------------------------------------- inference


def test_infer_seed_001_from_a_past_year_and_this_years_months():
    paragraphs = seed_body("001", "太湖湾风起", "“无锡将以加快")
    assert infer_article_date(paragraphs) == PartialDate(2023, 3)


@pytest.mark.parametrize(
    "prefix, first, last, expected",
    [
        ("000", "科創,長三角這個", "科技創新既要", PartialDate(2021, 5)),
        ("002", "5月,长三角科技创新", "“协力打造", PartialDate(2021, 7)),
        ("003", "10月29日", "截至2023年底", PartialDate(2024, 10)),
        ("004", "今年政府工作报告", "制造业百强园区", PartialDate(2022)),
    ],
)
def test_infer_agrees_with_the_printed_dates_of_the_other_seeds(prefix, first, last, expected):
    # The printed dates are 2021-06-02, 2021-07-28, 2024-10-31, 2022-03-09.
    assert infer_article_date(seed_body(prefix, first, last)) == expected


def test_infer_rules():
    # A completed year (全年) is past; 今年 is another year.
    assert infer_article_date(["2022年，A与B达成合作，全年对接客商40余个。", "今年2月，代表团赴深圳。"]) == PartialDate(2023, 2)
    # Without a completed-year marker the stated year is the article's year.
    assert infer_article_date(["2022年首季重大项目推进会上，项目开工。"]) == PartialDate(2022)
    # 去年 in the same sentence as one explicit year anchors it.
    assert infer_article_date(["去年6月，公司开业，这是2020年洽谈会上引进的项目。"]) == PartialDate(2021)
    # Planned years bound from above, never from below.
    assert infer_article_date(["2019年，公司成立。预计2025年投入使用。"]) == PartialDate(2019)
    # Nothing explicit: no inference.
    assert infer_article_date(["今年3月，中心启用。", "近年来，合作不断深化。"]) is None


def test_infer_is_never_day_precise():
    inferred = infer_article_date(["2023年3月5日，签约。", "3月8日，开工。"])
    assert inferred == PartialDate(2023, 3)
    assert inferred.precision == "month"


# --------------------------------------------------------------------------- vocabulary


def test_broken_vocabulary_names_the_file(tmp_path):
    text = DATA_FILE.read_text(encoding="utf-8").replace("  上旬: early", "  上旬: sometime")
    bad = tmp_path / "date_words.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(BriefingError) as err:
        date_words(bad)
    assert "date_words.yaml" in str(err.value) and "sometime" in str(err.value)


def test_invalid_yaml_names_the_line(tmp_path):
    bad = tmp_path / "date_words.yaml"
    bad.write_text("relative_years:\n  今年: 0\n bad: [\n", encoding="utf-8")
    with pytest.raises(BriefingError) as err:
        date_words(bad)
    assert err.value.line is not None
