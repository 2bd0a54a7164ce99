"""Dated events: the issue's examples on the seeds, and each rule on small texts."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.knowledge.dates import PartialDate
from briefing.knowledge.events import extract_events
from briefing.text.script import to_simplified
from tests.knowledge.seed_text import seed_pairs as seed_body





REGION_WORDS = {"无锡": "wuxi", "深圳": "shenzhen", "太仓": "taicang", "嘉定": "jiading", "苏州": "suzhou"}


def annotate(sentence: str) -> dict[str, list[str]]:
    """A stand-in for the regions/initiatives tagger: plain substring look-ups."""
    regions = [rid for word, rid in REGION_WORDS.items() if word in sentence]
    initiatives = ["huantaihu-kechuang-quan"] if "环太湖科技创新圈" in sentence else []
    return {"regions": regions, "initiatives": initiatives, "organisations": []}


def events_of(prefix, first, last, article):
    return extract_events(seed_body(prefix, first, last), article, annotate)


def find(events, date, **fields):
    hits = [e for e in events if e["date"] == date and all(e[k] == v for k, v in fields.items())]
    assert hits, f"no event {date} {fields} in {[(e['date'], e['sentence'][:20]) for e in events]}"
    return hits[0]


# --------------------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seed000():
    return events_of("000", "科創,長三角這個", "科技創新既要", PartialDate(2021, 6, 2))


def test_seed000_circle_signed_in_wuxi(seed000):
    e = find(seed000, "2021-05-27", precision="day", kind="point", planned=False)
    assert e["paragraph"] == 1
    assert "長三角一體化發展高層論壇" in e["sentence"]  # original (Traditional) script
    assert "wuxi" in e["regions"] and "jiading" in e["regions"]
    assert e["initiatives"] == ["huantaihu-kechuang-quan"]


def test_seed000_last_years_events(seed000):
    assert "倡議書" in find(seed000, "2020-11", precision="month")["sentence"]
    opening = find(seed000, "2020-06", precision="month")
    assert "觀合" in opening["sentence"] and "wuxi" in opening["regions"]
    # "这是2020年…洽谈会上引进的项目" is the same event, not a year-only one.
    assert not [e for e in seed000 if e["date"] == "2020" and e["paragraph"] == opening["paragraph"] and e["part"] is None]
    assert "浙江大學無錫科技成果轉化中心" in find(seed000, "2021-03", precision="month")["sentence"]


def test_seed000_clauses_of_one_sentence(seed000):
    last_year_end = find(seed000, "2020", part="end")
    this_year = find(seed000, "2021", part=None, planned=True)
    assert last_year_end["sentence"] == "去年年底營收300萬元"
    assert this_year["sentence"] == "今年預計可達1億元。"
    assert find(seed000, "2021", part="end")["planned"] is True  # 今年年底 in a June article


def test_seed002_events():
    events = events_of("002", "5月,长三角科技创新", "“协力打造", PartialDate(2021, 7, 28))
    plan = find(events, "2020-12-29", precision="day")
    assert "科技部发布《长三角科技创新共同体建设发展规划》" in plan["sentence"]
    assert "建设办公室正式揭牌" in find(events, "2021-05-27")["sentence"]
    lead = [e for e in events if e["paragraph"] == 1]
    assert [(e["date"], e["sentence"][:2]) for e in lead] == [("2021-05", "5月"), ("2021-06", "6月"), ("2021-07", "7月")]
    assert all(e["precision"] == "month" and not e["planned"] for e in lead)
    assert find(events, "2020")["kind"] == "point"


def test_seed003_events():
    events = events_of("003", "10月29日", "截至2023年底", PartialDate(2024, 10, 31))
    meeting = find(events, "2024-10-29", precision="day")
    assert meeting["sentence"] == "10月29日,2024年嘉昆太協同創新核心圈輪值會議在江蘇太倉舉行。"
    assert "taicang" in meeting["regions"]
    assert not [e for e in events if e["date"] == "2024" and e["paragraph"] == 1]
    start = find(events, "2018-05", kind="start")
    assert start["precision"] == "month" and "嘉昆太" in start["sentence"]
    hospital = find(events, "2025", planned=True)
    assert "瑞金醫院太倉分院" in hospital["sentence"] and hospital["precision"] == "year"
    assert find(events, "2023", kind="cutoff")["part"] == "end"
    assert find(events, "2024-06", kind="cutoff")["precision"] == "month"


def test_seed001_events_on_the_inferred_date():
    events = events_of("001", "太湖湾风起", "“无锡将以加快", PartialDate(2023, 3))
    trip = find(events, "2023-03-23", kind="range")
    assert trip["end"] == "2023-03-24" and trip["precision"] == "day"
    assert "shenzhen" in trip["regions"] and trip["paragraph"] == 2
    assert find(events, "2023-02", part="mid")["precision"] == "month"
    assert "滨湖与深圳" in find(events, "2022", kind="point")["sentence"]
    assert find(events, "2025", part="end")["planned"] is True  # 力争到‘十四五’末


def test_seed004_events():
    events = events_of("004", "今年政府工作报告", "制造业百强园区", PartialDate(2022, 3, 9))
    assert find(events, "2022", part="q1")["sentence"].startswith("在苏州工业园区2022年首季重大项目推进会现场")
    assert find(events, "2022", part="first-half")["planned"] is True
    assert "国家集成电路制造业创新中心" in find(events, "2021")["sentence"]  # 去年获批
    assert all(e["date"] >= "2021" for e in events)


def test_events_sorted_and_shaped(seed000):
    keys = [(e["date"], e["paragraph"]) for e in seed000]
    assert keys == sorted(keys)
    assert set(seed000[0]) == {
        "date", "end", "precision", "part", "kind", "planned", "paragraph", "sentence",
        "regions", "initiatives", "organisations",
    }


# --------------------------------------------------------------------------- rules


def run(text: str, article=PartialDate(2023, 6, 15)):
    return extract_events([(text, to_simplified(text))], article, annotate)


def test_ranges():
    (e,) = run("3月23日至25日，代表团赴深圳。")
    assert (e["date"], e["end"], e["kind"], e["precision"]) == ("2023-03-23", "2023-03-25", "range", "day")
    (e,) = run("2020-2025年，全市投入持续增长。")
    assert (e["date"], e["end"], e["precision"]) == ("2020", "2025", "year")
    (e,) = run("12月30日至1月2日，展会举行。", PartialDate(2023, 1, 10))
    assert (e["date"], e["end"]) == ("2022-12-30", "2023-01-02")
    (e,) = run("5月至7月，举办系列活动。")
    assert (e["date"], e["end"], e["precision"]) == ("2023-05", "2023-07", "month")


def test_year_rolls_back_for_past_statements_only():
    january = PartialDate(2023, 1, 8)
    assert run("12月29日，科技部发布规划。", january)[0]["date"] == "2022-12-29"
    planned = run("展会将于12月29日举行。", january)[0]
    assert (planned["date"], planned["planned"]) == ("2023-12-29", True)


def test_planned_flags():
    assert run("预计2025年投入使用。")[0]["planned"] is True
    assert run("力争到2030年建成。")[0]["planned"] is True
    assert run("2025年，将建成科创中心。")[0]["planned"] is True
    assert run("2021年，公司成立。")[0]["planned"] is False
    assert run("2026年底前全部完工。")[0]["planned"] is True  # after the article date
    assert run("到2020年底，全市已建成5G基站。")[0]["planned"] is False  # 到 + a past year: a result


def test_parts_of_months_and_years():
    (e,) = run("今年5月上旬，签约。")
    assert (e["date"], e["precision"], e["part"]) == ("2023-05", "month", "early")
    (e,) = run("4月下旬，开工。")
    assert e["part"] == "late"
    (e,) = run("去年年初，项目启动。")
    assert (e["date"], e["precision"], e["part"]) == ("2022", "year", "start")


def test_cutoffs_and_starts():
    (e,) = run("截至2023年底，集聚企业6700余家。")
    assert (e["date"], e["kind"], e["part"]) == ("2023", "cutoff", "end")
    assert run("截至目前，对接企业400余家。") == []
    (e,) = run("自2018年5月起，两地共建。")
    assert (e["date"], e["kind"]) == ("2018-05", "start")
    (e,) = run("今年以来，滨湖共建研究院。")
    assert (e["date"], e["kind"]) == ("2023", "start")


def test_not_dates():
    assert run("近年来，今后，未来，合作深化。") == []
    assert run("湖域面积2338平方公里，增长26.7%。") == []
    assert run("发布《发展规划(2020-2025年)》，举办第三届论坛。") == []
    assert run("与去年同期相比增长12%。") == []


def test_several_events_in_one_sentence_get_their_own_clauses():
    text = "5月，办公室揭牌，联盟亮相；6月，中心启动运行；7月，领导小组举行会议。"
    events = run(text, PartialDate(2021, 7, 28))
    assert [(e["date"], e["sentence"]) for e in events] == [
        ("2021-05", "5月，办公室揭牌，联盟亮相；"),
        ("2021-06", "6月，中心启动运行；"),
        ("2021-07", "7月，领导小组举行会议。"),
    ]
    two = run("去年年底营收300万元，今年预计可达1亿元。", PartialDate(2021, 6, 2))
    assert [e["sentence"] for e in two] == ["去年年底营收300万元", "今年预计可达1亿元。"]


def test_provenance_is_original_script_and_annotate_gets_simplified():
    seen = []

    def spy(sentence):
        seen.append(sentence)
        return {"regions": ["wuxi"], "initiatives": [], "organisations": ["x"]}

    original = "5月27日，環太湖科技創新圈在無錫簽約。"
    (e,) = extract_events([(original, to_simplified(original))], PartialDate(2021, 6, 2), spy)
    assert e["sentence"] == original
    assert seen == ["5月27日，环太湖科技创新圈在无锡签约。"]
    assert (e["regions"], e["organisations"]) == (["wuxi"], ["x"])


def test_relative_dates_need_an_article_date():
    assert run("今年3月，中心启用。", None) == []
    assert run("2020年，中心启用。", None)[0]["date"] == "2020"


def test_deterministic():
    body = seed_body("003", "10月29日", "截至2023年底")
    assert extract_events(body, PartialDate(2024, 10, 31), annotate) == extract_events(
        body, PartialDate(2024, 10, 31), annotate
    )


ALPHABET = "0123456789年月日号今去前明同当至到—-~截止自从起以来预计将力争底初旬上中下半季度，。；：、“”《》()（）元亿万家个的与和在无锡深圳十四五末"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60), st.sampled_from([None, PartialDate(2023), PartialDate(2023, 1, 31)]))
def test_any_text_gives_well_formed_events(text, article):
    events = extract_events([(text, text)], article, annotate)
    keys = [(e["date"], e["paragraph"]) for e in events]
    assert keys == sorted(keys)
    for e in events:
        assert e["precision"] in {"day", "month", "year"}
        assert e["kind"] in {"point", "range", "start", "cutoff"}
        assert e["sentence"] and e["sentence"] in text
        if e["end"] is not None:
            assert e["end"] >= e["date"]
