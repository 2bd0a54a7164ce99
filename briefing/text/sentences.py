"""Sentence splitting for Chinese prose: on 。！？； and their ASCII forms, keeping quotes whole."""

from __future__ import annotations

import re

_CLOSERS = "”’」』）)】"
_SENTENCE = re.compile(rf"[^。！？!?；;]*(?:[。！？!?；;]+[{_CLOSERS}]*|$)")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences; terminal punctuation and closing quotes stay attached."""
    out = []
    for match in _SENTENCE.finditer(paragraph):
        s = match.group(0).strip()
        if s:
            out.append(s)
    return out
