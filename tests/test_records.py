"""Pickling records fast: what comes back equals what went in, read-only mappings included,
and only frozen slotted dataclasses without their own set-up take the fast way."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from types import MappingProxyType

from briefing import records


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: tuple = ()


@dataclass(frozen=True, slots=True)
class Checked:
    x: int
    seen: list = field(default_factory=list)

    def __post_init__(self):
        self.seen.append("init")


def test_records_come_back_equal_and_read_only_mappings_stay_read_only():
    value = {"points": [Point(1, (Point(2),)), Point(3)], "index": MappingProxyType({"a": Point(4)})}
    back = pickle.loads(records.dumps(value))
    assert back["points"] == value["points"]
    assert isinstance(back["index"], MappingProxyType) and dict(back["index"]) == {"a": Point(4)}
    assert records._Pickler.dispatch_table[Point](Point(5, (6,))) == (Point, (5, (6,)))


def test_a_dataclass_with_its_own_set_up_is_pickled_as_pickle_would():
    back = pickle.loads(records.dumps(Checked(1)))
    assert back.x == 1 and back.seen == ["init"]   # restored, not initialised again
    assert Checked in records._Pickler.dispatch_table.plain


@dataclass(frozen=True, slots=True)
class Owner:
    __packed__ = ("parts", "more")

    name: str
    parts: tuple = ()
    more: tuple = ()


def test_packed_fields_are_read_only_when_first_asked_for_and_behave_as_tuples():
    owner = Owner("a", (Point(1), Point(2, (3,))), (Point(4),))
    back = pickle.loads(records.dumps([owner, Owner("empty")]))
    packed, empty = back
    assert isinstance(packed.parts, records.PackedTuple) and packed.parts._pack._values is None
    assert empty.parts == () and not isinstance(empty.parts, records.PackedTuple)   # nothing to pack
    assert packed == owner and hash(packed) == hash(owner)          # as the tuples they stand for
    assert packed.parts._pack._values is not None                   # read now, once for both fields
    assert packed.parts._pack is packed.more._pack
    assert list(packed.parts) == [Point(1), Point(2, (3,))] and packed.parts[1].y == (3,) and len(packed.more) == 1
    assert packed.parts[:1] == (Point(1),) and packed.more + (Point(5),) == (Point(4), Point(5))
    assert () + packed.more == (Point(4),) and bool(packed.more) and Point(4) in packed.more


def test_a_packed_record_pickled_again_keeps_its_string_until_its_fields_change():
    first = pickle.loads(records.dumps(Owner("a", (Point(1),), (Point(2),))))
    again = pickle.loads(records.dumps(first))
    assert again.parts._pack.data is not None and again.parts._pack.data == first.parts._pack.data
    assert again == first
    # a record made from a packed field and a new tuple packs the two afresh
    mixed = Owner("a", first.parts, (Point(3),))
    back = pickle.loads(records.dumps(mixed))
    assert back.parts == (Point(1),) and back.more == (Point(3),)
