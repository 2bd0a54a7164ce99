"""Stage 1: bytes → text. Handles BOMs, UTF-8, GB18030/GBK, Big5 and lying charset declarations.

Detection is charset-normalizer's (we do not write a detector). A declared charset in an HTML
``<meta>`` is only a hint: the bytes decide, because scraped pages often declare one
charset and are saved in another.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from briefing.errors import BriefingError

MAX_BYTES = 5 * 1024 * 1024  # a news article is far below this; larger inputs are rejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Decode with the superset of what a detector names: GBK/GB2312 text is valid GB18030,
# Big5 text is valid Big5-HKSCS (which also has the Hong Kong characters).
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs"}
_CANDIDATES = ["gb18030", "big5hkscs", "utf_16", "utf_8"]
_DECLARED = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _superset(name: str) -> str:
    name = codecs.lookup(name).name
    return _SUPERSETS.get(name.replace("_", "").replace("-", ""), _SUPERSETS.get(name, name))


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:8192]
    if b"\x00" in sample and not (sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE)):
        # NULs outside UTF-16/32 text: a binary file (UTF-16 without BOM is handled by the detector
        # only when NULs sit at every other byte).
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if not (max(even, odd) > len(sample) / 4 and min(even, odd) < len(sample) / 50):
            return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 0))
    return controls > len(sample) * 0.05


def _han_share(text: str) -> float:
    sample = text[:20000]
    return len(_HAN.findall(sample)) / max(1, len(sample.strip()))


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding name) or raise BriefingError naming the file and the reason."""
    if not raw.strip():
        raise BriefingError(path, "empty file")
    if len(raw) > MAX_BYTES:
        raise BriefingError(path, f"file too large ({len(raw) / 1e6:.1f} MB; limit {MAX_BYTES / 1e6:.0f} MB)")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise BriefingError(path, f"bytes do not match the {encoding} byte-order mark ({exc.reason})") from None
    if _looks_binary(raw):
        raise BriefingError(path, "binary file, not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(raw[:4096])
    if declared:
        try:
            encoding = _superset(declared.group(1).decode("ascii"))
            text = raw.decode(encoding)
            if _han_share(text) > 0.2:
                return text, encoding
        except (LookupError, UnicodeDecodeError):
            pass  # the declaration lied: let the bytes decide
    best = charset_normalizer.from_bytes(raw, cp_isolation=_CANDIDATES).best()
    if best is None:
        best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise BriefingError(path, "undecodable bytes: not UTF-8, GB18030/GBK, Big5 or UTF-16")
    encoding = _superset(best.encoding)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = str(best)
    if _HAN.search(text) is None:
        raise BriefingError(path, f"undecodable bytes: no Chinese text as UTF-8, GB18030, Big5 or UTF-16 (best guess {encoding})")
    return text, encoding
