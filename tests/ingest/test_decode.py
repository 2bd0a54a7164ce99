import codecs

import pytest

from briefing.errors import BriefingError
from briefing.ingest.decode import MAX_BYTES, decode

SIMPLIFIED = "无锡高新区与浙江大学共建科技成果转化中心，长三角一体化发展再添新动能。"
TRADITIONAL = "無錫高新區與浙江大學共建科技成果轉化中心，長三角一體化發展再添新動能。"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "gbk", "utf-16"])
def test_simplified_in_common_encodings(encoding):
    text, _ = decode((SIMPLIFIED * 3).encode(encoding), "a.txt")
    assert text == SIMPLIFIED * 3


@pytest.mark.parametrize("encoding", ["big5", "big5hkscs", "utf-8"])
def test_traditional_in_common_encodings(encoding):
    text, _ = decode((TRADITIONAL * 3).encode(encoding), "a.txt")
    assert text == TRADITIONAL * 3


def test_byte_order_mark_is_dropped():
    text, encoding = decode(codecs.BOM_UTF8 + SIMPLIFIED.encode(), "a.txt")
    assert text == SIMPLIFIED and encoding == "utf-8"


def test_a_lying_charset_declaration_loses_to_the_bytes():
    page = '<html><head><meta charset="utf-8"></head><body><p>' + SIMPLIFIED * 4 + "</p></body></html>"
    text, encoding = decode(page.encode("gbk"), "page.html")
    assert SIMPLIFIED in text and encoding == "gb18030"


def test_a_truthful_declaration_of_big5_is_used():
    page = '<meta http-equiv="Content-Type" content="text/html; charset=big5"><p>' + TRADITIONAL * 2 + "</p>"
    text, _ = decode(page.encode("big5"), "page.html")
    assert TRADITIONAL in text


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty file"),
    (b"  \n\t ", "empty file"),
    (bytes(range(256)) * 8, "binary file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary file"),
])
def test_rejections_name_the_file_and_reason(raw, reason):
    with pytest.raises(BriefingError) as caught:
        decode(raw, "seeds/bad.txt")
    assert caught.value.path == "seeds/bad.txt" and reason in caught.value.message


def test_oversized_file_is_rejected_before_decoding():
    with pytest.raises(BriefingError, match="too large"):
        decode(b"a" * (MAX_BYTES + 1), "big.txt")
