"""Key figures: normalisation, what is not a figure, provenance."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.knowledge.figures import (
    DATA_FILE,
    chinese_number,
    extract_figures,
    find_figures,
    unit_table,
)
from briefing.text.script import to_simplified
from tests.knowledge.seed_text import seed_pairs as seed_body





def no_regions(sentence):
    return {"regions": [], "initiatives": [], "organisations": []}


def one(text: str):
    found = find_figures(text)
    assert len(found) == 1, found
    start, end, value, unit, approx = found[0]
    return text[start:end], value, unit, approx


@pytest.mark.parametrize(
    "text, expected",
    [
        ("实现技术交易成交金额约12亿元。", ("12亿元", 1.2e9, "CNY", True)),
        ("目前已经投资3000万元，", ("3000万元", 3e7, "CNY", False)),
        ("招引超100亿美元的华虹项目", ("100亿美元", 1e10, "USD", True)),
        ("集聚高新技术企业6700余家，", ("6700余家", 6700.0, "organisations", True)),
        ("汇聚20余万名科技专家信息", ("20余万名", 200000.0, "people", True)),
        ("总价值超过431亿元；", ("431亿元", 4.31e10, "CNY", True)),
        ("实现超过10000V的超高击穿电压", ("10000V", 10000.0, "volts", True)),
        ("规上工业总产值突破1.9万亿元，", ("1.9万亿元", 1.9e12, "CNY", True)),
        ("产值达到近9900亿元。", ("9900亿元", 9.9e11, "CNY", True)),
        ("合同输出1.4万余项，", ("1.4万余项", 14000.0, "items", True)),
        ("同比增长26.7%；", ("26.7%", 26.7, "percent", False)),
        ("湖域面积2338平方公里的太湖", ("2338平方公里", 2338.0, "km2", False)),
        ("整个基地约70亩，", ("70亩", 70.0, "mu", True)),
        ("130kW氢燃料电池空压机系统", ("130kW", 130.0, "kW", False)),
        ("累计吸引参展千余家次，", ("千余家次", 1000.0, "organisation-visits", True)),
        ("累计发布企业技术需求近千项，", ("千项", 1000.0, "items", True)),
        ("“一千平方米、一栋楼”的故事", ("一千平方米", 1000.0, "m2", False)),
        ("平台累计访问量超过120万人次。", ("120万人次", 1.2e6, "person-times", True)),
        ("每天有超过1000人生活在嘉定", ("1000人", 1000.0, "people", True)),
        ("往返一趟能省200多元。", ("200多元", 200.0, "CNY", True)),
        ("总投资443.3亿元；", ("443.3亿元", 4.433e10, "CNY", False)),
    ],
)
def test_normalised_values(text, expected):
    assert one(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "第二届苏锡常一体化发展合作峰会",
        "排名前30位，南京第4、苏州第5",
        "2021年5月27日，签约。",
        "成功引进大族机器人(11.180, 0.06, 0.54%)、偲百创等企业",
        "产业招商：400 0123 021 或手机：13391219793",
        "全力构建‘6+2+X’现代产业体系，G60科创走廊，G312产业创新走廊",
        "打造千亿级产业集群、从5000亿级向6000亿级攀升、超万亿",
        "6个月后，1到3年的培训，6英寸碳化硅",
        "引进人才，名单公布，千家万户",
    ],
)
def test_not_figures(text):
    assert find_figures(text) == []


def test_chinese_numerals():
    assert [chinese_number(t) for t in ["一千", "千", "两万", "三百五十", "十", "十五", "万亿", "两千万"]] == [
        1000, 1000, 20000, 350, 10, 15, 10**12, 2 * 10**7,
    ]


def test_sentence_paragraph_and_regions():
    calls = []

    def annotate(sentence):
        calls.append(sentence)
        return {"regions": ["taicang"] if "太仓" in sentence else [], "initiatives": [], "organisations": []}

    original = "太倉市科技産業園佔地1000畝。其他城市也有20個項目。"
    figures = extract_figures([("無關段落。", "无关段落。"), (original, to_simplified(original))], annotate)
    assert [(f["text"], f["paragraph"], f["sentence"], f["regions"]) for f in figures] == [
        ("1000亩", 2, "太倉市科技産業園佔地1000畝。", ["taicang"]),
        ("20个", 2, "其他城市也有20個項目。", []),
    ]
    assert all(c == to_simplified(c) for c in calls)


def test_seed003_key_figures():
    figures = extract_figures(seed_body("003", "10月29日", "截至2023年底"), no_regions)
    by_text = {f["text"]: f for f in figures}
    assert by_text["12亿元"]["value"] == 1.2e9 and by_text["12亿元"]["approx"]
    assert by_text["6700余家"]["unit"] == "organisations"
    assert by_text["1.9万亿元"]["value"] == 1.9e12
    assert by_text["9900亿元"]["sentence"].startswith("截至2023年底,嘉昆太協同創新核心圈")
    assert not any(f["unit"] == "percent" and f["value"] == 0.54 for f in figures)
    paragraphs = [f["paragraph"] for f in figures]
    assert paragraphs == sorted(paragraphs)


def test_seed001_stock_quotes_are_not_figures():
    figures = extract_figures(seed_body("001", "太湖湾风起", "“无锡将以加快"), no_regions)
    assert not [f for f in figures if f["unit"] == "percent"]
    assert {"400余家", "30多个", "10多家", "10家"} <= {f["text"] for f in figures}


def test_bad_unit_table_names_the_file(tmp_path):
    bad = tmp_path / "units.yaml"
    bad.write_text(DATA_FILE.read_text(encoding="utf-8").replace("  个: [月,", "  根: [月,"), encoding="utf-8")
    with pytest.raises(BriefingError) as err:
        unit_table(bad)
    assert "units.yaml" in str(err.value) and "根" in str(err.value)


ALPHABET = "0123456789.,%约近超过余多万亿千百十一两元美家名人个项平方公里米亩kWV第前年月日()（）、，。"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_text_gives_well_formed_figures(text):
    for start, end, value, unit, approx in find_figures(text):
        assert 0 <= start < end <= len(text)
        assert value >= 0 and isinstance(approx, bool)
        assert unit in set(unit_table().units.values())
