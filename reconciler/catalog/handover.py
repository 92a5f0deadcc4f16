"""Run part of the reading in a forked process, and pass its results back cheaply.

A plain `os.fork` and a pipe rather than a process pool: the child already holds everything it
needs (nothing to send it), exits with `os._exit` as soon as its bytes are written, and the pool's
threads, queues and pickled call cost about 50 ms more.

Plain pickling of the model's slotted dataclasses goes through `dataclasses`' own
`__getstate__`/`__setstate__`, which call `fields()` for every object (0.9 s to pack and unpack
10,000 products). Here each model object is written as its field values and rebuilt by setting
its slots directly (0.7 s): the values are already normalized (they come from a constructed
object), so `__post_init__` need not run. A class that cannot be handled so is pickled as usual.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
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


class Forked:
    """`function(*args)` running in a forked copy of this process; `result()` collects it."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(read_end)
                data = dumps(function(*args))
                with os.fdopen(write_end, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)  # no interpreter teardown, no inherited exit handlers
        os.close(write_end)
        self.pipe = os.fdopen(read_end, "rb")

    def result(self) -> Any | None:
        """What the function returned, or None if the child failed (the caller redoes its work,
        which raises the same error here if there is one)."""
        try:
            data = self.pipe.read()
        finally:
            self.pipe.close()
            _, status = os.waitpid(self.pid, 0)
        return loads(data) if os.waitstatus_to_exitcode(status) == 0 else None

    def cancel(self) -> None:
        """Stop the child (this process is leaving with an error) and reap it."""
        self.pipe.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # it holds nothing that needs cleaning up
        os.waitpid(self.pid, 0)


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # only ever our own forked reader's output


for _cls in _CLASSES:
    with contextlib.suppress(TypeError):  # plain pickling: slower, still right
        register(_cls)
