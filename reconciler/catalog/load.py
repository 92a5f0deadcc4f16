"""Read catalog files into YAML node trees, one per document, with every problem located.

Only composes (never constructs): nodes keep their raw scalar text and line marks, and no YAML tag
can build a Python object. Turning nodes into data is nodes.py's job.
"""

from __future__ import annotations

import operator
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import Problem

PLAIN = "tag:yaml.org,2002:plain"  # an untagged plain scalar: nodes.py reads it, not PyYAML

# Limits on what one file may make us do (docs/catalog.md, "Limits"). A catalog comes in a pull
# request: its size, not its author, decides how much time and memory reading it takes.
MAX_FILE_BYTES = 10 * 1024 * 1024  # refused before reading
MAX_VALUES = 200_000  # values in one document, counting what aliases repeat (nodes.py)
# Composing costs about 300 bytes of memory per YAML node, and a flow list such as [a,a,a,...]
# holds a node every two characters: in a file longer than this, the events are counted first
# (no tree is built) and a document with more nodes than MAX_VALUES allows is refused before
# it is composed. Shorter files cannot make more than about 100 MB of nodes.
SCAN_CHARS = 256 * 1024
_MAX_NODE_EVENTS = 2 * MAX_VALUES + 1  # a key: value pair is two nodes and one value
OUTSIDE = "a link to a file outside the catalog directory: not read"
# What a hostile text may hide (characters.py checks every value): these characters, or a
# backslash, which double-quoted YAML turns into any of them ("\0", "\u202e").
_MAY_HIDE = re.compile(r"[\\\x00\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_Base = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """libyaml's parser when present (much faster); both keep marks for every node.

    Implicit tags are not resolved (YAML 1.1's regexes cost a third of the parse, and the text
    rule ignores them anyway): plain scalars get PLAIN, quoted ones str.
    """

    # No path resolvers: skip PyYAML's per-node bookkeeping. The parser calls these two around
    # every node, so they are C callables that do nothing rather than Python methods (10% of the
    # time spent composing). Neither binds `self`: operator.is_(node, index), tuple().
    descend_resolver = operator.is_
    ascend_resolver = tuple

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


@dataclass(frozen=True, slots=True)
class Document:
    file: str  # as shown in problems
    line: int  # 1-based start of the document
    col: int
    node: yaml.Node
    # False when the file's text cannot hold a character characters.py refuses: no need to look
    may_hide: bool = True


@dataclass(slots=True)
class Loaded:
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def display_path(path: Path) -> str:
    """The path relative to the current directory when it is below it, else as given."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        relative = os.path.normpath(text)
        return text if relative.startswith("..") else relative
    cwd = os.getcwd()
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    return text[len(prefix) :] if text.startswith(prefix) else text


def product_files(products_dir: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """(the product files, sorted; files that look like YAML but would be ignored; links to
    directories, which are not followed: what they hold may be anywhere)."""
    files: list[Path] = []
    ignored: list[Path] = []
    linked: list[Path] = []
    for folder, dirs, names in os.walk(products_dir):  # scandir: no stat per file
        dirs.sort()
        for name in dirs:  # os.walk lists links to directories here and never enters them
            if os.path.islink(os.path.join(folder, name)):
                linked.append(Path(folder, name))
        for name in names:
            suffix = os.path.splitext(name)[1]
            if suffix == ".yaml":
                files.append(Path(folder, name))
            elif suffix.lower() in (".yaml", ".yml"):
                ignored.append(Path(folder, name))
    # Path order (part by part), compared as tuples: 10,000 Path.__lt__ calls cost more
    return sorted(files, key=_parts), sorted(ignored), sorted(linked)


def _parts(path: Path) -> tuple[str, ...]:
    return path.parts


def inside(path: str, root: str) -> bool:
    """Whether the real path `path` is `root` (a real path) or below it."""
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def load_file(path: Path, shown: str, *, single: bool = False, root: str | None = None) -> Loaded:
    """Every document of one file. `single`: the file must hold one document (catalog.yaml).
    `root`: the catalog directory's real path, that the file must resolve inside."""
    out = Loaded()
    out.documents.extend(iter_documents(path, shown, out.problems, empty_ok=single, root=root))
    if single and len(out.documents) > 1:
        extra = out.documents[1]
        out.problems.append(
            Problem(
                shown, extra.line, extra.col, "", "this file holds one YAML document, not several"
            )
        )
        del out.documents[1:]
    return out


def iter_documents(
    path: Path,
    shown: str,
    problems: list[Problem],
    *,
    empty_ok: bool = False,
    root: str | None = None,
) -> Iterator[Document]:
    """Each document of one file as soon as it is composed; the file's problems go to `problems`.

    Checking each document before composing the next keeps one node tree alive at a time: with
    100 products in a file, about a quarter faster than composing them all first (memory caches).
    `empty_ok`: a file without documents is fine (an empty catalog.yaml means all defaults).
    `root`: the catalog directory's real path; a file resolving outside it is not read.
    """
    before = len(problems)
    text = _read_text(path, shown, problems, root)
    if text is None:
        return
    if len(text) > SCAN_CHARS and _refuse_large(text, shown, problems):
        return
    may_hide = _MAY_HIDE.search(text) is not None
    found = False
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            document = _document(node, shown, problems, may_hide)
            if document is not None:
                found = True
                yield document
    except yaml.YAMLError as exc:
        problems.append(_syntax_problem(exc, text, shown))
    except RecursionError:
        problems.append(Problem(shown, 1, 1, "", "the YAML is nested too deeply"))
    if not found and len(problems) == before and not empty_ok:
        message = "empty file: expected at least one product (a YAML mapping)"
        problems.append(Problem(shown, 1, 1, "", message))


def _refuse_large(text: str, shown: str, problems: list[Problem]) -> bool:
    """Whether a document of this (large) file has too many nodes to compose (then a problem
    says so): the events are counted one by one, and none is kept."""
    loader = _Loader(text)
    count, start = 0, None
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = event.__class__
            if kind is yaml.DocumentStartEvent:
                count, start = 0, event.start_mark
            elif kind in _NODE_EVENTS:
                count += 1
                if count > _MAX_NODE_EVENTS:
                    mark = start or event.start_mark
                    message = (
                        f"the document is too large: more than {MAX_VALUES:,} values; "
                        "the file is not read"
                    )
                    problems.append(Problem(shown, mark.line + 1, mark.column + 1, "", message))
                    return True
    except yaml.YAMLError:
        return False  # composing reports it, with its place
    finally:
        loader.dispose()
    return False


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


class _Refused(Exception):
    """A file that is not read: the message says why, and nothing of what it points to."""


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # a link swapped in after the check is not followed
    | getattr(os, "O_NONBLOCK", 0)  # nor does a pipe swapped in block the open
    | getattr(os, "O_CLOEXEC", 0)
)


def _open(path: Path, root: str | None) -> int:
    """A descriptor of `path`, a regular file (inside `root` if given), or _Refused.

    Nothing that is not a regular file is opened: opening a pipe blocks, a device may never
    end. A link is resolved first, and one to anywhere outside the catalog is refused whatever
    it points to (even nothing), so that no message tells anything about the outside.
    """
    target = os.fspath(path)
    info = os.lstat(target)
    if stat.S_ISLNK(info.st_mode):
        target = os.path.realpath(target)
        if root is not None and not inside(target, root):
            raise _Refused(OUTSIDE)
        info = os.stat(target)
    if not stat.S_ISREG(info.st_mode):
        raise _Refused(_NOT_REGULAR)
    return os.open(target, _OPEN_FLAGS)


_NOT_REGULAR = "not a regular file (a directory, a pipe or a device): not read"


def _too_large(size: int) -> str:
    return (
        f"the file holds {size:,} bytes, more than the {MAX_FILE_BYTES:,} (10 MiB) a catalog "
        "file may hold: not read (products can be split into several files)"
    )


def _read_bytes(path: Path, root: str | None) -> bytes:
    """The file's bytes: plain os.read calls, half the cost of Path.read_bytes's buffered file
    object (which shows with 10,000 one-product files). Never more than MAX_FILE_BYTES + 1,
    even if the file grows while it is read."""
    fd = _open(path, root)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused(_NOT_REGULAR)
        if info.st_size > MAX_FILE_BYTES:
            raise _Refused(_too_large(info.st_size))
        chunks = [os.read(fd, info.st_size + 1)]
        total = len(chunks[0])
        while chunks[-1] and total <= MAX_FILE_BYTES:
            chunks.append(os.read(fd, min(1 << 16, MAX_FILE_BYTES + 1 - total)))
            total += len(chunks[-1])
    finally:
        os.close(fd)
    if total > MAX_FILE_BYTES:
        raise _Refused(_too_large(total))
    whole = len(chunks) == 1 or (len(chunks) == 2 and not chunks[1])  # one read, then the end
    return chunks[0] if whole else b"".join(chunks)


def _read_text(path: Path, shown: str, problems: list[Problem], root: str | None) -> str | None:
    try:
        data = _read_bytes(path, root)
    except _Refused as exc:
        problems.append(Problem(shown, 1, 1, "", str(exc)))
        return None
    except OSError as exc:
        problems.append(Problem(shown, 1, 1, "", f"cannot read the file: {exc.strerror or exc}"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        message = f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        problems.append(Problem(shown, line, col, "", message))
        return None


def _document(
    node: yaml.Node | None, shown: str, problems: list[Problem], may_hide: bool
) -> Document | None:
    if node is None:
        return None
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        return Document(shown, line, col, node, may_hide)
    if isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("", "~", "null"):
        message = "empty document: expected a YAML mapping (key: value)"
    else:
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        message = f"a document must be a YAML mapping (key: value), not {kind}"
    problems.append(Problem(shown, line, col, "", message))
    return None


def _syntax_problem(exc: yaml.YAMLError, text: str, shown: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.splitlines() or [""]
    source = lines[line] if line < len(lines) else ""
    indent = source[: len(source) - len(source.lstrip(" \t"))]
    at_tab = col < len(source) and source[col] == "\t"
    if "\t" in indent or at_tab:
        tab_col = col if at_tab else indent.index("\t")
        return Problem(
            shown, line + 1, tab_col + 1, "", "tab character: YAML indentation uses spaces"
        )
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return Problem(shown, line + 1, col + 1, "", message)
