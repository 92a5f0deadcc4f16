"""Text from the catalog or the store, made safe to print: it may be a stranger's.

Two dangers. A line that starts with `::` (or `##[`) is a GitHub Actions workflow command when
it reaches a runner's stdout or stderr, so no raw line break from a value may reach the output:
every control character, line and paragraph separator, and bidirectional override is shown as an
escape (`\\n`, `\\x1b`, `\\u2028`). And Markdown written into a pull-request comment must show the
value as literal text, never as Markdown or HTML: code spans with a fence longer than any
backtick run inside, HTML-escaped text in HTML context, backslash-escaped punctuation elsewhere,
and `@` followed by a zero-width joiner outside code so that a value cannot mention anyone.
"""

from __future__ import annotations

import html
import re

# Cc (C0, DEL, C1 with U+0085), U+2028, U+2029, and the bidi controls that reorder what is shown.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What json.dumps leaves raw: its C0 (a newline, with indent) is layout, never in a string.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What can start inline Markdown (emphasis, code, links, images, HTML, entities, tables,
# strikethrough, math), and what starts a block at the beginning of a line.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>!|~&$])")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*\d*)([-+=#.)])")
_EDGE_SPACE = re.compile(r"^\s+|\s+$")
_AUTOLINK = re.compile(r"(?i)(?<=www)\.|:(?=//)")  # GFM links bare www. and scheme:// text
NO_MENTION = "@\u200d"  # a zero-width joiner after `@`: GitHub no longer sees a mention


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep: str = "") -> str:
    """`text` on one line, every control character escaped (but those in `keep`)."""
    if keep:
        return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape_char(m), text)
    return _UNSAFE.sub(_escape_char, text)


def json_safe(json_text: str) -> str:
    """JSON text (from json.dumps) with the separators it leaves raw written as \\u escapes.

    json.dumps(ensure_ascii=False) escapes C0 but keeps DEL, C1 (U+0085 among them), U+2028 and
    U+2029 raw; many line splitters break lines there. Those characters only occur inside JSON
    strings, where a \\u escape is the same value, so the document still decodes to the same data.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters: names and reasons in headings, never a field's value."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code_span(text: str) -> str:
    """A Markdown code span showing `text` literally, on one line."""
    text = visible(text)
    if not text:
        return "` `"
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    # A code span drops one space at each end when both ends have one: pad so that it drops ours.
    if (text[0] in "` " or text[-1] in "` ") and text.strip(" "):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def code_fence(body: str) -> str:
    """A fence longer than any backtick run in `body`, so `body` cannot close it."""
    longest = max((len(run) for run in re.findall("`+", body)), default=0)
    return "`" * max(3, longest + 1)


def html_text(text: str) -> str:
    """`text` for an HTML context (GitHub passes <details> and <summary> through): literal."""
    return html.escape(visible(text), quote=True).replace("@", NO_MENTION)


def markdown_text(text: str) -> str:
    """`text` for a Markdown paragraph, heading or quote, as literal text."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", visible(text))
    text = _MARKDOWN_BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    text = _AUTOLINK.sub(lambda m: "\\" + m.group(), text)
    # Markdown drops whitespace at the ends, and `**` next to it no longer makes bold text.
    text = _EDGE_SPACE.sub(lambda m: "".join(f"&#x{ord(c):x};" for c in m.group()), text)
    return text.replace("@", NO_MENTION)


def safe_file(path: str) -> str:
    """A file name that cannot start a workflow command when it begins a line."""
    path = visible(path)
    if path[:1].isspace() or path.startswith((":", "#")):
        return "./" + path
    return path
