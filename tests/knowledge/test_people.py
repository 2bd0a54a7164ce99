"""People: names with the roles the text gives them; one id across articles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.knowledge.people import ROLES_FILE, SURNAMES_FILE, extract_people, people_vocabulary, person_id
from briefing.text.script import to_simplified

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_lines(prefix: str) -> list[str]:
    """Every non-empty line of a seed, folded: boilerplate included, to test precision."""
    raw = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    raw = re.sub(r"<[^>]+>", "\n", raw)
    return [to_simplified(line.strip()) for line in raw.splitlines() if line.strip()]


def people(text: str) -> list[tuple[str, str | None]]:
    return [(p["name"], p["role"]) for p in extract_people([to_simplified(text)])]


# --------------------------------------------------------------------------- seeds


EXPECTED = {
    "000": [("李俊杰", "无锡国际生命科学创新园企业招商部负责人"), ("华兆哲", "滨湖区科技局局长")],
    "001": [
        ("柏长岭", "无锡市委常委、组织部部长"),
        ("崔荣国", "无锡高新区党工委书记"),
        ("孙海东", "无锡滨湖区委书记"),
        ("蒋维维", "无锡市滨湖区副区长"),
        ("赵建平", "无锡市科学技术局党组书记、科技局局长"),
    ],
    "003": [
        ("侯孟炎", "姑苏创新创业领军人才"),
        ("顾茸蕾", "海德韦尔(太仓)能源科技有限公司董事长"),
        ("赵民章", "虏伯曼(苏州)科技有限公司总经理"),
        ("万芬奇", "太仓市发展和改革委员会主任"),
    ],
    "004": [
        ("崔荣国", "无锡高新区党工委书记、新吴区委书记"),
        ("杨桂山", "中科院南京分院院长"),
        ("陈涵杰", "江阴市副市长、江阴高新区管委会副主任"),
    ],
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_people_exactly(prefix):
    """Every person of the story, with the stated role, and nobody else (not the
    authors 朱潔/寅平, not 阿斯利康, not the editor in 【责任编辑:王若宇】)."""
    found = [(p["name"], p["role"]) for p in extract_people(seed_lines(prefix))]
    assert found == EXPECTED[prefix]


def test_seed002_people_in_the_story():
    found = {p["name"]: p["role"] for p in extract_people(seed_lines("002"))}
    assert found["徐科"] == "江苏第三代半导体研究院院长"
    assert found["韩子睿"] == "江苏省科技发展战略研究院区域创新研究中心主任"
    assert "王坚" in found and found["王坚"].startswith("中国工程院院士、")
    assert not {"胡睿", "晏海雁", "葛毅明", "中秋"} & set(found)


def test_same_person_same_id_across_articles():
    a = {p["name"]: p["id"] for p in extract_people(seed_lines("001"))}
    b = {p["name"]: p["id"] for p in extract_people(seed_lines("004"))}
    assert a["崔荣国"] == b["崔荣国"] == "cui-rongguo"


# --------------------------------------------------------------------------- rules


def test_role_chains_and_brackets():
    assert people("无锡市委常委、组织部部长柏长岭率人才条线代表团走进深圳。") == [("柏长岭", "无锡市委常委、组织部部长")]
    assert people("，虏伯曼(苏州)科技有限公司总经理赵民章说。") == [("赵民章", "虏伯曼(苏州)科技有限公司总经理")]
    assert people("江苏第三代半导体研究院院长徐科说，13个科研团队") == [("徐科", "江苏第三代半导体研究院院长")]


def test_names_without_roles_before_speech_verbs():
    assert people("。”华兆哲认为，浙大之类的大学科技园更注重成果转化。") == [("华兆哲", None)]
    assert people("在柏长岭看来，大湾区高校科研实力强。") == [("柏长岭", None)]


def test_longest_role_wins_and_order_is_first_appearance():
    text = "“项目进展顺利。”孙海东说。无锡滨湖区委书记孙海东介绍。徐科说，好。"
    assert people(text) == [("孙海东", "无锡滨湖区委书记"), ("徐科", None)]


def test_not_people():
    assert people("阿斯利康对生态圈企业帮助很大，中秋假期本地游成主流。") == []
    assert people("有企业人士称，业内人士表示，中心负责人介绍，相关负责人说。") == []
    assert people("记者王小明报道，责任编辑李华。(朱洁)") == []
    assert people("，江苏表示支持。") == []


def test_exclude_list():
    found = extract_people([to_simplified("，高淳认为，区长王伟介绍。")], exclude={"高淳"})
    assert [p["name"] for p in found] == ["王伟"]


def test_traditional_input_is_folded_first():
    assert people("無錫高新區黨工委書記崔榮國介紹") == [("崔荣国", "无锡高新区党工委书记")]


def test_ids_are_ascii_pinyin():
    assert person_id("崔荣国") == "cui-rongguo"
    assert person_id("柏长岭") == "bai-changling"  # surname 柏 bai, 长 chang in names
    assert person_id("吕良") == "lyu-liang"
    assert person_id("欧阳修") == "ouyang-xiu"
    assert person_id("曾涛") == "zeng-tao"


def test_bad_vocabulary_names_the_file(tmp_path):
    bad = tmp_path / "surnames.yaml"
    bad.write_text(SURNAMES_FILE.read_text(encoding="utf-8").replace("  崔: cui", "  崔: Cui"), encoding="utf-8")
    with pytest.raises(BriefingError) as err:
        people_vocabulary(bad, ROLES_FILE)
    assert "surnames.yaml" in str(err.value) and "崔" in str(err.value)


ALPHABET = "崔荣国柏长岭王李张华徐科书记局长院长主任负责人说介绍表示认为看来在的与和、，。“”()无锡市委常委组织部"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=3))
def test_any_text_gives_well_formed_people(paragraphs):
    found = extract_people(paragraphs)
    assert len({p["id"] for p in found}) == len(found)
    for p in found:
        assert 2 <= len(p["name"]) <= 4 and any(p["name"] in text for text in paragraphs)
        assert re.fullmatch(r"[a-z]+-[a-z]+(?:-\d+)?", p["id"])
