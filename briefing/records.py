"""Pickling the site's immutable records fast.

Frozen dataclasses with slots get a ``__setstate__`` from ``dataclasses`` that looks their
fields up again for every instance it restores; restored through their ``__init__``
instead (``cls(*fields)``) they load twice as fast. Read-only mappings
(``MappingProxyType``), which pickle refuses, are restored as such. Used for the builder's
saved state and for the results a forked child hands back.

A record class may name tuple fields in ``__packed__``: those are pickled together, apart
from the record, as one string, and unpickled only when one of them is first read (a
``PackedTuple`` stands in for each meanwhile). An article's figures and events are ~60% of
the objects of a saved state and a one-article edit reads a handful of articles' own.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import io
import operator
import pickle
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, BinaryIO

def _mapping_proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _reduce_proxy(proxy: MappingProxyType) -> tuple:
    return _mapping_proxy, (dict(proxy),)


class _Pack:
    """Tuples pickled together as one string, unpickled when first asked for."""

    __slots__ = ("data", "_values")

    def __init__(self, data: bytes):
        self.data = data
        self._values: tuple | None = None

    def values(self) -> tuple:
        if self._values is None:
            # without the collector, as the saved state is restored: records, none of them
            # garbage (a build that reads every article's: at 2k ~260 -> ~170 ms)
            enabled = gc.isenabled()
            gc.disable()
            try:
                self._values = pickle.loads(self.data)
            finally:
                if enabled:
                    gc.enable()
        return self._values

    def __reduce__(self):
        return _Pack, (self.data,)


class PackedTuple(Sequence):
    """A record's tuple field while it is still packed (see ``__packed__``): reads, compares
    and hashes as the tuple it stands for."""

    __slots__ = ("_pack", "_index")

    def __init__(self, pack: _Pack, index: int):
        self._pack = pack
        self._index = index

    @property
    def value(self) -> tuple:
        return self._pack.values()[self._index]

    def __len__(self) -> int:
        return len(self.value)

    def __getitem__(self, index):
        return self.value[index]

    def __iter__(self):
        return iter(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other) -> bool:
        return self.value == (other.value if isinstance(other, PackedTuple) else other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __add__(self, other) -> tuple:
        return self.value + tuple(other)

    def __radd__(self, other) -> tuple:
        return tuple(other) + self.value

    def __repr__(self) -> str:
        return repr(self.value)

    def __reduce__(self):
        return PackedTuple, (self._pack, self._index)


def _reducer(cls: type):
    """How to pickle an instance of ``cls``, if not as pickle would. A frozen dataclass with
    slots is rebuilt through its ``__init__`` (``cls(*fields)``) instead of the
    ``__setstate__`` dataclasses gives it, which looks its fields up again for every
    instance: twice as fast to load."""
    fields = cls.__dict__.get("__dataclass_fields__")
    params = cls.__dict__.get("__dataclass_params__")
    if fields is None or params is None or not params.frozen or not params.init or "__slots__" not in cls.__dict__ \
            or hasattr(cls, "__post_init__") \
            or any(f._field_type is not dataclasses._FIELD or not f.init for f in fields.values()):
        return None
    names = tuple(fields)
    getter = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    packed = tuple(names.index(name) for name in cls.__dict__.get("__packed__", ()))
    if not packed:
        return lambda obj: (cls, getter(obj))

    def reduce_packing(obj):
        values = list(getter(obj))
        current = [values[i] for i in packed]
        first = current[0]
        if isinstance(first, PackedTuple) and all(
                isinstance(v, PackedTuple) and v._pack is first._pack and v._index == k for k, v in enumerate(current)):
            return cls, tuple(values)            # still packed as read: the same string again
        if not any(current):
            return cls, tuple(values)            # nothing to pack
        pack = _Pack(dumps(tuple(tuple(v) for v in current)))
        for k, i in enumerate(packed):
            values[i] = PackedTuple(pack, k)
        return cls, tuple(values)

    return reduce_packing


class _Reducers(dict):
    """The pickler's dispatch table: a reducer per class, worked out when first met (a
    KeyError leaves the class to pickle's own way)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.plain: set[type] = set()

    def __missing__(self, cls: type):
        if cls not in self.plain:
            reducer = _reducer(cls)
            if reducer is not None:
                self[cls] = reducer
                return reducer
            self.plain.add(cls)
        raise KeyError(cls)


class _Pickler(pickle.Pickler):
    dispatch_table = _Reducers(copyreg.dispatch_table)
    dispatch_table[MappingProxyType] = _reduce_proxy


def dump(obj: Any, fh: BinaryIO) -> None:
    _Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)


def dumps(obj: Any) -> bytes:
    buffer = io.BytesIO()
    dump(obj, buffer)
    return buffer.getvalue()
