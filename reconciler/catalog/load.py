"""Read catalog files into YAML node trees, one per document, with every problem located.

Only composes (never constructs): nodes keep their raw scalar text and line marks, and no YAML tag
can build a Python object. Turning nodes into data is nodes.py's job.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import Problem

PLAIN = "tag:yaml.org,2002:plain"  # an untagged plain scalar: nodes.py reads it, not PyYAML
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


def product_files(products_dir: Path) -> tuple[list[Path], list[Path]]:
    """(the product files, sorted; files that look like YAML but would be ignored)."""
    files: list[Path] = []
    ignored: list[Path] = []
    for folder, dirs, names in os.walk(products_dir):  # scandir: no stat per file
        dirs.sort()
        for name in names:
            suffix = os.path.splitext(name)[1]
            if suffix == ".yaml":
                files.append(Path(folder, name))
            elif suffix.lower() in (".yaml", ".yml"):
                ignored.append(Path(folder, name))
    # Path order (part by part), compared as tuples: 10,000 Path.__lt__ calls cost more
    return sorted(files, key=_parts), sorted(ignored)


def _parts(path: Path) -> tuple[str, ...]:
    return path.parts


def load_file(path: Path, shown: str, *, single: bool = False) -> Loaded:
    """Every document of one file. `single`: the file must hold one document (catalog.yaml)."""
    out = Loaded()
    out.documents.extend(iter_documents(path, shown, out.problems, empty_ok=single))
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
    path: Path, shown: str, problems: list[Problem], *, empty_ok: bool = False
) -> Iterator[Document]:
    """Each document of one file as soon as it is composed; the file's problems go to `problems`.

    Checking each document before composing the next keeps one node tree alive at a time: with
    100 products in a file, about a quarter faster than composing them all first (memory caches).
    `empty_ok`: a file without documents is fine (an empty catalog.yaml means all defaults).
    """
    before = len(problems)
    text = _read_text(path, shown, problems)
    if text is None:
        return
    found = False
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            document = _document(node, shown, problems)
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


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: plain os.read calls, half the cost of Path.read_bytes's buffered file
    object (which shows with 10,000 one-product files)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(fd, os.fstat(fd).st_size + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    try:
        data = _read_bytes(path)
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


def _document(node: yaml.Node | None, shown: str, problems: list[Problem]) -> Document | None:
    if node is None:
        return None
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        return Document(shown, line, col, node)
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
