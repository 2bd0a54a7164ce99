"""Pickling the site's immutable records fast.

Frozen dataclasses with slots get a ``__setstate__`` from ``dataclasses`` that looks their
fields up again for every instance it restores; restored through their ``__init__``
instead (``cls(*fields)``) they load twice as fast. Read-only mappings
(``MappingProxyType``), which pickle refuses, are restored as such. Used for the builder's
saved state and for the results a forked child hands back.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import operator
import pickle
from types import MappingProxyType
from typing import Any, BinaryIO

def _mapping_proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _reduce_proxy(proxy: MappingProxyType) -> tuple:
    return _mapping_proxy, (dict(proxy),)


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
    return lambda obj: (cls, getter(obj))


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
