"""People: person names with the role the text gives them.

Precision over recall. A name is a surname of ``data/surnames.yaml`` and one or two more
characters (two or three for a two-character surname), with no character of
``not_in_name``, and it must stand in one of two frames (``data/roles.yaml``):

* right after a role title, and followed by punctuation, a follow word or another
  title: "无锡高新区党工委书记崔荣国介绍" → 崔荣国, role 无锡高新区党工委书记;
* between a boundary (start, punctuation, quote) and a speech verb: "。”华兆哲认为".

The role is the text from the title back to a punctuation mark or a left stop,
continuing across "、" when the part before also ends with a title
("无锡市委常委、组织部部长柏长岭"), and across a short "(太仓)" in a company name. Names after
author titles (记者, 责任编辑) are authors, not people of the story. A person's id is the
ASCII pinyin of the Simplified name, surname first ("cui-rongguo"), so the same person
in two articles is one entity.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from briefing.datafile import read_yaml_mapping
from briefing.errors import BriefingError
from briefing.knowledge.dates import first_char_guard
from briefing.knowledge.figures import remove_stock_quotes

DATA_DIR = Path(__file__).with_name("data")
SURNAMES_FILE = DATA_DIR / "surnames.yaml"
ROLES_FILE = DATA_DIR / "roles.yaml"

_HAN = re.compile(r"[\u4e00-\u9fff]")
_BOUNDARY = set("，,。；;：:！？!?“”\"'‘’（）()、 \t…—【】《》「」『』&")
_ROLE_PUNCT = set("，,。；;：:！？!?“”\"'‘’【】《》「」『』… \t")


@dataclass(frozen=True)
class PeopleVocabulary:
    single: dict[str, str]
    compound: dict[str, str]
    given_readings: dict[str, str]
    not_names: frozenset[str]
    titles: tuple[str, ...]
    author_titles: tuple[str, ...]
    follow: tuple[str, ...]
    speech_verbs: tuple[str, ...]
    not_in_name: frozenset[str]
    role_left_stops: tuple[str, ...]
    max_role_length: int




def _word_list(raw: dict, key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise BriefingError(path, f"{key}: expected a non-empty list of strings")
    dups = sorted({v for v in value if value.count(v) > 1})
    if dups:
        raise BriefingError(path, f"{key}: duplicate entries {dups}")
    return tuple(sorted(value, key=lambda s: (-len(s), s)))


def _readings(raw: dict, key: str, path: Path, length: int | None) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict) or not value:
        raise BriefingError(path, f"{key}: expected a mapping of characters to readings")
    for chars, reading in value.items():
        if not isinstance(chars, str) or not _HAN.fullmatch(chars[:1] or "x") or (length and len(chars) != length):
            raise BriefingError(path, f"{key}: bad entry {chars!r}")
        if not isinstance(reading, str) or not re.fullmatch(r"[a-z]+", reading):
            raise BriefingError(path, f"{key}: {chars}: reading must be lowercase ASCII pinyin, got {reading!r}")
    return dict(value)


@lru_cache(maxsize=None)
def people_vocabulary(surnames: Path = SURNAMES_FILE, roles: Path = ROLES_FILE) -> PeopleVocabulary:
    """Surnames and role words, validated (errors name the file and the entry)."""
    s = read_yaml_mapping(surnames)
    r = read_yaml_mapping(roles)
    single = _readings(s, "single", surnames, 1)
    compound = _readings(s, "compound", surnames, 2)
    max_role = r.get("max_role_length")
    if not isinstance(max_role, int) or max_role < 4:
        raise BriefingError(roles, "max_role_length: expected an integer >= 4")
    return PeopleVocabulary(
        single=single,
        compound=compound,
        given_readings=_readings(s, "given_name_readings", surnames, 1),
        not_names=frozenset(_word_list(s, "not_names", surnames)),
        titles=_word_list(r, "titles", roles),
        author_titles=_word_list(r, "author_titles", roles),
        follow=_word_list(r, "follow", roles),
        speech_verbs=_word_list(r, "speech_verbs", roles),
        not_in_name=frozenset(_word_list(r, "not_in_name", roles)),
        role_left_stops=_word_list(r, "role_left_stops", roles),
        max_role_length=max_role,
    )


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda s: (-len(s), s)))


class _PeopleMatcher:
    def __init__(self, vocab: PeopleVocabulary):
        self.v = vocab
        titles = vocab.titles + vocab.author_titles
        self.title = first_char_guard(_alt(titles), {w[0] for w in titles})
        self.author = frozenset(vocab.author_titles)
        self.speech = first_char_guard(_alt(vocab.speech_verbs), {w[0] for w in vocab.speech_verbs})
        self.titles_end = re.compile(rf"(?:{_alt(vocab.titles)})$")
        self.follow = re.compile(_alt(vocab.follow + vocab.titles))
        self.role_stop = re.compile(rf"(?:{_alt(vocab.role_left_stops)})$")
        self.longest_stop = max(len(w) for w in vocab.role_left_stops)

    # -- names ---------------------------------------------------------------

    def _valid_name(self, name: str) -> bool:
        v = self.v
        if name in v.not_names or not all(_HAN.match(c) for c in name):
            return False
        if name[:2] in v.compound and len(name) in (3, 4):
            given = name[2:]
        elif name[0] in v.single and len(name) in (2, 3):
            given = name[1:]
        else:
            return False
        return not any(c in v.not_in_name for c in given)

    def _follows(self, text: str, pos: int) -> bool:
        if pos >= len(text):
            return True
        ch = text[pos]
        if not _HAN.match(ch):
            return True
        return self.follow.match(text, pos) is not None

    def name_after(self, text: str, pos: int) -> str | None:
        """The name starting at pos (longest valid candidate that is followed properly)."""
        v = self.v
        lengths = []
        if text[pos : pos + 2] in v.compound:
            lengths += [4, 3]
        if text[pos : pos + 1] in v.single:
            lengths += [3, 2]
        for length in lengths:
            name = text[pos : pos + length]
            if len(name) == length and self._valid_name(name) and self._follows(text, pos + length):
                return name
        return None

    def name_before(self, text: str, pos: int) -> str | None:
        """The name ending at pos, after a boundary (the speech-verb frame)."""
        for length in (4, 3, 2):
            start = pos - length
            if start < 0:
                continue
            name = text[start:pos]
            before = text[start - 1] if start > 0 else ""
            if before and before not in _BOUNDARY and not (before == "在" and text.startswith("看来", pos)):
                continue
            if self._valid_name(name):
                if length == 4 and name[:2] not in self.v.compound:
                    continue
                return name
        return None

    # -- roles ---------------------------------------------------------------

    def _segment_start(self, text: str, end: int, limit: int) -> int:
        """Leftmost start of a role segment ending at end (stops at punctuation/stops)."""
        i = end
        while i > limit:
            ch = text[i - 1]
            if ch in _ROLE_PUNCT or ch == "、":
                break
            if ch in ")）":
                opening = max(text.rfind("(", limit, i - 1), text.rfind("（", limit, i - 1))
                inner = text[opening + 1 : i - 1] if opening >= 0 else ""
                if opening >= 0 and 0 < len(inner) <= 8 and all(_HAN.match(c) for c in inner):
                    i = opening
                    continue
                break
            if ch in "(（":
                break
            if self.role_stop.search(text, max(limit, i - self.longest_stop), i):
                break
            i -= 1
        return i

    def role_before(self, text: str, title_start: int, title_end: int) -> str:
        limit = max(0, title_end - self.v.max_role_length)
        start = self._segment_start(text, title_start, limit)
        # Across "、" while the part before it is itself a role ending in a title.
        while start > limit + 1 and text[start - 1] == "、":
            prev_end = start - 1
            if not self.titles_end.search(text, 0, prev_end):
                break
            prev_start = self._segment_start(text, prev_end, limit)
            if prev_start >= prev_end:
                break
            start = prev_start
        return text[start:title_end]

    # -- scanning --------------------------------------------------------------

    def scan(self, text: str):
        """Yield (position, name, role or None, is_author) for one paragraph."""
        for m in self.title.finditer(text):
            name = self.name_after(text, m.end())
            if name is None:
                continue
            if m.group(0) in self.author:
                yield m.end(), name, None, True
                continue
            yield m.end(), name, self.role_before(text, m.start(), m.end()), False
        for m in self.speech.finditer(text):
            name = self.name_before(text, m.start())
            if name is not None:
                yield m.start() - len(name), name, None, False


@lru_cache(maxsize=None)
def _matcher() -> _PeopleMatcher:
    return _PeopleMatcher(people_vocabulary())


@lru_cache(maxsize=4096)
def person_id(name: str) -> str:
    """ASCII pinyin of a Simplified name, surname first: 崔荣国 → cui-rongguo."""
    from pypinyin import lazy_pinyin  # ~0.2 s to import: only when a person is found

    v = people_vocabulary()
    if name[:2] in v.compound and len(name) > 2:
        surname, given = v.compound[name[:2]], name[2:]
    else:
        surname, given = v.single.get(name[0]) or lazy_pinyin(name[0])[0], name[1:]
    syllables = lazy_pinyin(given)
    readings = [v.given_readings.get(c, s) for c, s in zip(given, syllables)]
    given_ascii = "".join(_ascii(s) for s in readings)
    return f"{_ascii(surname)}-{given_ascii}" if given_ascii else _ascii(surname)


def _ascii(syllable: str) -> str:
    syllable = syllable.lower().replace("ü", "v")
    syllable = re.sub(r"^([ln])v", r"\1yu", syllable)
    return re.sub(r"[^a-z]", "", syllable.replace("v", "yu"))


def extract_people(paragraphs: list[str], exclude: Collection[str] = ()) -> list[dict]:
    """[{"id", "name", "role"}] sorted by first appearance, one entry per name.

    ``paragraphs`` are Simplified. ``exclude`` holds words that are never people (the
    caller may pass the names of its gazetteer). A person with several roles keeps the
    longest (the first of equal length); ``role`` is None when the text gives none.
    """
    matcher = _matcher()
    texts = [remove_stock_quotes(p) for p in paragraphs]
    roles: dict[str, str | None] = {}
    authors: set[str] = set()
    for text in texts:
        for _, name, role, is_author in matcher.scan(text):
            if name in exclude:
                continue
            if is_author:
                authors.add(name)
                continue
            current = roles.get(name)
            if name not in roles or (role and (current is None or len(role) > len(current))):
                roles[name] = role
    for name in authors:
        roles.pop(name, None)
    if not roles:
        return []
    first: dict[str, tuple[int, int]] = {}
    for name in roles:
        for index, text in enumerate(texts):
            pos = text.find(name)
            if pos >= 0:
                first[name] = (index, pos)
                break
    ordered = sorted(roles, key=lambda n: (first.get(n, (len(texts), 0)), n))
    out, used = [], set()
    for name in ordered:
        pid = person_id(name)
        base, k = pid, 2
        while pid in used:
            pid, k = f"{base}-{k}", k + 1
        used.add(pid)
        out.append({"id": pid, "name": name, "role": roles[name]})
    return out
