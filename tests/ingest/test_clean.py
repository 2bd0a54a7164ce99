import pytest

from briefing.ingest.clean import clean_text, tighten_prose
from briefing.ingest.rules import load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.mark.parametrize("dirty, clean", [
    ("深圳生物医药创新产业(77.920, 2.22, 2.93%)园达成战略合作", "深圳生物医药创新产业园达成战略合作"),
    ("引进大族机器人(11.180, -0.06, -0.54%)、等企业", "引进大族机器人、等企业"),
    ("形成区域蕞强的创新能力", "形成区域最强的创新能力"),
    ("蕞尔小国", "蕞尔小国"),
    ("江苏无锡:下好“双湾”棋", "江苏无锡：下好“双湾”棋"),
    ("据统计,2020年,三省一市;合计", "据统计，2020年，三省一市；合计"),
    ("股价11.180, 0.06和5.3%", "股价11.180, 0.06和5.3%"),
    ("发布时间 16:50", "发布时间 16:50"),
    ("无锡高新区(大湾区)创新中心", "无锡高新区（大湾区）创新中心"),
    ("２０２１年５月２７日", "2021年5月27日"),
    ("\u3000\u3000科创，长三角\u00a0这个", "科创，长三角 这个"),
])
def test_character_cleaning(rules, dirty, clean):
    assert clean_text(dirty, rules)[0] == clean


def test_lost_text_is_removed_and_reported(rules):
    text, notes = clean_text("豐富的&&載體。", rules)
    assert text == "豐富的載體。"
    assert len(notes) == 1 and notes[0].removed == "&&" and notes[0].before == "豐富的"
    assert "paragraph 3" in notes[0].describe(3)


def test_lost_marker_next_to_ascii_comma_leaves_clean_punctuation(rules):
    assert clean_text("趙民章&&,未來公司", rules)[0] == "趙民章，未來公司"


def test_spaces_inside_chinese_prose_are_layout_artefacts():
    assert tighten_prose("近年来 搭上嘉昆太 LNG 传输设备") == "近年来搭上嘉昆太 LNG 传输设备"
