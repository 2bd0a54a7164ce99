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
