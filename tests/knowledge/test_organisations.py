"""Organisations: boundaries, canonical names, kinds, ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.knowledge.organisations import (
    ALIASES_FILE,
    KINDS_FILE,
    extract_organisations,
    organisation_id,
    organisation_vocabulary,
    organisations_in,
)
from briefing.text.script import to_simplified
from tests.knowledge.seed_text import seed_body





def names(text: str) -> list[str]:
    return [o["name"] for o in extract_organisations([to_simplified(text)])]


# --------------------------------------------------------------------------- boundaries


def test_boundaries_of_a_long_phrase():
    text = "今年3月，由无锡高新区与浙江大学工研院合作共建的浙江大学无锡科技成果转化中心正式启用。"
    assert names(text) == ["浙江大学", "浙江大学工研院", "浙江大学无锡科技成果转化中心"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("和位于嘉定的中国科学院上海应用物理研究所、中国科学院上海硅酸盐研究所建立了合作",
         ["中国科学院", "中国科学院上海应用物理研究所", "中国科学院上海硅酸盐研究所"]),
        ("同时将持续强化国家超级计算(无锡)中心、国家集成电路特色工艺及封装测试创新中心的建设",
         ["国家超级计算(无锡)中心", "国家集成电路特色工艺及封装测试创新中心"]),
        ("上海观合医药旗下的全资子公司无锡观合医学检验所在无锡开业", ["无锡观合医学检验所"]),
        ("利用江苏未来网络研究院建设的骨干网络资源，与华为、紫金山实验室、上海交通大学一起",
         ["江苏未来网络研究院", "华为", "紫金山实验室", "上海交通大学"]),
        ("今年2月江阴高新区(深圳)创新中心正式启用以来", ["江阴高新区(深圳)创新中心"]),
        ("在日前科技部中国科技信息研究所发布的报告中", ["科学技术部", "中国科技信息研究所"]),
        ("成功引进无锡城建发展(4.960, 0.04, 0.81%)集团有限公司大湾区办事处", ["无锡城建发展集团有限公司"]),
    ],
)
def test_boundaries(text, expected):
    assert names(text) == expected


def test_generic_names_and_zones_are_not_organisations():
    assert names("引导离岸孵化中心、创新中心、人才工作站等发挥作用") == []
    assert names("按照三级甲等综合医院标准建设，区域内国家实验室的共建共享") == []
    assert names("在苏州工业园区2022年首季重大项目推进会现场，张江高科技园区") == []
    assert names("上海公司仅有1000平方米，未来公司将继续深耕") == []
    assert names("“太仓分院的工作人员，都会在总部培训。”") == []  # whose branch is not said


# --------------------------------------------------------------------------- canonical names


def test_aliases_are_canonicalised():
    assert names("上周我们刚刚带队去浙大，和浙大科技园正在谈合作。") == ["浙江大学", "浙江大学科技园"]
    assert names("背靠中科院相关院所这棵大树") == ["中国科学院"]
    assert names("牵头联合了中科院上海微系统所、中科院纳米所、南京大学") == [
        "中国科学院上海微系统与信息技术研究所",
        "中国科学院苏州纳米技术与纳米仿生研究所",
        "南京大学",
    ]
    assert names("上海交大、浙大等和多个城市都有此类合作") == ["上海交通大学", "浙江大学"]


def test_suffix_short_forms_are_written_out_and_deduplicated():
    text = "太仓市发改委相关负责人介绍。太仓市发展和改革委员会主任万芬奇说。"
    assert names(text) == ["太仓市发展和改革委员会"]
    assert names("无锡市科技局相关人士透露") == ["无锡市科学技术局"]


def test_nested_parents():
    assert names("瑞金医院太仓分院已进入最后的施工冲刺阶段") == ["瑞金医院", "瑞金医院太仓分院"]
    assert names("。中科院南京分院院长杨桂山介绍") == ["中国科学院", "中国科学院南京分院"]
    assert names("与香港城市大学物质科学研究院达成合作") == ["香港城市大学", "香港城市大学物质科学研究院"]


def test_kinds():
    found = {o["name"]: o["kind"] for o in extract_organisations([to_simplified(
        "深圳大学、江苏第三代半导体研究院、紫金山实验室、苏州佩瓦能源科技有限公司、"
        "太仓市科技产业园、长三角国家技术创新中心、瑞金医院太仓分院、中国科学院南京分院、"
        "苏南高新区一体化发展联盟、滨湖区科技局"
    )])}
    assert found == {
        "深圳大学": "university",
        "江苏第三代半导体研究院": "institute",
        "紫金山实验室": "lab",
        "苏州佩瓦能源科技有限公司": "company",
        "太仓市科技产业园": "park",
        "长三角国家技术创新中心": "centre",
        "瑞金医院": "hospital",
        "瑞金医院太仓分院": "hospital",
        "中国科学院": "institute",
        "中国科学院南京分院": "institute",
        "苏南高新区一体化发展联盟": "alliance",
        "滨湖区科学技术局": "government",
    }


def test_traditional_text_folds_to_the_same_names():
    assert names("中國科學院上海硅酸鹽研究所") == ["中国科学院", "中国科学院上海硅酸盐研究所"]


# --------------------------------------------------------------------------- ids


def test_ids():
    assert organisation_id("浙江大学") == "zhejiang-university"
    assert organisation_id("中国科学院上海硅酸盐研究所") == "cas-shanghai-institute-of-ceramics"
    assert organisation_id("无锡先进技术研究院") == "wuxixianjinjishu-research-institute"
    assert organisation_id("长三角国家技术创新中心").startswith("changsanjiao")
    assert organisation_id("无锡高新区(大湾区)创新中心") == "wuxigaoxinqu-dawanqu-chuangxin-centre"
    long_id = organisation_id("江苏省产业技术研究院流体工程装备技术研究所")
    assert re.fullmatch(r"[a-z0-9-]+", long_id) and len(long_id) < 70
    # Different suffixes, different ids.
    assert organisation_id("无锡先进技术研究所") != organisation_id("无锡先进技术研究院")


def test_organisations_in_a_sentence():
    sentence = to_simplified("由無錫高新區與浙江大學工研院合作共建的浙江大學無錫科技成果轉化中心")
    assert organisations_in(sentence) == [
        "zhejiang-university",
        "zhejiangdaxue-industrial-research-institute",
        "zhejiangdaxuewuxikejichengguozhuanhua-centre",
    ]
    assert organisations_in("近年来，合作不断深化。") == []


# --------------------------------------------------------------------------- seeds


def test_seed_organisations():
    seed001 = {o["name"] for o in extract_organisations(seed_body("001", "太湖湾风起", "“无锡将以加快"))}
    assert {"深圳人才集团", "深圳大学", "南方科技大学", "无锡高新区(大湾区)创新中心", "香港大学",
            "香港城市大学(无锡)创新科技中心", "无锡市人才集团"} <= seed001
    seed003 = extract_organisations(seed_body("003", "10月29日", "截至2023年底"))
    assert {"中国科学院上海硅酸盐研究所", "苏州佩瓦能源科技有限公司", "瑞金医院太仓分院"} <= {o["name"] for o in seed003}
    seed000 = [o["name"] for o in extract_organisations(seed_body("000", "科創,長三角這個", "科技創新既要"))]
    assert seed000.index("浙江大学") < seed000.index("浙江大学无锡科技成果转化中心")
    assert len(seed000) == len(set(seed000))
    for found in (seed001, {o["name"] for o in seed003}, set(seed000)):
        assert all(len(n) <= 22 for n in found)


def test_deterministic_and_ascii():
    body = seed_body("002", "5月,长三角科技创新", "“协力打造")
    first, second = extract_organisations(body), extract_organisations(body)
    assert first == second
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", o["id"]) for o in first)
    assert len({o["id"] for o in first}) == len(first)


# --------------------------------------------------------------------------- vocabulary


def test_alias_clash_names_the_file_and_entry(tmp_path):
    bad = tmp_path / "organisation_aliases.yaml"
    bad.write_text(ALIASES_FILE.read_text(encoding="utf-8").replace("aliases: [中科大]", "aliases: [浙大]"), encoding="utf-8")
    with pytest.raises(BriefingError) as err:
        organisation_vocabulary(KINDS_FILE, bad)
    message = str(err.value)
    assert "organisation_aliases.yaml" in message and "浙大" in message and err.value.line is not None


def test_unknown_kind_names_the_suffix(tmp_path):
    bad = tmp_path / "organisation_kinds.yaml"
    bad.write_text(KINDS_FILE.read_text(encoding="utf-8").replace("{kind: lab, slug: laboratory}", "{kind: labs, slug: laboratory}"), encoding="utf-8")
    with pytest.raises(BriefingError) as err:
        organisation_vocabulary(bad, ALIASES_FILE)
    assert "实验室" in str(err.value)


ALPHABET = "的与和及在由是等、，。()（）浙大中科院国家江苏无锡深圳大学研究所院公司有限集团中心产业园区实验室医院分院创新技术科技局书记说崔荣国"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_text_gives_well_formed_organisations(text):
    found = extract_organisations([text])
    assert len({o["name"] for o in found}) == len(found)
    for o in found:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", o["id"])
        assert len(o["name"]) <= 22 + 10  # canonical forms may be longer than the written ones
        assert o["kind"] in {"university", "institute", "lab", "company", "park", "centre", "hospital",
                             "alliance", "association", "government"}
