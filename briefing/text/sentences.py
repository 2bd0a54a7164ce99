"""Sentence splitting for Chinese prose: on 。！？； and their ASCII forms, keeping closing quotes attached."""

from __future__ import annotations

import re

_CLOSERS = "”’」』）)】"
_SENTENCE = re.compile(rf"[^。！？!?；;]*(?:[。！？!?；;]+[{_CLOSERS}]*|$)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph, surrounding spaces excluded."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph; terminal punctuation and closing quotes stay attached."""
    return [paragraph[start:end] for start, end in sentence_spans(paragraph)]
