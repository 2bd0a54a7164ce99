"""Initiative and topic extraction on small excerpts (Simplified-folded, as callers pass them)."""

from __future__ import annotations

import pytest

from briefing.knowledge.initiatives import extract_initiatives, initiatives_in
from briefing.knowledge.topics import THRESHOLD, extract_topics
from briefing.knowledge.vocab import load_vocabularies
from briefing.text.script import to_simplified


@pytest.fixture(scope="module")
def vocab():
    return load_vocabularies()


def ids(result):
    return [r["id"] for r in result]


# --------------------------------------------------------------------------- initiatives


@pytest.mark.parametrize("sentence, expected", [
    ("由“两区六市”共建的环太湖科技创新圈在无锡签下了战略合作框架协议",
     ["huantaihu-kechuang-quan"]),
    ("此次“环太湖科创圈”的正式签约", ["huantaihu-kechuang-quan"]),
    ("5月27日，长三角一体化发展高层论坛上", ["changsanjiao-yitihua"]),
    ("作为长三角G60科创走廊城市的宣城", ["g60-kechuang-zoulang"]),
    ("Ｇ６０科创走廊", ["g60-kechuang-zoulang"]),
    ("第二届苏锡常一体化发展合作峰会上，共同发布《苏锡常共建太湖湾科创带倡议书》",
     ["suxichang-yitihua", "taihuwan-kechuang-dai"]),
    ("2024年嘉昆太协同创新核心圈轮值会议在江苏太仓举行", ["jiakuntai"]),
    ("搭上嘉昆太协同圈‘快车’", ["jiakuntai"]),
    ("苏南自创区开启“卓越工程”", ["sunan-zichuangqu"]),
    ("发挥苏南国家自主创新示范区的叠加效应", ["sunan-zichuangqu"]),
    ("长三角科技创新共同体建设办公室揭牌", ["changsanjiao-kechuang-gongtongti"]),
    ("6月，长三角国家技术创新中心揭牌并正式启动运行", ["changsanjiao-guochuang-zhongxin"]),
    ("下好“双湾”科技产业融合“先手棋”", ["shuangwan-ronghe"]),
    ("奏响“两湾”融合创新", ["shuangwan-ronghe"]),
    ("无锡太湖湾科创带核心示范区", ["taihuwan-kechuang-dai"]),
    ("参与长三角—粤港澳大湾区产业创新合作(无锡)试验区建设", ["changsanjiao-dawanqu-shiyanqu"]),
    ("长三角-粤港澳大湾区产业创新合作（无锡）试验区", ["changsanjiao-dawanqu-shiyanqu"]),
    # no initiative: the lake, the bay, the delta itself
    ("湖域面积2338平方公里的太湖", []),
    ("太湖湾风起逐新浪", []),
    ("长三角城市都在大力发展集成电路", []),
])
def test_initiatives_in(vocab, sentence, expected):
    assert initiatives_in(sentence, vocab) == expected


def test_traditional_source_text(vocab):
    text = to_simplified("長三角一體化高質量發展，嘉昆太協同創新核心圈")
    assert initiatives_in(text, vocab) == ["changsanjiao-yitihua", "jiakuntai"]


def test_initiatives_in_dedupes_in_order(vocab):
    text = "嘉昆太与环太湖科创圈，嘉昆太"
    assert initiatives_in(text, vocab) == ["jiakuntai", "huantaihu-kechuang-quan"]


def test_initiative_scores(vocab):
    result = extract_initiatives(
        "“嘉昆太”同圈再书新华章",
        ["10月29日，2024年嘉昆太协同创新核心圈轮值会议在江苏太仓举行。",
         "乘着长三角一体化发展东风。", "嘉昆太人才协同东风越吹越劲。"],
        vocab)
    assert ids(result) == ["jiakuntai", "changsanjiao-yitihua"]
    top, passing = result[0]["score"], result[1]["score"]
    assert 0.9 <= top <= 1.0 and passing == 0.28  # one body mention
    assert all(round(r["score"], 2) == r["score"] for r in result)
    assert extract_initiatives("", [], vocab) == []


def test_title_weighs_more_than_lead_and_body(vocab):
    in_title = extract_initiatives("环太湖科创圈", ["无关。"], vocab)[0]["score"]
    in_lead = extract_initiatives("", ["环太湖科创圈。"], vocab)[0]["score"]
    in_body = extract_initiatives("", ["无关。", "环太湖科创圈。"], vocab)[0]["score"]
    assert in_title > in_lead > in_body > 0


def test_sorted_by_score_then_id(vocab):
    result = extract_initiatives("", ["无关。", "嘉昆太，环太湖科创圈。"], vocab)
    assert ids(result) == ["huantaihu-kechuang-quan", "jiakuntai"]  # equal scores: by id
    assert result[0]["score"] == result[1]["score"]


# --------------------------------------------------------------------------- topics


def test_topics_of_a_chip_paragraph(vocab):
    result = extract_topics(
        "集成电路产业创新集群",
        ["无锡将重点突破集成电路设计、封测、材料、制造等领域关键技术，推动形成集成电路全产业链。",
         "去年获批国家集成电路制造业创新中心。"],
        vocab)
    assert result[0]["id"] == "integrated-circuits"
    assert result[0]["score"] > 0.9
    assert "industrial-chain" in ids(result)
    assert all(THRESHOLD <= r["score"] <= 1 for r in result)
    scores = [(-r["score"], r["id"]) for r in result]
    assert scores == sorted(scores)


def test_longer_cue_hides_shorter(vocab):
    # 医疗器械 is biomedicine; 医疗 alone would not be a public-services cue either
    result = ids(extract_topics("", ["高端医疗器械的生产研发。", "医疗器械企业。"], vocab))
    assert "biomedicine" in result and "public-services" not in result


def test_passing_cue_stays_below_threshold(vocab):
    long_text = ["这是一段与主题无关的文字，讲述城市的历史与风景。" * 4] * 8
    result = extract_topics("", long_text + ["公司获得一笔投资。"], vocab)
    assert "finance-capital" not in ids(result)
    assert extract_topics("", [], vocab) == []


@pytest.mark.parametrize("paragraph, topic", [
    ("三地医保定点零售药房实现跨省异地购药直接结算，打通互助帮困医保。", "public-services"),
    ("自江阴高新区在上海张江建了无锡首家驻沪科创飞地后，此类飞地离岸孵化模式正在为多个板块追逐。",
     "science-enclaves"),
    ("累计发布企业技术需求近千项，实现技术交易成交金额约12亿元，推动科技成果转化。",
     "technology-transfer"),
    ("持续建设市场化、法治化、国际化一流营商环境，嘉昆太营商环境共同体。", "business-environment"),
    ("国家重大科技基础设施首套试验台位顺利点火，长三角国家技术创新中心揭牌。", "research-platforms"),
    ("上海嘉定是全国首批智能网联汽车开放道路测试城市之一，南山车联网小镇。", "vehicles"),
    ("成功解决了氢燃料电池空压机系统项目，光伏与储能项目落地。", "energy-low-carbon"),
    ("研发高能量密度的硅基负极材料，高温合金关键材料。", "new-materials"),
    ("中心将加快引进高层次人才，科技人才与领军人才齐聚。", "talent"),
    ("对接知名投资机构及基金30多个，带动社会资本投入超过10亿元。", "finance-capital"),
    ("基于ai图像识别技术和算法，人工智能企业。", "artificial-intelligence"),
    ("打造数字产业集群，助力数字经济发展，物联网与云计算。", "digital-economy"),
    ("生物医药产业专项政策，创新药和医疗器械。", "biomedicine"),
    ("在产业链、创新链上深度对接，推动产业协同。", "industrial-chain"),
    ("继续深入实施制造业“智改数转”三年行动，智能制造与高端装备。", "advanced-manufacturing"),
])
def test_each_topic_has_working_cues(vocab, paragraph, topic):
    assert topic in ids(extract_topics("", [paragraph], vocab))
