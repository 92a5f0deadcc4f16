"""Pass the forked reader's results back to the parent cheaply.

Plain pickling of the model's slotted dataclasses goes through `dataclasses`' own
`__getstate__`/`__setstate__`, which call `fields()` for every object: for 10,000 products that
cost about as much as reading them, and ate most of what the second process saved. Here each
model object is written as its field values and rebuilt by setting its slots directly: the values
are already normalized (they come from a constructed object), so `__post_init__` need not run.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter
from typing import Any

from reconciler.model import Media, Metafield, Option, Product, Variant, Weight

_CLASSES: tuple[type, ...] = (Product, Variant, Option, Metafield, Media, Weight)
_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}
_DISPATCH: dict[type, Callable[[Any], tuple]] = {}


def register(cls: type) -> None:
    """Pass objects of `cls` (a dataclass with slots) as their field values."""
    names = tuple(f.name for f in fields(cls))
    missing = set(getattr(cls, "__slots__", ())) ^ set(names)
    if missing or not hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: only slotted dataclasses whose slots are its fields")
    get = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    _SETTERS[cls] = tuple(cls.__dict__[name].__set__ for name in names)
    _DISPATCH[cls] = lambda obj: (_rebuild, (cls, get(obj)))


def _rebuild(cls: type, values: tuple) -> Any:
    obj = object.__new__(cls)
    for set_slot, value in zip(_SETTERS[cls], values, strict=True):
        set_slot(obj, value)
    return obj


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # only ever our own forked reader's output


for _cls in _CLASSES:
    register(_cls)
